#pragma once
// Turning finished reports into files and a one-screen summary, and a suite of results into an exit code.
#include <cstdint>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace squall::runner {

// One scenario's outcome in a suite: its report (base seed) and, with --seeds, the aggregate over seeds.
struct scenario_outcome {
  std::string file;
  nlohmann::json report;
  nlohmann::json seeds;        // null unless --seeds > 1
  std::vector<nlohmann::json> seed_reports;
};

// Did this scenario do what it promised? Expect "pass": every gate passed (in every seed).
// Expect "fail" (a demonstration of a failure mode): some gate failed. "unknown" when a gate has no value.
std::string suite_verdict(const scenario_outcome& o);

// Writes report.json, report.md, report.html (and seeds.json/seeds.md) into dir/<scenario>/.
void write_scenario_files(const std::string& dir, const scenario_outcome& o);
void write_report_files(const std::string& dir, const nlohmann::json& report);

std::string summary_table(const std::vector<scenario_outcome>& outcomes);
std::string suite_markdown(const std::vector<scenario_outcome>& outcomes);
std::string suite_junit(const std::vector<scenario_outcome>& outcomes);

// 0 when every scenario kept its promise, 1 when one did not, 3 when a gate value was unknown.
int suite_exit_code(const std::vector<scenario_outcome>& outcomes);

// What defines a seed sweep (`squall sweep`): every shard of one sweep must agree on all of it.
struct sweep_identity {
  std::string scenario;                // its name: the folder under --out
  std::string file;                    // as given on the command line (it is in every repro line)
  std::string fingerprint;             // FNV-1a 64 of the file's bytes, hex: shards ran the same scenario text
  std::vector<std::string> overrides;  // --set, in order
  std::uint64_t base_seed = 0;
  int seeds = 0;                       // K: seeds base_seed .. base_seed + K - 1
};

// The identity of a sweep over `file` (read again for its fingerprint; throws std::runtime_error when unreadable).
sweep_identity make_sweep_identity(const std::string& file, const std::string& scenario,
                                   const std::vector<std::string>& overrides, std::uint64_t base_seed, int seeds);

// The command that reruns the whole sweep on one machine.
std::string sweep_command_line(const sweep_identity& id);

// sweep.json (docs/sweep-and-sharding.md): aggregate_seeds over the K reports (in seed order) plus the sweep's
// identity, its verdict (suite_verdict) and, per key metric, the value of every seed for the histograms.
nlohmann::json sweep_result(const sweep_identity& id, const std::vector<nlohmann::json>& seed_reports);

// Empty `path` or a path that can be written; otherwise prints "<command>: <flag> <path>: <why>" and returns false
// (checked before the work, so a typo fails in a second with exit 2).
bool output_path_usable(const char* command, const char* flag, const std::string& path);

// 0 when the sweep kept its promise, 1 when it did not, 3 when a gate or checker was unknown.
int sweep_exit_code(const nlohmann::json& sweep);

// Writes dir/<scenario>/sweep.{json,md,html} for each sweep and, when given, one Markdown file with all of them;
// prints each console summary unless quiet. Returns the worst exit code. Throws std::runtime_error on I/O errors.
int publish_sweeps(const std::string& dir, const std::string& markdown_file, bool quiet,
                   const std::vector<nlohmann::json>& sweeps);

}  // namespace squall::runner
