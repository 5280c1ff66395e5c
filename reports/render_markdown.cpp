// Markdown for a PR comment or $GITHUB_STEP_SUMMARY: a handful of lines, never the whole report.
#include <fmt/format.h>

#include "reports/gates.hpp"
#include "reports/render.hpp"
#include "reports/render_candidates.hpp"
#include "reports/render_duplicates.hpp"
#include "reports/render_text.hpp"

namespace squall::reports {

using detail::at_path;
using detail::display;
using detail::escape_md_cell;
using detail::md_code;

namespace {

std::string gates_table(const nlohmann::json& report) {
  const nlohmann::json& gates = at_path(report, "gates");
  if (!gates.is_array() || gates.empty()) return "No gates.\n";
  std::string out = "| | gate | value |\n|---|---|---|\n";
  for (const auto& g : gates) {
    const bool known = !gate_is_unknown(g);
    const char* mark = !known ? "❔" : g.value("passed", false) ? "✅" : "❌";
    std::string value = display(g.value("value", nlohmann::json()));
    if (!known) value = "unknown: " + escape_md_cell(g.value("error", std::string("no value")));
    if (g.value("no_value", false)) value = "none: " + escape_md_cell(g.value("error", std::string("no value")));
    out += fmt::format("| {} | {} | {} |\n", mark, md_code(g.value("expr", std::string())), value);
  }
  return out;
}

std::string http_metrics_table(const nlohmann::json& report) {
  const auto v = [&](const char* path) { return display(at_path(report, path)); };
  std::string out;
  out += "| metric | value |\n|---|---|\n";
  out += fmt::format("| originals / attempts | {} / {} |\n", v("requests.originals"), v("requests.attempts"));
  out += fmt::format("| goodput (pre-fault) | {} ({}) |\n", v("goodput.ratio"), v("goodput.pre_fault_ratio"));
  out += fmt::format("| retry amplification overall / admitted / max 10 s | {} / {} / {} |\n",
                     v("retry_amplification.overall"), v("retry_amplification.admitted"),
                     v("retry_amplification.window_max"));
  out += fmt::format("| breaker transitions / flaps per hour / time open | {} / {} / {} s |\n",
                     v("breaker.transitions"), v("breaker.flaps_per_hour"), v("breaker.time_open_s"));
  out += fmt::format("| latency p50 / p99 / max | {} / {} / {} ms |\n", v("latency_ms.p50"), v("latency_ms.p99"),
                     v("latency_ms.max"));
  out += fmt::format("| recovery | {} |\n\n", detail::recovery_text(report));
  return out;
}

}  // namespace

std::string render_markdown(const nlohmann::json& report) {
  std::string out = fmt::format("### {} {}\n\n", detail::verdict_badge(report),
                                escape_md_cell(report.value("scenario", std::string("?"))));
  const std::string description = report.value("description", std::string());
  if (!description.empty()) out += "> " + escape_md_cell(description) + "\n\n";

  if (!detail::jobs_only(report)) out += http_metrics_table(report);
  out += gates_table(report);
  const nlohmann::json& errors = at_path(report, "checker_errors");
  if (errors.is_array()) {
    for (const auto& e : errors) {
      out += fmt::format("\n⚠️ checker `{}` returned unknown: {}\n", e.value("section", std::string("?")),
                         escape_md_cell(e.value("reason", std::string("?"))));
    }
  }
  out += detail::duplicates_markdown(report);
  out += detail::candidates_markdown(report);
  const std::string repro = report.value("repro", std::string());
  if (!repro.empty()) out += "\nRepro: " + md_code(repro) + "\n";
  return out;
}

std::string render_suite_markdown(const std::vector<nlohmann::json>& reports) {
  std::string out =
      "| scenario | verdict | goodput | amplification | flaps/h | p99 ms | recovery | duplicated effects |\n"
      "|---|---|---|---|---|---|---|---|\n";
  for (const auto& r : reports) {
    out += fmt::format("| {} | {} | {} | {} | {} | {} | {} | {} |\n", escape_md_cell(r.value("scenario", std::string("?"))),
                       detail::verdict_badge(r), display(at_path(r, "goodput.ratio")),
                       display(at_path(r, "retry_amplification.overall")),
                       display(at_path(r, "breaker.flaps_per_hour")), display(at_path(r, "latency_ms.p99")),
                       detail::recovery_text(r), display(at_path(r, "duplicates.effects_duplicated")));
  }
  return out;
}

}  // namespace squall::reports
