#include "reports/render_tune_parts.hpp"

#include <algorithm>
#include <cstdint>

#include <fmt/format.h>

#include "reports/render_text.hpp"

namespace squall::reports::detail::tune_parts {

using json = nlohmann::json;

namespace {

constexpr std::size_t skipped_listed = 10;

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

}  // namespace

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

std::string value_text(const json& v) { return v.is_string() ? v.get<std::string>() : v.is_number() ? display(v) : v.dump(); }

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

std::string scope_text(const json& tune) {
  const json& search = get(tune, "search");
  const json& seeds = get(tune, "seeds");
  const std::string drawn = str(search, "kind") == "random"
                                ? fmt::format("drawn at random from a grid of {}", display(get(search, "grid_size")))
                                : "grid";
  return fmt::format("{} candidates ({}) × {} seeds from seed {}", display(get(search, "candidates")), drawn,
                     display(get(seeds, "count")), display(get(seeds, "first")));
}

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
    out += markdown ? fmt::format("- #{} {}: {}\n", display(get(*skips[i], "id")), md_code(flags), escape_md_cell(why))
                    : fmt::format("  #{} {}: {}\n", display(get(*skips[i], "id")), flags, why);
  }
  if (skips.size() > skipped_listed) out += fmt::format("{}and {} more (tune.json lists all)\n", markdown ? "- " : "  ", skips.size() - skipped_listed);
  return out;
}

const char* const margin_note =
    "margin of a gate = distance of its worst tuning seed's value from the threshold, relative to the threshold "
    "(T - v)/|T| for < and <=, (v - T)/|T| for > and >= (|T| = 1 when T is 0); a candidate's margin is its least "
    "gate margin";

}  // namespace squall::reports::detail::tune_parts
