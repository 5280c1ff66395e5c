#include "reports/render_tune.hpp"

#include <algorithm>
#include <cmath>
#include <functional>
#include <optional>
#include <limits>
#include <vector>

#include <fmt/format.h>

#include "reports/render_text.hpp"
#include "reports/svg_chart.hpp"
#include "reports/svg_plots.hpp"

namespace squall::reports {

using detail::display;
using detail::escape_md_cell;
using detail::escape_xml;
using json = nlohmann::json;

namespace {

constexpr std::size_t top_rows = 20;        // console and Markdown tables
constexpr std::size_t html_rows_max = 500;  // the HTML table
constexpr std::size_t skipped_listed = 10;

// tune.json is ours, but a hand-edited or truncated one must not crash a renderer: every read has a default.
const json& get(const json& j, const char* key) {
  static const json none;
  if (!j.is_object()) return none;
  const auto it = j.find(key);
  return it == j.end() ? none : *it;
}

std::string str(const json& j, const char* key) {
  const json& v = get(j, key);
  return v.is_string() ? v.get<std::string>() : display(v);
}

const json& list(const json& j, const char* key) {
  static const json empty = json::array();
  const json& v = get(j, key);
  return v.is_array() ? v : empty;
}

// Candidates best first (by "ranking", ids are 1-based positions in "candidates").
std::vector<const json*> ranked(const json& tune) {
  const json& candidates = list(tune, "candidates");
  std::vector<const json*> out;
  for (const json& id : list(tune, "ranking")) {
    if (!id.is_number_unsigned()) continue;
    const auto i = id.get<std::size_t>();
    if (i >= 1 && i <= candidates.size()) out.push_back(&candidates[i - 1]);
  }
  return out;
}

bool skipped(const json& c) { return get(c, "skipped").is_string(); }

// Column names for the varied parameters: the last path segment, or the whole path when two would clash.
std::vector<std::string> param_names(const json& tune) {
  std::vector<std::string> paths, names;
  for (const json& p : list(tune, "parameters")) paths.push_back(str(p, "path"));
  for (const std::string& path : paths) {
    const std::size_t dot = path.find_last_of('.');
    names.push_back(dot == std::string::npos ? path : path.substr(dot + 1));
  }
  for (std::size_t i = 0; i < names.size(); ++i)
    for (std::size_t j = 0; j < names.size(); ++j)
      if (i != j && names[i] == names[j]) names[i] = paths[i];
  return names;
}

std::string value_text(const json& v) { return v.is_string() ? v.get<std::string>() : v.is_number() ? display(v) : v.dump(); }

// The key metrics that have a value in some candidate (the Pareto objectives).
std::vector<const json*> shown_metrics(const json& tune) {
  std::vector<const json*> out;
  for (const json& m : list(tune, "metrics"))
    if (get(m, "pareto") == true) out.push_back(&m);
  return out;
}

std::string metric_mean(const json& c, const json& metric) {
  return display(get(get(get(c, "metrics"), str(metric, "path").c_str()), "mean"));
}

// "20/20", and "20/20 <floor" for a passing candidate below the goodput floor (never recommended).
std::string gates_text(const json& c) {
  return fmt::format("{}/{}{}", display(get(c, "seeds_passing")), display(get(c, "seeds")),
                     get(c, "below_goodput_floor") == true ? " <floor" : "");
}

std::string margin_text(const json& c) {
  const json& m = get(c, "margin");
  if (m.is_number()) return display(m);
  return list(c, "gates").empty() ? "no gates" : "–";
}

// One table row's cells: rank, id, parameter values, metric means, gates, margin, Pareto mark.
std::vector<std::string> row_cells(const json& tune, const json& c) {
  std::vector<std::string> cells{display(get(c, "rank")), "#" + display(get(c, "id"))};
  const json& values = get(c, "values");
  for (const json& p : list(tune, "parameters")) cells.push_back(value_text(get(values, str(p, "path").c_str())));
  for (const json* m : shown_metrics(tune)) cells.push_back(metric_mean(c, *m));
  cells.push_back(gates_text(c));
  cells.push_back(margin_text(c));
  cells.push_back(get(c, "pareto") == true ? "*" : "");
  return cells;
}

std::vector<std::string> header_cells(const json& tune) {
  std::vector<std::string> cells{"rank", "cand."};
  for (const std::string& n : param_names(tune)) cells.push_back(n);
  for (const json* m : shown_metrics(tune)) cells.push_back(str(*m, "label"));
  cells.insert(cells.end(), {"all gates", "margin", "pareto"});
  return cells;
}

std::string objectives_text(const json& tune) {
  std::vector<std::string> parts;
  for (const json* m : shown_metrics(tune)) parts.push_back(fmt::format("{} {}", str(*m, "direction"), str(*m, "path")));
  return parts.empty() ? "no metric has a value" : fmt::format("{}", fmt::join(parts, ", "));
}

std::size_t ran_count(const json& tune) {
  std::size_t n = 0;
  for (const json& c : list(tune, "candidates")) n += skipped(c) ? 0 : 1;
  return n;
}

// "64 candidates (grid of 64) × 20 seeds from 42"
std::string scope_text(const json& tune) {
  const json& search = get(tune, "search");
  const json& seeds = get(tune, "seeds");
  const std::string drawn = str(search, "kind") == "random"
                                ? fmt::format("drawn at random from a grid of {}", display(get(search, "grid_size")))
                                : "grid";
  return fmt::format("{} candidates ({}) × {} seeds from seed {}", display(get(search, "candidates")), drawn,
                     display(get(seeds, "count")), display(get(seeds, "first")));
}

// What was found, in one sentence.
std::string headline(const json& tune) {
  const std::string verdict = str(tune, "verdict");
  const json& rec = get(tune, "recommendation");
  const std::string seeds = display(get(get(tune, "seeds"), "count"));
  if (rec.is_object()) {
    std::string s = fmt::format("candidate #{} passes every gate in all {} tuning seeds", display(get(rec, "id")), seeds);
    if (verdict == "holdout-failed") s += ", but not on every hold-out seed";
    return s;
  }
  return fmt::format("no candidate passes every gate in all {} tuning seeds", seeds);
}

std::string holdout_text(const json& tune) {
  const json& h = get(tune, "holdout");
  if (!h.is_object()) {
    if (!get(tune, "recommendation").is_object()) return "Hold-out: not run (no recommendation).";
    return "Hold-out: not run (--holdout 0).";
  }
  const json& first = get(h, "first_seed");
  const json& n = get(h, "seeds");
  const bool range = first.is_number_unsigned() && n.is_number_unsigned() && n.get<std::uint64_t>() > 0;
  return fmt::format("Hold-out: {} of {} fresh seeds ({}..{}, not used for tuning) passed every gate{}",
                     display(get(h, "passed")), display(n), display(first),
                     range ? std::to_string(first.get<std::uint64_t>() + n.get<std::uint64_t>() - 1) : "?",
                     get(h, "pass") == true ? "." : ": the recommendation does not hold on fresh seeds.");
}

// How the goodput floor was applied, or "" when it was off or had nothing to compare.
std::string floor_text(const json& tune) {
  const json& f = get(tune, "goodput_floor");
  if (get(f, "applied") != true) return "";
  const json& below = get(f, "below");
  return fmt::format("Goodput floor: a candidate that passes every gate is recommended only with a mean goodput of "
                     "at least {} × {} (#{}, the best that passes) = {}; {} passing candidate{} fell below it "
                     "(--goodput-floor 0 turns this off).",
                     display(get(f, "relative")), display(get(f, "best_goodput")), display(get(f, "best_id")),
                     display(get(f, "floor")), display(below), below == 1 ? "" : "s");
}

std::string choice_heading(const json& tune, const json& choice) {
  if (get(tune, "recommendation").is_object()) {
    const json& limiting = get(choice, "limiting_gate");
    return fmt::format("Recommendation: #{}, least gate margin {}{}", display(get(choice, "id")),
                       get(choice, "margin").is_number() ? display(get(choice, "margin")) : "– (no gates)",
                       limiting.is_string() ? " (" + limiting.get<std::string>() + ")" : "");
  }
  return fmt::format("Closest candidate: #{} (every gate passed in {}/{} seeds; least margin {}{})",
                     display(get(choice, "id")), display(get(choice, "seeds_passing")), display(get(choice, "seeds")),
                     display(get(choice, "margin")),
                     get(choice, "limiting_gate").is_string() ? ", on " + str(choice, "limiting_gate") : "");
}

const json& choice_of(const json& tune) {
  const json& rec = get(tune, "recommendation");
  return rec.is_object() ? rec : get(tune, "closest");
}

// Characters on screen: UTF-8 bytes that start a code point ("–" is one).
std::size_t screen_width(const std::string& s) {
  return static_cast<std::size_t>(std::count_if(s.begin(), s.end(), [](char c) { return (static_cast<unsigned char>(c) & 0xC0) != 0x80; }));
}

std::string text_table(const std::vector<std::vector<std::string>>& rows) {
  std::vector<std::size_t> widths;
  for (const auto& row : rows) {
    widths.resize(std::max(widths.size(), row.size()), 0);
    for (std::size_t i = 0; i < row.size(); ++i) widths[i] = std::max(widths[i], screen_width(row[i]));
  }
  std::string out;
  for (const auto& row : rows) {
    std::string line;
    for (std::size_t i = 0; i < row.size(); ++i) {
      line += row[i];
      if (i + 1 < row.size()) line += std::string(widths[i] - screen_width(row[i]) + 2, ' ');
    }
    while (!line.empty() && line.back() == ' ') line.pop_back();
    out += line + "\n";
  }
  return out;
}

std::string skipped_text(const json& tune, bool markdown) {
  std::vector<const json*> skips;
  for (const json& c : list(tune, "candidates"))
    if (skipped(c)) skips.push_back(&c);
  if (skips.empty()) return "";
  std::string out = fmt::format("Skipped {} of {} candidates: their combination of values is not a valid scenario{}\n",
                                skips.size(), list(tune, "candidates").size(), markdown ? ".\n" : ":");
  for (std::size_t i = 0; i < skips.size() && i < skipped_listed; ++i) {
    const std::string flags = str(*skips[i], "set_flags");
    const std::string why = str(*skips[i], "skipped");
    out += markdown ? fmt::format("- #{} {}: {}\n", display(get(*skips[i], "id")), detail::md_code(flags), escape_md_cell(why))
                    : fmt::format("  #{} {}: {}\n", display(get(*skips[i], "id")), flags, why);
  }
  if (skips.size() > skipped_listed) out += fmt::format("{}and {} more (tune.json lists all)\n", markdown ? "- " : "  ", skips.size() - skipped_listed);
  return out;
}

const char* margin_note =
    "margin of a gate = distance of its worst tuning seed's value from the threshold, relative to the threshold "
    "(T - v)/|T| for < and <=, (v - T)/|T| for > and >= (|T| = 1 when T is 0); a candidate's margin is its least "
    "gate margin";

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

std::string markdown_table(const json& tune, std::size_t rows_max) {
  const auto header = header_cells(tune);
  std::string out = "|";
  for (const std::string& h : header) out += " " + escape_md_cell(h) + " |";
  out += "\n|";
  for (std::size_t i = 0; i < header.size(); ++i) out += "---|";
  out += "\n";
  std::size_t n = 0;
  for (const json* c : ranked(tune)) {
    if (skipped(*c) || n++ == rows_max) continue;
    out += "|";
    for (const std::string& cell : row_cells(tune, *c)) out += " " + escape_md_cell(cell) + " |";
    out += "\n";
  }
  return out;
}

}  // namespace

std::string render_tune_text(const json& tune) {
  std::string out = fmt::format("squall tune: {}: {}\n", str(tune, "scenario"), scope_text(tune));
  std::vector<std::vector<std::string>> rows{header_cells(tune)};
  for (const json* c : ranked(tune)) {
    if (skipped(*c)) continue;
    if (rows.size() > top_rows) break;
    rows.push_back(row_cells(tune, *c));
  }
  out += text_table(rows);
  const std::size_t ran = ran_count(tune);
  out += fmt::format("{}metric columns: mean over the tuning seeds; all gates: seeds passing every gate; * on the "
                     "Pareto front ({}); <floor: below the goodput floor\n",
                     ran > top_rows ? fmt::format("top {} of {} candidates. ", top_rows, ran) : "", objectives_text(tune));
  out += skipped_text(tune, false);
  out += "\n";
  const json& choice = choice_of(tune);
  if (!get(tune, "recommendation").is_object()) out += "No candidate passes every gate in every tuning seed.\n";
  if (choice.is_object()) {
    out += choice_heading(tune, choice) + "\n";
    out += fmt::format("  paste after `squall run {}`:\n    {}\n", str(tune, "file"), str(choice, "set_flags"));
    out += fmt::format("  or into the scenario:\n    {}\n", get(choice, "snippet").dump());
  }
  if (get(tune, "recommendation").is_object()) out += holdout_text(tune) + "\n";
  if (const std::string f = floor_text(tune); !f.empty()) out += f + "\n";
  return out;
}

std::string render_tune_markdown(const json& tune) {
  const std::string verdict = str(tune, "verdict");
  std::string out = fmt::format("### {} squall tune: {}\n\n", verdict == "pass" ? "✅" : "❌", escape_md_cell(str(tune, "scenario")));
  out += fmt::format("{}: {}.\n\n", scope_text(tune), headline(tune));
  const json& choice = choice_of(tune);
  if (choice.is_object()) {
    out += "**" + choice_heading(tune, choice) + "**\n\n";
    out += fmt::format("```sh\nsquall run {} {}\n```\n\n", str(tune, "file"), str(choice, "set_flags"));
    out += fmt::format("```json\n{}\n```\n\n", get(choice, "snippet").dump(2));
  }
  if (get(tune, "recommendation").is_object()) out += holdout_text(tune) + "\n\n";
  if (const std::string f = floor_text(tune); !f.empty()) out += f + "\n\n";
  out += fmt::format("Top {} of {} candidates (metric columns: mean over the tuning seeds; `*` = on the Pareto front "
                     "over {}):\n\n",
                     std::min(top_rows, ran_count(tune)), ran_count(tune), objectives_text(tune));
  out += markdown_table(tune, top_rows);
  out += "\n" + skipped_text(tune, true);
  out += fmt::format("\n<sub>{}. Reproduce: {}</sub>\n", margin_note, detail::md_code(str(tune, "command")));
  return out;
}

std::string render_tune_html(const json& tune) {
  const std::string scenario = str(tune, "scenario");
  const std::string verdict = str(tune, "verdict");
  std::string out = "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n";
  out += fmt::format("<title>squall tune: {}</title>\n<style>{}\npre {{ background: #f3f4f6; padding: 8px; white-space: pre-wrap; word-break: break-all; }}\n"
                     "</style>\n</head>\n<body>\n",
                     escape_xml(scenario), detail::report_css());
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
