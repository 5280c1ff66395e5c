#include "reports/render_sweep.hpp"

#include <fmt/format.h>

#include "reports/gates.hpp"
#include "reports/render_text.hpp"
#include "reports/svg_chart.hpp"
#include "reports/svg_plots.hpp"

namespace squall::reports {

using detail::display;
using detail::escape_xml;
using detail::md_code;
using detail::member;
using detail::member_text;
using json = nlohmann::json;

namespace {

constexpr std::size_t md_failing_max = 20;
constexpr std::size_t text_failing_max = 10;
constexpr std::size_t html_seeds_max = 200;


std::size_t size_of(const json& j, const char* key) {
  const json& v = member(j, key);
  return v.is_array() ? v.size() : 0;
}

bool has_values(const json& metric) { return member(metric, "count").is_number() && metric["count"].get<double>() > 0; }

std::string badge(const std::string& verdict) {
  if (verdict == "pass" || verdict == "expected-fail") return "✅";
  if (verdict == "unknown") return "❔";
  return "❌";
}

// One sentence on what the sweep found.
std::string headline(const json& sweep) {
  const std::string verdict = member_text(sweep, "verdict");
  const std::string runs = member_text(sweep, "runs");
  const std::size_t failing = size_of(sweep, "failing_seeds");
  if (verdict == "pass") return fmt::format("every gate passed in all {} seeds", runs);
  if (verdict == "expected-fail") return fmt::format("expected fail: a gate failed in each of the {} seeds", runs);
  if (verdict == "unexpected-pass") {
    return fmt::format("unexpected pass: {} of {} seeds passed every gate, but the scenario expects a failure",
                       size_of(sweep, "unexpected_passes"), runs);
  }
  if (verdict == "unknown") return fmt::format("unknown: {} of {} seeds have a gate or checker without a value", failing, runs);
  return fmt::format("{} of {} seeds failed a gate", failing, runs);
}

std::string worst_text(const json& m) {
  const json& worst = member(m, "worst");
  if (worst.is_null()) return display(worst);
  return fmt::format("{} (seed {})", display(worst), display(member(m, "worst_seed")));
}

// The gates a seed failed (or could not evaluate), each through `show` (plain, or a Markdown code span).
std::string gate_list(const json& seed, std::string (*show)(std::string_view) = nullptr) {
  std::string out;
  for (const char* key : {"failed_gates", "unknown_gates"}) {
    const json& list = member(seed, key);
    if (!list.is_array()) continue;
    for (const auto& g : list) {
      const std::string expr = g.is_string() ? g.get<std::string>() : display(g);
      out += (out.empty() ? "" : ", ") + (show != nullptr ? show(expr) : expr);
      if (std::string(key) == "unknown_gates") out += " (unknown)";
    }
  }
  return out.empty() ? "a checker returned unknown" : out;
}

// "7 to 46": the sweep's seeds.
std::string seed_range(const json& sweep) {
  const json& seeds = member(sweep, "seeds");
  if (!seeds.is_array() || seeds.empty()) return "none";
  return display(seeds.front()) + " to " + display(seeds.back());
}

const char* rule_note =
    "Percentiles are nearest-rank over the seeds that have a value; worst is the maximum where lower is better, "
    "the minimum where higher is better (column `better` in sweep.json), and its seed is the first that reached it.";

// ---- Markdown -------------------------------------------------------------------------------------------------

struct shown_metric {
  std::string path;
  std::string label;
  const json* summary;
};

enum class metric_set { key, candidates, all };

// The shadow candidates' fields worth a row of their own (the rest are under "every metric").
bool is_key_candidate_field(const std::string& path) {
  for (const char* tail : {".breaker.would_reject", ".breaker.flaps_per_hour", ".breaker.time_open_s",
                           ".budget.would_deny", ".agreement.breaker", ".agreement.budget"}) {
    const std::string t(tail);
    if (path.size() > t.size() && path.compare(path.size() - t.size(), t.size(), t) == 0) return true;
  }
  return false;
}

// The metrics of a set that have a value in some seed, in a fixed order: the key metrics; the shadow candidates'
// key fields (candidates.<name>.…, sorted by name); or every known metric, then every candidate metric.
std::vector<shown_metric> shown_metrics(const json& metrics, metric_set which) {
  std::vector<shown_metric> out;
  if (which == metric_set::key) {
    for (const sweep_metric& k : sweep_key_metrics()) {
      const json& m = member(metrics, k.path);
      if (has_values(m)) out.push_back({k.path, k.label, &m});
    }
    return out;
  }
  if (which == metric_set::all) {
    for (const std::string& path : known_metrics()) {
      const json& m = member(metrics, path.c_str());
      if (has_values(m)) out.push_back({path, path, &m});
    }
  }
  if (!metrics.is_object()) return out;
  for (const auto& [path, m] : metrics.items()) {
    if (path.rfind("candidates.", 0) != 0 || !has_values(m)) continue;
    if (which == metric_set::all || is_key_candidate_field(path)) out.push_back({path, path, &m});
  }
  return out;
}

std::string md_metric_rows(const json& metrics, metric_set all) {
  std::string out;
  for (const shown_metric& row : shown_metrics(metrics, all)) {
    const json& m = *row.summary;
    out += fmt::format("| `{}` | {} | {} | {} | {} | {} | {} |\n", row.path, display(member(m, "mean")),
                       display(member(m, "p5")), display(member(m, "p50")), display(member(m, "p95")), worst_text(m),
                       display(member(m, "count")));
  }
  return out;
}

constexpr const char* md_metric_header = "| metric | mean | p5 | p50 | p95 | worst (seed) | seeds |\n|---|---|---|---|---|---|---|\n";

std::string md_gates(const json& sweep) {
  const json& gates = member(sweep, "gates");
  if (!gates.is_array() || gates.empty()) return "No gates.\n";
  std::string out = "| gate | stability | passed | failed | unknown | pass share |\n|---|---|---|---|---|---|\n";
  for (const auto& g : gates) {
    out += fmt::format("| {} | {} | {} | {} | {} | {} |\n", md_code(member_text(g, "expr")), member_text(g, "stability"),
                       display(member(g, "passed")), display(member(g, "failed")), display(member(g, "unknown")),
                       display(member(g, "pass_share")));
  }
  return out;
}

std::string md_seed_list(const json& seeds, bool with_gates, const std::string& where) {
  std::string out;
  std::size_t shown = 0;
  for (const auto& s : seeds) {
    if (shown++ == md_failing_max) {
      out += fmt::format("- … {} more in {}\n", seeds.size() - md_failing_max, where);
      break;
    }
    out += fmt::format("- seed {}: {}", display(member(s, "seed")), md_code(member_text(s, "repro")));
    if (with_gates) out += " — " + gate_list(s, md_code);
    out += "\n";
  }
  return out;
}

// ---- HTML ------------------------------------------------------------------------------------------------------

std::vector<double> gate_markers(const json& sweep, const std::string& path) {
  std::vector<double> markers;
  const json& gates = member(sweep, "gates");
  if (!gates.is_array()) return markers;
  for (const auto& g : gates) {
    const gate_parse parsed = parse_gate(member_text(g, "expr"));
    if (parsed.value && parsed.value->path == path) markers.push_back(parsed.value->threshold);
  }
  return markers;
}

// One histogram per key metric that varies over the seeds. A metric with one value in every seed gets a line
// instead, and a gate threshold further from the data than the data's own spread is named under the chart rather
// than drawn (it would squeeze the bars into a sliver).
std::string histograms(const json& sweep) {
  std::string out;
  const json& values = member(sweep, "values");
  for (const shown_metric& k : shown_metrics(member(sweep, "metrics"), metric_set::key)) {
    const json& m = *k.summary;
    if (member(m, "min") == member(m, "max")) {
      out += fmt::format("<p class=\"note\">{}: {} in every seed.</p>\n", escape_xml(k.label),
                         escape_xml(display(member(m, "min"))));
      continue;
    }
    detail::histogram_plot plot;
    plot.title = fmt::format("{} over {} seeds", k.label, member_text(sweep, "runs"));
    plot.x_label = k.label;
    const json& per_seed = member(values, k.path);
    if (per_seed.is_array()) {
      for (const auto& v : per_seed)
        if (v.is_number()) plot.values.push_back(v.get<double>());
    }
    const double lo = m["min"].get<double>(), hi = m["max"].get<double>();
    std::string off_chart;
    for (const double marker : gate_markers(sweep, k.path)) {
      if (marker >= lo - (hi - lo) && marker <= hi + (hi - lo)) {
        plot.markers.push_back(marker);
      } else {
        off_chart += (off_chart.empty() ? "" : ", ") + display(json(marker));
      }
    }
    out += detail::render_histogram(plot);
    if (!off_chart.empty()) {
      out += fmt::format("<p class=\"note\">Gate threshold {} lies off the chart (data from {} to {}).</p>\n",
                         escape_xml(off_chart), escape_xml(display(m["min"])), escape_xml(display(m["max"])));
    }
  }
  return out.empty() ? "<p>No metric has a value.</p>\n" : out;
}

std::string html_metric_table(const json& metrics, metric_set all) {
  std::string out =
      "<table>\n<tr><th>metric</th><th>mean</th><th>p5</th><th>p50</th><th>p95</th><th>worst (seed)</th>"
      "<th>seeds</th></tr>\n";
  for (const shown_metric& row : shown_metrics(metrics, all)) {
    const json& m = *row.summary;
    out += fmt::format("<tr><td>{}</td>", escape_xml(row.label));
    for (const char* key : {"mean", "p5", "p50", "p95"}) {
      out += fmt::format("<td class=\"num\">{}</td>", escape_xml(display(member(m, key))));
    }
    out += fmt::format("<td class=\"num\">{}</td><td class=\"num\">{}</td></tr>\n", escape_xml(worst_text(m)),
                       escape_xml(display(member(m, "count"))));
  }
  return out + "</table>\n";
}

std::string html_gates(const json& sweep) {
  const json& gates = member(sweep, "gates");
  if (!gates.is_array() || gates.empty()) return "<p>No gates.</p>\n";
  std::string out =
      "<table>\n<tr><th>gate</th><th>stability</th><th>passed</th><th>failed</th><th>unknown</th>"
      "<th>pass share</th></tr>\n";
  for (const auto& g : gates) {
    const std::string stability = member_text(g, "stability");
    const char* cls = stability == "stable" ? "passed" : stability == "failing" ? "failed" : "flaky";
    out += fmt::format("<tr class=\"{}\"><td><code>{}</code></td><td>{}</td>", cls, escape_xml(member_text(g, "expr")),
                       escape_xml(stability));
    for (const char* key : {"passed", "failed", "unknown", "pass_share"}) {
      out += fmt::format("<td class=\"num\">{}</td>", escape_xml(display(member(g, key))));
    }
    out += "</tr>\n";
  }
  return out + "</table>\n";
}

std::string html_seed_table(const json& seeds, bool with_gates) {
  std::string out = with_gates ? "<table>\n<tr><th>seed</th><th>gates</th><th>repro</th></tr>\n"
                               : "<table>\n<tr><th>seed</th><th>repro</th></tr>\n";
  std::size_t shown = 0;
  for (const auto& s : seeds) {
    if (shown++ == html_seeds_max) {
      out += fmt::format("<tr><td colspan=\"{}\">… {} more in sweep.json</td></tr>\n", with_gates ? 3 : 2,
                         seeds.size() - html_seeds_max);
      break;
    }
    out += fmt::format("<tr><td class=\"num\">{}</td>", escape_xml(display(member(s, "seed"))));
    if (with_gates) out += "<td>" + escape_xml(gate_list(s)) + "</td>";
    out += "<td><code>" + escape_xml(member_text(s, "repro")) + "</code></td></tr>\n";
  }
  return out + "</table>\n";
}

}  // namespace

const std::vector<sweep_metric>& sweep_key_metrics() {
  static const std::vector<sweep_metric> metrics = {
      {"goodput.ratio", "goodput (succeeded / originals)"},
      {"retry_amplification.overall", "retry amplification (attempts / originals, ×)"},
      {"retry_amplification.window_max", "retry amplification, worst 10 s window (×)"},
      {"breaker.flaps_per_hour", "breaker flaps per hour"},
      {"breaker.time_open_s", "breaker time open (s)"},
      {"latency_ms.p99", "latency p99 (ms)"},
      {"recovery.seconds", "recovery after the last fault (s)"},
      {"duplicates.effects_duplicated", "duplicated effects"},
      {"duplicates.lock_overlaps", "lock overlaps"},
  };
  return metrics;
}

std::string render_sweep_markdown(const json& sweep) {
  const std::string verdict = member_text(sweep, "verdict");
  std::string out = fmt::format("### {} {}: {}\n\n", badge(verdict), detail::escape_md_cell(member_text(sweep, "scenario")),
                                headline(sweep));
  out += fmt::format("Seeds {} ({} runs). Reproduce the sweep: {}\n\n", seed_range(sweep), member_text(sweep, "runs"),
                     md_code(member_text(sweep, "command")));
  const json& metrics = member(sweep, "metrics");
  out += md_metric_header + md_metric_rows(metrics, metric_set::key);
  if (const std::string rows = md_metric_rows(metrics, metric_set::candidates); !rows.empty())
    out += "\n**Shadow candidates** (what each would have done; agreement with the enforced policy):\n\n" +
           std::string(md_metric_header) + rows;
  out += "\n" + md_gates(sweep);
  const json& failing = member(sweep, "failing_seeds");
  if (failing.is_array() && !failing.empty()) {
    out += fmt::format("\n**Failing seeds** ({} of {}):\n\n", failing.size(), member_text(sweep, "runs"));
    out += md_seed_list(failing, true, "sweep.json");
  }
  const json& unexpected = member(sweep, "unexpected_passes");
  if (unexpected.is_array() && !unexpected.empty()) {
    out += fmt::format("\n**Seeds that passed although the scenario expects a failure** ({} of {}):\n\n",
                       unexpected.size(), member_text(sweep, "runs"));
    out += md_seed_list(unexpected, false, "sweep.json");
  }
  out += "\n<details><summary>Every metric with a value</summary>\n\n";
  out += md_metric_header + md_metric_rows(metrics, metric_set::all);
  out += "\n</details>\n\n";
  out += std::string(rule_note) + "\n";
  return out;
}

std::string render_sweep_html(const json& sweep) {
  const std::string scenario = member_text(sweep, "scenario");
  const std::string verdict = member_text(sweep, "verdict");
  std::string out = detail::html_page_head(fmt::format("squall sweep: {} — {}", scenario, verdict),
                                           "tr.flaky td:first-child { color: #9a6700; }");
  const char* header_class = verdict == "pass" || verdict == "expected-fail" ? "pass"
                             : verdict == "unknown"                          ? "unknown"
                                                                             : "fail";
  out += fmt::format("<header class=\"{}\">\n<h1>{}: sweep over {} seeds</h1>\n<p class=\"badge\">{} {}</p>\n",
                     header_class, escape_xml(scenario), escape_xml(member_text(sweep, "runs")), badge(verdict),
                     escape_xml(headline(sweep)));
  out += fmt::format("<p class=\"meta\">seeds {} · expect {}</p>\n<p>reproduce the sweep: <code>{}</code></p>\n",
                     escape_xml(seed_range(sweep)), escape_xml(member_text(sweep, "expect")),
                     escape_xml(member_text(sweep, "command")));
  out += "</header>\n";
  out += "<section>\n<h2>Gate stability</h2>\n" + html_gates(sweep) + "</section>\n";
  const json& failing = member(sweep, "failing_seeds");
  if (failing.is_array() && !failing.empty()) {
    out += fmt::format("<section>\n<h2>Failing seeds ({} of {})</h2>\n", failing.size(), escape_xml(member_text(sweep, "runs")));
    out += html_seed_table(failing, true) + "</section>\n";
  }
  const json& unexpected = member(sweep, "unexpected_passes");
  if (unexpected.is_array() && !unexpected.empty()) {
    out += fmt::format("<section>\n<h2>Seeds that passed although the scenario expects a failure ({} of {})</h2>\n",
                       unexpected.size(), escape_xml(member_text(sweep, "runs")));
    out += html_seed_table(unexpected, false) + "</section>\n";
  }
  const json& metrics = member(sweep, "metrics");
  out += "<section>\n<h2>Key metrics over seeds</h2>\n" + html_metric_table(metrics, metric_set::key);
  if (!shown_metrics(metrics, metric_set::candidates).empty()) {
    out += "<h2>Shadow candidates over seeds</h2>\n" + html_metric_table(metrics, metric_set::candidates);
  }
  out += fmt::format("<p class=\"note\">{}</p>\n</section>\n", escape_xml(rule_note));
  out += "<section>\n<h2>Distributions</h2>\n" + histograms(sweep) + "</section>\n";
  out += "<section>\n<h2>Every metric with a value</h2>\n" + html_metric_table(metrics, metric_set::all) + "</section>\n";
  out += "</body>\n</html>\n";
  return out;
}

std::string render_sweep_text(const json& sweep) {
  std::string out = fmt::format("sweep {}: {} {}\n", member_text(sweep, "scenario"), badge(member_text(sweep, "verdict")),
                                headline(sweep));
  out += fmt::format("  {:<32} {:>9} {:>9} {:>9} {:>9}  {}\n", "metric", "mean", "p5", "p50", "p95", "worst (seed)");
  std::vector<shown_metric> rows = shown_metrics(member(sweep, "metrics"), metric_set::key);
  for (shown_metric& row : shown_metrics(member(sweep, "metrics"), metric_set::candidates)) rows.push_back(row);
  for (const shown_metric& row : rows) {
    const json& m = *row.summary;
    out += fmt::format("  {:<32} {:>9} {:>9} {:>9} {:>9}  {}\n", row.path, display(member(m, "mean")),
                       display(member(m, "p5")), display(member(m, "p50")), display(member(m, "p95")), worst_text(m));
  }
  const json& gates = member(sweep, "gates");
  if (gates.is_array()) {
    for (const auto& g : gates) {
      out += fmt::format("  gate {:<8} {:>5}/{:<5} {}\n", member_text(g, "stability"), display(member(g, "passed")),
                         member_text(sweep, "runs"), member_text(g, "expr"));
    }
  }
  for (const char* key : {"failing_seeds", "unexpected_passes"}) {
    const json& seeds = member(sweep, key);
    if (!seeds.is_array() || seeds.empty()) continue;
    out += fmt::format("  {} ({} of {}):\n", std::string(key) == "failing_seeds" ? "failing seeds" : "unexpected passes",
                       seeds.size(), member_text(sweep, "runs"));
    std::size_t shown = 0;
    for (const auto& s : seeds) {
      if (shown++ == text_failing_max) {
        out += fmt::format("    … {} more in sweep.json\n", seeds.size() - text_failing_max);
        break;
      }
      out += "    " + member_text(s, "repro");
      if (std::string(key) == "failing_seeds") out += "    # " + gate_list(s);
      out += "\n";
    }
  }
  return out;
}

}  // namespace squall::reports
