#include "reports/render_tune.hpp"

#include <algorithm>
#include <cmath>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "reports/render_text.hpp"
#include "reports/render_tune_parts.hpp"
#include "reports/svg_chart.hpp"
#include "reports/svg_plots.hpp"

namespace squall::reports {

using namespace detail::tune_parts;
using detail::display;
using detail::escape_xml;
using json = nlohmann::json;

namespace {

constexpr std::size_t html_rows_max = 500;

// Heatmap cells over the first two parameters: the best value over candidates that share the two values.
detail::heatmap_plot heatmap(const json& tune, const std::string& title, const std::string& value_label,
                             const std::function<std::optional<double>(const json&)>& value_of) {
  detail::heatmap_plot plot;
  plot.title = title;
  plot.value_label = value_label;
  const json& params = list(tune, "parameters");
  if (params.empty()) return plot;
  const json& xs = list(params[0], "values");
  static const json single = json::array({json("all")});
  const json& ys = params.size() > 1 ? list(params[1], "values") : single;
  plot.x_label = str(params[0], "path");
  plot.y_label = params.size() > 1 ? str(params[1], "path") : "";
  for (const json& x : xs) plot.x_ticks.push_back(value_text(x));
  for (const json& y : ys) plot.y_ticks.push_back(value_text(y));
  plot.cells.assign(ys.size(), std::vector<double>(xs.size(), std::nan("")));
  const std::string px = str(params[0], "path");
  const std::string py = params.size() > 1 ? str(params[1], "path") : "";
  for (const json& c : list(tune, "candidates")) {
    if (skipped(c)) continue;
    const json& values = get(c, "values");
    const auto xi = std::find(xs.begin(), xs.end(), get(values, px.c_str()));
    const auto yi = params.size() > 1 ? std::find(ys.begin(), ys.end(), get(values, py.c_str())) : ys.begin();
    const auto v = value_of(c);
    if (xi == xs.end() || yi == ys.end() || !v) continue;
    double& cell = plot.cells[static_cast<std::size_t>(yi - ys.begin())][static_cast<std::size_t>(xi - xs.begin())];
    cell = std::isnan(cell) ? *v : std::max(cell, *v);
  }
  return plot;
}

std::optional<double> number_at(const json& v) {
  if (!v.is_number()) return std::nullopt;
  return v.get<double>();
}

std::string candidate_label(const json& tune, const json& c) {
  std::string label = "#" + display(get(c, "id"));
  const json& values = get(c, "values");
  for (const json& p : list(tune, "parameters")) {
    const std::string path = str(p, "path");
    label += " " + path + "=" + value_text(get(values, path.c_str()));
  }
  return label;
}

std::string scatter(const json& tune) {
  detail::scatter_plot plot;
  plot.title = "Goodput vs retry amplification (means over seeds)";
  plot.x_label = "retry amplification (attempts per original)";
  plot.y_label = "goodput (succeeded / originals)";
  const json& choice = choice_of(tune);
  for (const json& c : list(tune, "candidates")) {
    if (skipped(c)) continue;
    const json& metrics = get(c, "metrics");
    const auto x = number_at(get(get(metrics, "retry_amplification.overall"), "mean"));
    const auto y = number_at(get(get(metrics, "goodput.ratio"), "mean"));
    if (!x || !y) continue;
    plot.points.push_back({*x, *y, candidate_label(tune, c), get(c, "pareto") == true,
                           choice.is_object() && get(choice, "id") == get(c, "id")});
  }
  return detail::render_scatter(plot);
}

std::string html_table(const json& tune, std::size_t rows_max) {
  std::string out = "<table>\n<tr>";
  for (const std::string& h : header_cells(tune)) out += "<th>" + escape_xml(h) + "</th>";
  out += "</tr>\n";
  std::size_t n = 0;
  for (const json* c : ranked(tune)) {
    if (skipped(*c)) continue;
    if (n++ == rows_max) break;
    out += fmt::format("<tr class=\"{}\">", get(*c, "passes_all") == true ? "passed" : "failed");
    for (const std::string& cell : row_cells(tune, *c)) out += "<td>" + escape_xml(cell) + "</td>";
    out += "</tr>\n";
  }
  return out + "</table>\n";
}

}  // namespace

std::string render_tune_html(const json& tune) {
  const std::string scenario = str(tune, "scenario");
  const std::string verdict = str(tune, "verdict");
  std::string out = detail::html_page_head(
      "squall tune: " + scenario, "pre { background: #f3f4f6; padding: 8px; white-space: pre-wrap; word-break: break-all; }");
  out += fmt::format("<header class=\"{}\">\n<h1>{}: tune</h1>\n<p class=\"badge\">{} {}</p>\n<p class=\"meta\">{}</p>\n",
                     verdict == "pass" ? "pass" : "fail", escape_xml(scenario), verdict == "pass" ? "✅" : "❌",
                     escape_xml(headline(tune)), escape_xml(scope_text(tune)));
  out += fmt::format("<p>reproduce: <code>{}</code></p>\n</header>\n", escape_xml(str(tune, "command")));
  const json& choice = choice_of(tune);
  if (choice.is_object()) {
    out += fmt::format("<section>\n<h2>{}</h2>\n", escape_xml(choice_heading(tune, choice)));
    out += fmt::format("<p>As flags:</p>\n<pre>squall run {} {}</pre>\n", escape_xml(str(tune, "file")),
                       escape_xml(str(choice, "set_flags")));
    out += fmt::format("<p>Into the scenario:</p>\n<pre>{}</pre>\n", escape_xml(get(choice, "snippet").dump(2)));
    if (get(tune, "recommendation").is_object()) out += "<p>" + escape_xml(holdout_text(tune)) + "</p>\n";
    if (const std::string f = floor_text(tune); !f.empty()) out += "<p>" + escape_xml(f) + "</p>\n";
    out += "</section>\n";
  }
  out += "<section>\n<h2>Pareto front</h2>\n" + scatter(tune);
  out += fmt::format("<p class=\"note\">Blue: on the Pareto front over {}; yellow: the {}. Hover a point for its values.</p>\n</section>\n",
                     escape_xml(objectives_text(tune)), get(tune, "recommendation").is_object() ? "recommendation" : "closest candidate");
  const bool more = list(tune, "parameters").size() > 2;
  const std::string best_note = more ? " (best over the other varied parameters)" : "";
  out += "<section>\n<h2>Over the first two varied parameters</h2>\n";
  out += detail::render_heatmap(heatmap(tune, "Goodput, mean over the tuning seeds" + best_note, "goodput",
                                        [](const json& c) { return number_at(get(get(get(c, "metrics"), "goodput.ratio"), "mean")); }));
  out += detail::render_heatmap(heatmap(tune, "Share of tuning seeds passing every gate" + best_note, "share of seeds",
                                        [](const json& c) -> std::optional<double> {
                                          const auto n = number_at(get(c, "seeds"));
                                          const auto k = number_at(get(c, "seeds_passing"));
                                          if (!n || !k || *n == 0) return std::nullopt;
                                          return *k / *n;
                                        }));
  out += "</section>\n";
  const std::size_t ran = ran_count(tune);
  out += fmt::format("<section>\n<h2>Candidates, best first{}</h2>\n", ran > html_rows_max ? fmt::format(" (first {} of {})", html_rows_max, ran) : "");
  out += html_table(tune, html_rows_max);
  out += fmt::format("<p class=\"note\">Metric columns: mean over the tuning seeds. {}.</p>\n", escape_xml(margin_note));
  const std::string skips = skipped_text(tune, false);
  if (!skips.empty()) out += "<pre>" + escape_xml(skips) + "</pre>\n";
  out += "</section>\n</body>\n</html>\n";
  return out;
}

}  // namespace squall::reports
