#include "runner/outputs.hpp"

#include <cstdio>
#include <fstream>
#include <sstream>
#include <stdexcept>

#include <fmt/format.h>

#include "reports/aggregate.hpp"
#include "reports/gates.hpp"
#include "reports/render.hpp"
#include "reports/render_sweep.hpp"
#include "runner/exit_codes.hpp"
#include "runner/files.hpp"
#include "runner/repro.hpp"

namespace squall::runner {

namespace {
using json = nlohmann::json;

// A metric for the summary table; "-" when the report has no value (e.g. p99 of a run with no success).
std::string number_at(const json& report, const json::json_pointer& ptr, const char* format) {
  if (!report.contains(ptr) || !report.at(ptr).is_number()) return "-";
  return fmt::format(fmt::runtime(format), report.at(ptr).get<double>());
}

std::string recovery_text(const json& report) {
  const json::json_pointer rec("/recovery");
  if (!report.contains(rec) || !report.at(rec).is_object()) return "?";
  const json& r = report.at(rec);
  if (!r.value("applicable", false)) return "-";
  if (!r.value("recovered", false)) return "metastable";
  return fmt::format("{:.0f} s", r.value("seconds", 0.0));
}

std::vector<json> reports_of(const std::vector<scenario_outcome>& outcomes) {
  std::vector<json> all;
  for (const auto& o : outcomes) all.push_back(o.report);
  return all;
}
}  // namespace

std::string suite_verdict(const scenario_outcome& o) {
  const bool expect_fail = o.report.value("expect", "pass") == "fail";
  bool any_unknown = false, all_failed = true, all_passed = true;
  // One report (squall check, or a single seed) when no per-seed list was kept.
  const std::vector<nlohmann::json> single{o.report};
  for (const auto& r : o.seed_reports.empty() ? single : o.seed_reports) {
    const std::string v = r.value("verdict", "unknown");
    // A checker that threw leaves its section unknown; DESIGN §4 maps that to exit 3 even without a gate on it.
    const bool checker_failed = r.contains("checker_errors") && !r["checker_errors"].empty();
    any_unknown |= v == "unknown" || checker_failed;
    all_failed &= v == "fail";
    all_passed &= v == "pass";
  }
  if (any_unknown) return "unknown";
  if (expect_fail) return all_failed ? "expected-fail" : "unexpected-pass";
  return all_passed ? "pass" : "fail";
}

void write_report_files(const std::string& dir, const json& report) {
  make_directories(dir);
  write_file_atomically(dir + "/report.json", reports::render_json(report));
  write_file_atomically(dir + "/report.md", reports::render_markdown(report));
  write_file_atomically(dir + "/report.html", reports::render_html(report));
}

void write_scenario_files(const std::string& dir, const scenario_outcome& o) {
  const std::string folder = dir + "/" + o.report.value("scenario", "scenario");
  write_report_files(folder, o.report);
  if (!o.seeds.is_null()) {
    write_file_atomically(folder + "/seeds.json", o.seeds.dump(2) + "\n");
    write_file_atomically(folder + "/seeds.md", reports::render_seeds_markdown(o.seeds));
  }
}

std::string summary_table(const std::vector<scenario_outcome>& outcomes) {
  std::string out = fmt::format("{:<34} {:<16} {:>8} {:>7} {:>8} {:>9} {:>11} {:>6}\n", "scenario", "verdict",
                                "goodput", "ampl.", "flaps/h", "p99 ms", "recovery", "dups");
  for (const auto& o : outcomes) {
    const json& r = o.report;
    out += fmt::format("{:<34} {:<16} {:>8} {:>7} {:>8} {:>9} {:>11} {:>6}\n", r.value("scenario", "?"),
                       suite_verdict(o), number_at(r, json::json_pointer("/goodput/ratio"), "{:.3f}"),
                       number_at(r, json::json_pointer("/retry_amplification/overall"), "{:.2f}"),
                       number_at(r, json::json_pointer("/breaker/flaps_per_hour"), "{:.1f}"),
                       number_at(r, json::json_pointer("/latency_ms/p99"), "{:.1f}"), recovery_text(r),
                       number_at(r, json::json_pointer("/duplicates/effects_duplicated"), "{}"));
    if (!o.seeds.is_null()) {
      out += fmt::format("  {} seeds; worst: {}\n", o.seed_reports.size(), o.seeds.value("worst_repro", "?"));
    }
    const std::string v = suite_verdict(o);
    if (v == "fail" || v == "unexpected-pass" || v == "unknown") out += "  repro: " + r.value("repro", "?") + "\n";
  }
  return out;
}

std::string suite_markdown(const std::vector<scenario_outcome>& outcomes) {
  std::string md = reports::render_suite_markdown(reports_of(outcomes));
  for (const auto& o : outcomes)
    if (!o.seeds.is_null()) md += "\n" + reports::render_seeds_markdown(o.seeds);
  return md;
}

std::string suite_junit(const std::vector<scenario_outcome>& outcomes) {
  return reports::render_junit(reports_of(outcomes));
}

int suite_exit_code(const std::vector<scenario_outcome>& outcomes) {
  int code = exit_pass;
  for (const auto& o : outcomes) {
    const std::string v = suite_verdict(o);
    if (v == "unknown") return exit_internal;
    if (v == "fail" || v == "unexpected-pass") code = exit_gate_failed;
  }
  return code;
}

sweep_identity make_sweep_identity(const std::string& file, const std::string& scenario,
                                   const std::vector<std::string>& overrides, std::uint64_t base_seed, int seeds) {
  std::ifstream in(file, std::ios::binary);
  std::stringstream bytes;
  bytes << in.rdbuf();
  if (!in) throw std::runtime_error("cannot read " + file);
  std::uint64_t hash = 0xcbf29ce484222325ULL;  // FNV-1a 64
  for (const char c : bytes.str()) {
    hash ^= static_cast<unsigned char>(c);
    hash *= 0x100000001b3ULL;
  }
  return {scenario, file, fmt::format("{:016x}", hash), overrides, base_seed, seeds};
}

std::string sweep_command_line(const sweep_identity& id) {
  std::string cmd = fmt::format("squall sweep {} --seeds {} --seed {}", shell_quote(id.file), id.seeds, id.base_seed);
  for (const auto& o : id.overrides) cmd += " --set " + shell_quote(o);
  return cmd;
}

json sweep_result(const sweep_identity& id, const std::vector<json>& seed_reports) {
  json sweep = reports::aggregate_seeds(seed_reports);
  sweep["sweep"] = 1;
  sweep["file"] = id.file;
  sweep["fingerprint"] = id.fingerprint;
  sweep["overrides"] = id.overrides;
  sweep["base_seed"] = id.base_seed;
  sweep["command"] = sweep_command_line(id);
  scenario_outcome outcome;
  outcome.report = seed_reports.empty() ? json::object() : seed_reports.front();
  outcome.seed_reports = seed_reports;
  sweep["verdict"] = seed_reports.empty() ? "unknown" : suite_verdict(outcome);
  json values = json::object();
  for (const auto& metric : reports::sweep_key_metrics()) {
    json per_seed = json::array();
    for (const json& r : seed_reports) {
      const auto v = reports::lookup_metric(r, metric.path);
      per_seed.push_back(v ? json(*v) : json(nullptr));
    }
    values[metric.path] = std::move(per_seed);
  }
  sweep["values"] = std::move(values);
  return sweep;
}

bool output_path_usable(const char* command, const char* flag, const std::string& path) {
  if (path.empty()) return true;
  const std::string problem = check_writable(path);
  if (!problem.empty()) std::fprintf(stderr, "%s: %s %s: %s\n", command, flag, path.c_str(), problem.c_str());
  return problem.empty();
}

int sweep_exit_code(const json& sweep) {
  const std::string v = sweep.value("verdict", "unknown");
  if (v == "pass" || v == "expected-fail") return exit_pass;
  if (v == "fail" || v == "unexpected-pass") return exit_gate_failed;
  return exit_internal;
}

int publish_sweeps(const std::string& dir, const std::string& markdown_file, bool quiet, const std::vector<json>& sweeps) {
  int code = exit_pass;
  std::string markdown;
  for (const json& sweep : sweeps) {
    const std::string folder = dir + "/" + sweep.value("scenario", "scenario");
    make_directories(folder);
    write_file_atomically(folder + "/sweep.json", sweep.dump(2) + "\n");
    write_file_atomically(folder + "/sweep.md", reports::render_sweep_markdown(sweep));
    write_file_atomically(folder + "/sweep.html", reports::render_sweep_html(sweep));
    markdown += (markdown.empty() ? "" : "\n") + reports::render_sweep_markdown(sweep);
    if (!quiet) {
      std::fputs(reports::render_sweep_text(sweep).c_str(), stdout);
      std::printf("sweep: %s/sweep.{json,md,html}\n", folder.c_str());
    }
    const int c = sweep_exit_code(sweep);
    if (c == exit_internal || (c == exit_gate_failed && code == exit_pass)) code = c;
  }
  if (!markdown_file.empty()) write_file_atomically(markdown_file, markdown);
  return code;
}

}  // namespace squall::runner
