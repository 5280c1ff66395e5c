// Shadow candidates for people: what each would have done next to what the enforced policy did.
#include "reports/render_candidates.hpp"

#include <algorithm>
#include <array>
#include <string_view>
#include <vector>

#include <fmt/format.h>

#include "reports/render_text.hpp"
#include "reports/svg_chart.hpp"

namespace squall::reports::detail {

using json = nlohmann::json;

namespace {

constexpr std::array<std::string_view, 8> columns = {
    "policy", "breaker rejects", "transitions", "flaps per hour", "time open", "budget denies",
    "agrees with enforced breaker", "agrees with enforced budget"};

struct candidate_ref {
  std::string name;
  const json* value;
};

// The candidates in scenario order (report.json keeps object keys sorted; `index` is the scenario order).
std::vector<candidate_ref> ordered(const json& section) {
  std::vector<candidate_ref> out;
  for (const auto& [name, value] : section.items()) {
    if (value.is_object() && value.contains("index")) out.push_back({name, &value});
  }
  std::sort(out.begin(), out.end(), [](const candidate_ref& a, const candidate_ref& b) {
    return a.value->value("index", 0) < b.value->value("index", 0);
  });
  return out;
}

double number_at(const json& report, std::string_view path) {
  const json& v = at_path(report, path);
  return v.is_number() ? v.get<double>() : 0.0;
}

std::string with_unit(const json& v, const char* unit) {
  std::string s = display(v);
  return s == "–" ? s : s + unit;
}

// "99.5 % of 1200": an agreement share and the number of decisions it is over.
std::string agreement_text(const json& agreement, const char* which) {
  if (!agreement.is_object()) return "–";
  const json share = agreement.value(which, json());
  const json decisions = agreement.value(std::string(which) + "_decisions", json());
  if (decisions.is_null() && share.is_null()) return "–";
  if (!share.is_number()) return "no decisions";
  return display(json(share.get<double>() * 100)) + " % of " + display(decisions);
}

// The enforced policy's row: its breaker (enforced or mode shadow: only one of the two has numbers) and budget.
std::array<std::string, 8> enforced_row(const json& report) {
  const auto sum = [&](std::string_view a, std::string_view b) {
    return json(number_at(report, a) + number_at(report, b));
  };
  return {"enforced policy",
          display(sum("breaker.rejected", "breaker.shadow.would_reject")),
          display(sum("breaker.transitions", "breaker.shadow.transitions")),
          display(sum("breaker.flaps_per_hour", "breaker.shadow.flaps_per_hour")),
          with_unit(sum("breaker.time_open_s", "breaker.shadow.time_open_s"), " s"),
          display(sum("budget.denied", "budget.shadow_would_deny")),
          "–",
          "–"};
}

std::array<std::string, 8> candidate_row(const candidate_ref& c) {
  const json& breaker = c.value->value("breaker", json());
  const json& budget = c.value->value("budget", json());
  const json& agreement = c.value->value("agreement", json());
  const auto b = [&](const char* key) { return breaker.is_object() ? breaker.value(key, json()) : json(); };
  return {c.name,
          display(b("would_reject")),
          display(b("transitions")),
          display(b("flaps_per_hour")),
          with_unit(b("time_open_s"), " s"),
          display(budget.is_object() ? budget.value("would_deny", json()) : json()),
          agreement_text(agreement, "breaker"),
          agreement_text(agreement, "budget")};
}

std::string markdown_row(const std::array<std::string, 8>& cells, bool code_name) {
  std::string out = "| " + (code_name ? md_code(cells[0]) : escape_md_cell(cells[0]));
  for (std::size_t i = 1; i < cells.size(); ++i) out += " | " + escape_md_cell(cells[i]);
  return out + " |\n";
}

std::string html_row(const std::array<std::string, 8>& cells, bool code_name) {
  std::string out = "<tr><td>" + (code_name ? "<code>" + escape_xml(cells[0]) + "</code>" : escape_xml(cells[0])) +
                    "</td>";
  for (std::size_t i = 1; i < cells.size(); ++i) out += "<td class=\"num\">" + escape_xml(cells[i]) + "</td>";
  return out + "</tr>\n";
}

const json& section_of(const json& report) { return at_path(report, "candidates"); }

std::string unknown_reason(const json& section) { return section.value("unknown", std::string("unknown")); }

// The band chart leaves about ten characters for a row label: longer names are cut, the tooltips keep them whole.
std::string band_label(const std::string& name) {
  constexpr std::size_t fits = 10;
  return name.size() <= fits ? name : name.substr(0, fits - 1) + "…";
}

// One band of breaker states from a breaker's recorded transitions (report.json `events`), 0 to end_s.
svg_band_row state_band(const std::string& name, const json& breaker, double end_s) {
  svg_band_row band{band_label(name), {}};
  if (!breaker.is_object()) return band;
  std::string state = "closed";
  double from = 0;
  const auto close_span = [&](double to, const std::string& css, const std::string& title) {
    band.spans.push_back({from, to, css, name + ": " + title});
  };
  for (const json& t : breaker.value("events", json::array())) {
    const json at = t.value("t_s", json());
    const double to = at.is_number() ? at.get<double>() : from;
    close_span(to, state, fmt::format("{}: {} s to {} s", state, display(json(from)), display(json(to))));
    state = t.value("to", std::string("closed"));
    from = to;
  }
  if (breaker.value("events_truncated", false)) {
    close_span(end_s, "unknown-state", "later transitions not recorded");
  } else {
    close_span(end_s, state, fmt::format("{}: from {} s", state, display(json(from))));
  }
  return band;
}

std::string bands_html(const json& report, const std::vector<candidate_ref>& candidates) {
  const double end_s = std::max(1.0, number_at(report, "duration_s"));
  std::vector<svg_band_row> rows;
  const json& breaker = at_path(report, "breaker");
  const bool shadow =
      number_at(report, "breaker.shadow.transitions") + number_at(report, "breaker.shadow.would_reject") > 0;
  rows.push_back(state_band("enforced", shadow ? at_path(report, "breaker.shadow") : breaker, end_s));
  for (const candidate_ref& c : candidates) {
    const json& b = c.value->value("breaker", json());
    if (b.is_object()) rows.push_back(state_band(c.name, b, end_s));
  }
  if (rows.size() < 2) return "";
  std::vector<svg_span> faults;
  for (const json& f : at_path(report, "faults").is_array() ? at_path(report, "faults") : json::array()) {
    faults.push_back({f.value("from_s", 0.0), f.value("to_s", 0.0), "fault",
                      f.value("kind", std::string("fault")) + " on " + f.value("target", std::string("?"))});
  }
  return render_band_chart("Breaker state, enforced and candidates (green closed, red open, amber half-open)", end_s,
                           rows, faults);
}

}  // namespace

std::string candidates_markdown(const json& report) {
  const json& section = section_of(report);
  if (!section.is_object()) return "";
  std::string out = "\n#### Shadow candidates\n\n";
  if (section.contains("unknown")) return out + "Unknown: " + escape_md_cell(unknown_reason(section)) + "\n";
  out += "|";
  for (std::string_view c : columns) out += fmt::format(" {} |", c);
  out += "\n|";
  for (std::size_t i = 0; i < columns.size(); ++i) out += "---|";
  out += "\n" + markdown_row(enforced_row(report), false);
  for (const candidate_ref& c : ordered(section)) out += markdown_row(candidate_row(c), true);
  return out + "\n" + escape_md_cell(section.value("note", std::string())) + "\n";
}

std::string candidates_html(const json& report) {
  const json& section = section_of(report);
  if (!section.is_object()) return "";
  std::string out = "<section>\n<h2>Shadow candidates</h2>\n";
  if (section.contains("unknown")) {
    return out + "<p>Unknown: " + escape_xml(unknown_reason(section)) + "</p>\n</section>\n";
  }
  const std::vector<candidate_ref> candidates = ordered(section);
  out += "<table>\n<tr>";
  for (std::string_view c : columns) out += "<th>" + escape_xml(c) + "</th>";
  out += "</tr>\n" + html_row(enforced_row(report), false);
  for (const candidate_ref& c : candidates) out += html_row(candidate_row(c), true);
  out += "</table>\n";
  out += "<p class=\"note\">" + escape_xml(section.value("note", std::string())) + "</p>\n";
  out += bands_html(report, candidates);
  return out + "</section>\n";
}

}  // namespace squall::reports::detail
