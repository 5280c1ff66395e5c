#include "runner/outputs.hpp"

#include <fmt/format.h>

#include "reports/aggregate.hpp"
#include "reports/render.hpp"
#include "runner/exit_codes.hpp"
#include "runner/files.hpp"

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

}  // namespace squall::runner
