#pragma once
// Turning finished reports into files and a one-screen summary, and a suite of results into an exit code.
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

}  // namespace squall::runner
