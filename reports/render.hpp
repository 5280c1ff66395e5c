#pragma once
// Renderers: report.json → text for people and CI. Pure functions of the report(s), deterministic bytes.
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace squall::reports {

// report.dump(2) plus a newline.
std::string render_json(const nlohmann::json& report);

// One report: verdict, key metrics table, gates with ✅/❌/❔, duplicates (when the report has them), repro line.
// Short enough for a PR comment.
std::string render_markdown(const nlohmann::json& report);

// A suite: one table row per scenario (verdict, goodput, amplification, flaps, p99, recovery). A scenario that
// expects to fail shows "expected fail" when some gate failed and "unexpected pass" otherwise.
std::string render_suite_markdown(const std::vector<nlohmann::json>& reports);

// JUnit XML: one <testsuite> per report, one <testcase> per gate (failure when failed, error when unknown).
// For a report with expect "fail", failed gates become <skipped> and a testcase "expected failure" fails when
// no gate failed.
std::string render_junit(const std::vector<nlohmann::json>& reports);

// One self-contained HTML page (inline CSS and SVG, no scripts, no external resources).
std::string render_html(const nlohmann::json& report);

}  // namespace squall::reports
