// One self-contained HTML page per report: inline CSS and SVG drawn here, no scripts, no external resources,
// so it can be attached to a CI run and opened offline.
#include <algorithm>

#include <fmt/format.h>

#include "reports/gates.hpp"
#include "reports/render.hpp"
#include "reports/render_candidates.hpp"
#include "reports/render_duplicates.hpp"
#include "reports/render_text.hpp"
#include "reports/svg_chart.hpp"

namespace squall::reports {

using detail::at_path;
using detail::display;
using detail::escape_xml;
using json = nlohmann::json;

namespace {

constexpr const char* style = R"css(
body { font: 14px/1.45 system-ui, sans-serif; margin: 24px auto; max-width: 920px; color: #1b1f24; }
header { border-left: 8px solid #888; padding: 4px 16px; margin-bottom: 16px; }
header.pass { border-color: #2e7d32; } header.fail { border-color: #c62828; } header.unknown { border-color: #8d6e63; }
h1 { margin: 0; font-size: 22px; } h2 { font-size: 17px; margin-top: 28px; }
.badge { font-weight: 600; font-size: 16px; } .meta { color: #57606a; }
code { background: #f3f4f6; padding: 1px 4px; border-radius: 3px; word-break: break-all; }
table { border-collapse: collapse; } td, th { border: 1px solid #d0d7de; padding: 4px 10px; text-align: left; }
td.num { text-align: right; font-variant-numeric: tabular-nums; }
tr.passed td:first-child { color: #2e7d32; } tr.failed td:first-child { color: #c62828; }
svg.chart { display: block; margin: 8px 0; }
.axis { stroke: #57606a; } .tick { stroke: #57606a; } .grid { stroke: #eaeef2; }
.tick-label, .legend { font-size: 11px; fill: #424a53; } .axis-label { font-size: 12px; fill: #1b1f24; }
.chart-title { font-size: 13px; font-weight: 600; fill: #1b1f24; }
.series { fill: none; stroke-width: 1.6; } .originals { stroke: #0969da; } .attempts { stroke: #cf222e; }
.goodput { stroke: #1a7f37; } .denied { stroke: #bc4c00; } .p50 { stroke: #0969da; } .p99 { stroke: #8250df; }
.fault-label { font-size: 11px; fill: #a40e26; }
.fault { fill: #cf222e; fill-opacity: 0.10; } .fault-outline { fill: none; stroke: #cf222e; stroke-dasharray: 4 3; }
.closed { fill: #2e7d32; } .open { fill: #c62828; } .half_open { fill: #f9a825; } .unknown-state { fill: #d0d7de; }
.note { color: #57606a; font-size: 12px; }
h3 { font-size: 15px; margin: 18px 0 6px; }
tr.effect td { background: #fff8c5; } tr.marker td { color: #57606a; font-style: italic; }
.no-data { font-size: 13px; font-style: italic; fill: #57606a; }
.plot-bar { fill: #0969da; fill-opacity: 0.75; } .plot-bar:hover { fill-opacity: 1; }
.plot-marker { stroke: #cf222e; stroke-width: 1.5; stroke-dasharray: 5 3; } .marker-label { font-size: 11px; fill: #cf222e; }
.plot-point { fill: #8c959f; fill-opacity: 0.8; } .plot-front { fill: #0969da; fill-opacity: 1; }
.plot-chosen { fill: #f9a825; stroke: #1b1f24; stroke-width: 1.5; fill-opacity: 1; }
.heat-0 { fill: #ffffd9; } .heat-1 { fill: #edf8b1; } .heat-2 { fill: #c7e9b4; } .heat-3 { fill: #7fcdbb; }
.heat-4 { fill: #41b6c4; } .heat-5 { fill: #1d91c0; } .heat-6 { fill: #225ea8; } .heat-7 { fill: #0c2c84; }
.heat-empty { fill: #ffffff; stroke: #d0d7de; stroke-dasharray: 3 3; }
.heat-value { font-size: 11px; fill: #1b1f24; } .heat-value.on-dark { fill: #ffffff; }
)css";

std::string gates_table(const json& report) {
  const json& gates = at_path(report, "gates");
  if (!gates.is_array() || gates.empty()) return "<p>No gates.</p>\n";
  std::string out = "<table>\n<tr><th></th><th>gate</th><th>value</th></tr>\n";
  for (const auto& g : gates) {
    const json value = g.value("value", json());
    const bool known = !gate_is_unknown(g);
    const bool passed = g.value("passed", false);
    const char* cls = !known ? "unknown" : passed ? "passed" : "failed";
    const char* mark = !known ? "❔" : passed ? "✅" : "❌";
    const std::string why = g.value("error", std::string("no value"));
    const std::string shown = !known ? "unknown: " + why : value.is_null() ? "none: " + why : display(value);
    out += fmt::format("<tr class=\"{}\"><td>{}</td><td><code>{}</code></td><td class=\"num\">{}</td></tr>\n", cls,
                       mark, escape_xml(g.value("expr", std::string())), escape_xml(shown));
  }
  return out + "</table>\n";
}

std::string metrics_table(const json& report) {
  struct row {
    const char* label;
    const char* path;
    const char* unit;
  };
  static constexpr row rows[] = {
      {"originals", "requests.originals", ""},
      {"attempts", "requests.attempts", ""},
      {"succeeded", "requests.succeeded", ""},
      {"failed (of which indeterminate)", "requests.failed", ""},
      {"rejected by open breaker", "requests.rejected_open", ""},
      {"timeouts", "requests.timeouts", ""},
      {"goodput", "goodput.ratio", ""},
      {"goodput before the first fault", "goodput.pre_fault_ratio", ""},
      {"retry amplification (overall)", "retry_amplification.overall", "×"},
      {"retry amplification (admitted)", "retry_amplification.admitted", "×"},
      {"retry amplification (max 10 s window)", "retry_amplification.window_max", "×"},
      {"breaker transitions", "breaker.transitions", ""},
      {"breaker flaps per hour", "breaker.flaps_per_hour", ""},
      {"breaker time open", "breaker.time_open_s", "s"},
      {"budget denials", "budget.denied", ""},
      {"latency p50", "latency_ms.p50", "ms"},
      {"latency p99", "latency_ms.p99", "ms"},
      {"latency p99.9", "latency_ms.p999", "ms"},
      {"latency max", "latency_ms.max", "ms"},
  };
  std::string out = "<table>\n";
  for (const row& r : rows) {
    std::string value = display(at_path(report, r.path));
    if (r.path == std::string("requests.failed")) {
      value += " (" + display(at_path(report, "requests.indeterminate")) + ")";
    }
    if (*r.unit != '\0' && value != "–") value += std::string(" ") + r.unit;
    out += fmt::format("<tr><td>{}</td><td class=\"num\">{}</td></tr>\n", r.label, escape_xml(value));
  }
  out += fmt::format("<tr><td>recovery after the last fault</td><td class=\"num\">{}</td></tr>\n",
                     escape_xml(detail::recovery_text(report)));
  return out + "</table>\n";
}

double number_or(const json& v, double fallback) { return v.is_number() ? v.get<double>() : fallback; }

std::vector<detail::svg_span> fault_spans(const json& report) {
  std::vector<detail::svg_span> spans;
  const json& faults = at_path(report, "faults");
  if (!faults.is_array()) return spans;
  for (const auto& f : faults) {
    spans.push_back({number_or(f.value("from_s", json()), 0), number_or(f.value("to_s", json()), 0), "fault",
                     f.value("kind", std::string("fault")) + " on " + f.value("target", std::string("?"))});
  }
  return spans;
}

// Breaker state over time from its recorded transitions; after a truncated list the state is unknown.
detail::svg_band_row breaker_row(const std::string& label, const json& breaker, double end_s) {
  detail::svg_band_row row{label, {}};
  std::string state = "closed";
  double since = 0;
  const json& events = breaker.is_object() ? breaker.value("events", json::array()) : json::array();
  for (const auto& e : events) {
    const double t = number_or(e.value("t_s", json()), since);
    row.spans.push_back({since, t, state, state + " from " + display(since) + " s to " + display(t) + " s"});
    state = e.value("to", std::string("closed"));
    since = t;
  }
  const bool truncated = breaker.is_object() && breaker.value("events_truncated", false);
  row.spans.push_back({since, end_s, truncated ? "unknown-state" : state,
                       truncated ? "not recorded (only the first transitions are kept)" : state + " from " +
                                                                                                 display(since) + " s"});
  return row;
}

// A timeline field as a series: the value per point (divided by the window for rates), gaps where it is null or
// missing. `present` says whether any point has the field at all (a report from before it was added has none).
struct timeline_series {
  detail::svg_series series;
  double y_max = 0;
  bool present = false;
};

timeline_series series_of(const json& timeline, double window_s, const char* field, double divisor, std::string name,
                          std::string css_class) {
  timeline_series out{{std::move(name), std::move(css_class), {}, {}}, 0, false};
  for (const auto& p : timeline) {
    out.series.x.push_back(number_or(p.value("t_s", json()), 0) + window_s / 2);
    const json v = p.value(field, json());
    out.present = out.present || p.contains(field);
    if (v.is_number()) {
      out.series.y.emplace_back(v.get<double>() / divisor);
      out.y_max = std::max(out.y_max, v.get<double>() / divisor);
    } else {
      out.series.y.emplace_back(std::nullopt);
    }
  }
  return out;
}

std::string missing_note(const std::string& what, const std::string& total) {
  return "<p class=\"note\">" + escape_xml(what) + ": not in this report.json (the timeline has no such field); " +
         escape_xml(total) + ".</p>\n";
}

std::string breaker_band(const json& report, double x_max, const std::vector<detail::svg_span>& faults) {
  std::vector<detail::svg_band_row> rows;
  const json& breaker = at_path(report, "breaker");
  if (breaker.is_object() && !breaker.contains("unknown")) {
    rows.push_back(breaker_row("breaker", breaker, x_max));
    const json& shadow = breaker.value("shadow", json());
    if (shadow.is_object() && number_or(shadow.value("transitions", json()), 0) > 0) {
      rows.push_back(breaker_row("shadow", shadow, x_max));
    }
  }
  if (rows.empty()) return "";
  return detail::render_band_chart("Breaker state (green closed, red open, amber half-open)", x_max, rows, faults);
}

std::string fault_list(const json& report) {
  const json& faults = at_path(report, "faults");
  if (!faults.is_array() || faults.empty()) return "";
  std::string out = "<p class=\"note\">Shaded / dashed: fault windows from the scenario:";
  const char* sep = " ";
  for (const auto& f : faults) {
    out += sep + escape_xml(f.value("kind", std::string("fault")) + " on " + f.value("target", std::string("?")) + " " +
                            display(f.value("from_s", json())) + "–" + display(f.value("to_s", json())) + " s");
    sep = "; ";
  }
  return out + ".</p>\n";
}

// The "Over time" section, from retry_amplification.timeline (one point per timeline window): load, breaker state,
// budget denials, goodput and latency percentiles, every chart on the same time axis with the fault windows.
std::string charts(const json& report) {
  const json& amp = at_path(report, "retry_amplification");
  const json& timeline = amp.is_object() ? amp.value("timeline", json()) : json();
  if (!timeline.is_array() || timeline.empty()) {
    return "<p class=\"note\">No timeline: the window checker returned unknown or the run had no events.</p>\n";
  }
  const double window = std::max(1.0, number_or(amp.value("timeline_window_s", json()), 10));
  const std::vector<detail::svg_span> faults = fault_spans(report);
  double x_max = number_or(at_path(report, "duration_s"), 0);
  for (const auto& p : timeline) x_max = std::max(x_max, number_or(p.value("t_s", json()), 0) + window);
  const std::string resolution = fmt::format(" ({} s windows)", display(json(window)));

  std::string out = fault_list(report);
  const timeline_series originals = series_of(timeline, window, "originals", window, "originals/s", "originals");
  const timeline_series attempts = series_of(timeline, window, "attempts", window, "attempts/s", "attempts");
  out += detail::render_line_chart({"Load: originals vs attempts per second" + resolution, "time (s)",
                                    "requests per second", x_max,
                                    std::max({originals.y_max, attempts.y_max, 1.0}), faults,
                                    {originals.series, attempts.series}});
  out += breaker_band(report, x_max, faults);

  const timeline_series denied = series_of(timeline, window, "budget_denied", window, "denied/s", "denied");
  if (denied.present) {
    out += detail::render_line_chart({"Retry budget denials per second" + resolution, "time (s)", "denials per second",
                                      x_max, std::max(denied.y_max, 1.0), faults, {denied.series}});
  } else {
    out += missing_note("Budget denials over time", "total denials " + display(at_path(report, "budget.denied")));
  }

  const timeline_series goodput = series_of(timeline, window, "goodput", 1, "goodput", "goodput");
  out += detail::render_line_chart({"Goodput (succeeded / originals per window)" + resolution, "time (s)",
                                    "goodput (ratio)", x_max, std::max(goodput.y_max, 1.0), faults, {goodput.series}});

  const timeline_series p50 = series_of(timeline, window, "latency_ms_p50", 1, "p50", "p50");
  const timeline_series p99 = series_of(timeline, window, "latency_ms_p99", 1, "p99", "p99");
  if (p50.present || p99.present) {
    out += detail::render_line_chart({"Latency of succeeded originals, p50 and p99 per window" + resolution,
                                      "time (s)", "latency (ms)", x_max, std::max({p50.y_max, p99.y_max, 1.0}),
                                      faults, {p50.series, p99.series}});
  } else {
    out += missing_note("Latency p50/p99 over time", "over the whole run p50 " +
                                                         display(at_path(report, "latency_ms.p50")) + " ms, p99 " +
                                                         display(at_path(report, "latency_ms.p99")) + " ms");
  }
  return out;
}

}  // namespace

std::string_view detail::report_css() { return style; }

std::string detail::html_page_head(std::string_view title, std::string_view extra_css) {
  std::string out = "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n";
  out += fmt::format("<title>{}</title>\n<style>{}", escape_xml(std::string(title)), style);
  if (!extra_css.empty()) out += fmt::format("\n{}\n", extra_css);
  return out + "</style>\n</head>\n<body>\n";
}

std::string render_html(const json& report) {
  const std::string scenario = report.value("scenario", std::string("scenario"));
  const std::string verdict = report.value("verdict", std::string("unknown"));
  std::string out = detail::html_page_head(fmt::format("squall: {} — {}", scenario, verdict));
  const char* header_class = verdict == "pass" ? "pass" : verdict == "fail" ? "fail" : "unknown";
  out += fmt::format("<header class=\"{}\">\n<h1>{}</h1>\n<p class=\"badge\">{}</p>\n", header_class,
                     escape_xml(scenario), escape_xml(detail::verdict_badge(report)));
  const std::string description = report.value("description", std::string());
  if (!description.empty()) out += "<p>" + escape_xml(description) + "</p>\n";
  out += fmt::format("<p class=\"meta\">seed {} · duration {} s · expect {}</p>\n",
                     escape_xml(display(report.value("seed", json()))),
                     escape_xml(display(report.value("duration_s", json()))),
                     escape_xml(report.value("expect", std::string("pass"))));
  const std::string repro = report.value("repro", std::string());
  if (!repro.empty()) out += "<p>repro: <code>" + escape_xml(repro) + "</code></p>\n";
  out += "</header>\n";

  out += "<section>\n<h2>Gates</h2>\n" + gates_table(report) + "</section>\n";
  const json& errors = at_path(report, "checker_errors");
  if (errors.is_array() && !errors.empty()) {
    out += "<section>\n<h2>Checkers that returned unknown</h2>\n<ul>\n";
    for (const auto& e : errors) {
      out += fmt::format("<li><code>{}</code>: {}</li>\n", escape_xml(e.value("section", std::string("?"))),
                         escape_xml(e.value("reason", std::string("?"))));
    }
    out += "</ul>\n</section>\n";
  }
  if (!detail::jobs_only(report)) {
    out += "<section>\n<h2>Key metrics</h2>\n" + metrics_table(report) + "</section>\n";
    out += "<section>\n<h2>Over time</h2>\n" + charts(report) + "</section>\n";
  }
  out += detail::duplicates_html(report);
  out += detail::candidates_html(report);
  out += "</body>\n</html>\n";
  return out;
}

}  // namespace squall::reports
