#include "reports/aggregate.hpp"

#include <algorithm>
#include <limits>
#include <set>
#include <stdexcept>

#include <fmt/format.h>

#include "reports/gates.hpp"
#include "reports/json_number.hpp"
#include "reports/render_text.hpp"

namespace squall::reports {

using json = nlohmann::json;

namespace {

json direction_name(metric_direction d) {
  switch (d) {
    case metric_direction::lower_is_better: return "lower";
    case metric_direction::higher_is_better: return "higher";
    case metric_direction::neither: break;
  }
  return nullptr;
}

// candidates.<name>.<field>: agreement with the enforced policy is better higher (a control must stay at 1, an
// alternative's lowest seed is where it differs most); how many decisions were compared describes the load;
// every breaker and budget count is better lower, as for the enforced policy.
metric_direction candidate_direction(const std::string& path) {
  const auto ends_with = [&](const std::string& tail) {
    return path.size() >= tail.size() && path.compare(path.size() - tail.size(), tail.size(), tail) == 0;
  };
  if (ends_with("_decisions")) return metric_direction::neither;
  if (ends_with(".agreement.breaker") || ends_with(".agreement.budget")) return metric_direction::higher_is_better;
  return metric_direction::lower_is_better;
}

json metric_summary(const std::vector<json>& reports, const std::string& path) {
  const metric_direction direction = direction_of(path);
  std::vector<double> values;
  double sum = 0;
  json worst = nullptr, worst_seed = nullptr;
  for (const json& r : reports) {
    const auto v = lookup_metric(r, path);
    if (!v) continue;
    if (direction != metric_direction::neither) {
      const bool lower = direction == metric_direction::lower_is_better;
      if (worst.is_null() || (lower ? *v > worst.get<double>() : *v < worst.get<double>())) {
        worst = *v;
        worst_seed = r.value("seed", json());
      }
    }
    values.push_back(*v);
    sum += *v;
  }
  json out = {{"count", values.size()}, {"better", direction_name(direction)}};
  if (values.empty()) {
    for (const char* key : {"mean", "p5", "p50", "p95", "min", "max", "worst", "worst_seed"}) out[key] = nullptr;
    return out;
  }
  std::sort(values.begin(), values.end());
  out["mean"] = number(sum / static_cast<double>(values.size()));
  out["p5"] = number(nearest_rank(values, 5));
  out["p50"] = number(nearest_rank(values, 50));
  out["p95"] = number(nearest_rank(values, 95));
  out["min"] = number(values.front());
  out["max"] = number(values.back());
  out["worst"] = worst.is_null() ? json(nullptr) : number(worst.get<double>());
  out["worst_seed"] = worst_seed;
  return out;
}

// Every metric path to summarise over `reports`: known_metrics(), then the shadow candidates' metrics of each
// report (candidates.<name>.<field>) in the order first seen; seeds of one scenario all have the same ones.
std::vector<std::string> metric_paths(const std::vector<json>& reports) {
  std::vector<std::string> paths = known_metrics();
  std::set<std::string> seen;
  for (const json& r : reports) {
    for (std::string& path : candidate_metric_paths(r)) {
      if (seen.insert(path).second) paths.push_back(std::move(path));
    }
  }
  return paths;
}

bool has_checker_errors(const json& report) {
  return report.contains("checker_errors") && !report["checker_errors"].empty();
}

// The gate expressions of a report that failed (known value) or are unknown.
json gate_exprs(const json& report, bool unknown) {
  json out = json::array();
  const json& gates = detail::at_path(report, "gates");
  if (!gates.is_array()) return out;
  for (const auto& g : gates) {
    const bool is_unknown = gate_is_unknown(g);
    if (unknown ? is_unknown : !is_unknown && !g.value("passed", false)) out.push_back(g.value("expr", json()));
  }
  return out;
}

// Seeds that did not pass (a gate failed or was unknown, or a checker failed), and, for a scenario that expects
// to fail, the seeds that passed.
void list_seeds(const std::vector<json>& reports, const std::string& expect, json& out) {
  json failing = json::array(), unexpected = json::array();
  for (const json& r : reports) {
    std::string verdict = r.value("verdict", std::string("unknown"));
    if (has_checker_errors(r)) verdict = "unknown";
    if (verdict == "pass") {
      if (expect == "fail") unexpected.push_back({{"seed", r.value("seed", json())}, {"repro", r.value("repro", json())}});
      continue;
    }
    failing.push_back({{"seed", r.value("seed", json())},
                       {"verdict", verdict == "fail" ? verdict : std::string("unknown")},
                       {"failed_gates", gate_exprs(r, false)},
                       {"unknown_gates", gate_exprs(r, true)},
                       {"repro", r.value("repro", json())}});
  }
  out["failing_seeds"] = std::move(failing);
  out["unexpected_passes"] = std::move(unexpected);
}

int failed_gates(const json& report) {
  int n = 0;
  const json& gates = detail::at_path(report, "gates");
  if (!gates.is_array()) return 0;
  for (const auto& g : gates) {
    if (!gate_is_unknown(g) && !g.value("passed", false)) ++n;
  }
  return n;
}

double goodput_or_lowest(const json& report) {
  const auto v = lookup_metric(report, "goodput.ratio");
  return v ? *v : -std::numeric_limits<double>::infinity();
}

json gate_shares(const std::vector<json>& reports) {
  struct tally {
    std::string expr;
    std::uint64_t passed = 0, failed = 0, unknown = 0;
  };
  std::vector<tally> tallies;
  for (const json& r : reports) {
    const json& gates = detail::at_path(r, "gates");
    if (!gates.is_array()) continue;
    for (const auto& g : gates) {
      const std::string expr = g.value("expr", std::string());
      auto it = std::find_if(tallies.begin(), tallies.end(), [&](const tally& t) { return t.expr == expr; });
      if (it == tallies.end()) it = tallies.insert(tallies.end(), tally{expr});
      if (gate_is_unknown(g)) {
        ++it->unknown;
      } else if (g.value("passed", false)) {
        ++it->passed;
      } else {
        ++it->failed;
      }
    }
  }
  json out = json::array();
  for (const tally& t : tallies) {
    const std::uint64_t n = t.passed + t.failed + t.unknown;
    const char* stability = t.passed == n ? "stable" : t.passed == 0 ? "failing" : "flaky";
    out.push_back({{"expr", t.expr},
                   {"passed", t.passed},
                   {"failed", t.failed},
                   {"unknown", t.unknown},
                   {"pass_share", ratio(static_cast<double>(t.passed), static_cast<double>(n))},
                   {"stability", stability}});
  }
  return out;
}

}  // namespace

double nearest_rank(const std::vector<double>& sorted, int percent) {
  if (sorted.empty() || percent <= 0 || percent > 100) throw std::invalid_argument("nearest_rank: no such rank");
  const std::size_t n = sorted.size();
  const std::size_t rank = (static_cast<std::size_t>(percent) * n + 99) / 100;  // ceil(percent · n / 100) ≥ 1
  return sorted[rank - 1];
}

json seed_digest(const json& report) {
  json digest = json::object();
  if (!report.is_object()) return digest;
  for (const char* key : {"scenario", "seed", "repro", "verdict", "expect", "gates", "checker_errors"}) {
    if (const auto it = report.find(key); it != report.end()) digest[key] = *it;
  }
  std::vector<std::string> paths = known_metrics();
  for (std::string& path : candidate_metric_paths(report)) paths.push_back(std::move(path));
  for (const std::string& path : paths) {
    const json& v = detail::at_path(report, path);
    if (!v.is_number() && !v.is_boolean()) continue;
    std::string pointer = "/" + path;  // metric paths have no '/' or '~' to escape
    std::replace(pointer.begin(), pointer.end(), '.', '/');
    digest[json::json_pointer(pointer)] = v;
  }
  return digest;
}

metric_direction direction_of(const std::string& path) {
  static const std::set<std::string> higher = {
      "goodput.ratio", "goodput.pre_fault_ratio", "requests.succeeded", "latency_ms.count", "recovery.recovered",
      "recovery.pre_fault_goodput"};
  static const std::set<std::string> neither = {
      "requests.originals", "retry_amplification.window_s", "recovery.last_fault_end_s",
      "duplicates.effects_applied", "duplicates.deliveries", "duplicates.fencing_rejections",
      "duplicates.idempotency_skips"};
  if (higher.count(path) != 0) return metric_direction::higher_is_better;
  if (neither.count(path) != 0) return metric_direction::neither;
  if (path.rfind("candidates.", 0) == 0) return candidate_direction(path);
  return metric_direction::lower_is_better;
}

std::vector<std::string> candidate_metric_paths(const json& report) {
  std::vector<history::candidate_info> infos;
  const json& section = detail::at_path(report, "candidates");
  if (!section.is_object()) return {};
  for (const auto& [name, c] : section.items()) {
    if (!c.is_object()) continue;  // "note"
    history::candidate_info info;
    info.name = name;
    info.breaker = c.contains("breaker") && c["breaker"].is_object();
    info.budget = c.contains("budget") && c["budget"].is_object();
    infos.push_back(std::move(info));
  }
  // In the order of the candidates' `index` (report.json's object keys are sorted by name).
  std::stable_sort(infos.begin(), infos.end(), [&](const auto& a, const auto& b) {
    return section[a.name].value("index", 0) < section[b.name].value("index", 0);
  });
  return candidate_metrics(infos);
}

json aggregate_seeds(const std::vector<json>& reports) {
  json out;
  out["scenario"] = reports.empty() ? json(nullptr) : reports.front().value("scenario", json());
  out["runs"] = reports.size();
  json seeds = json::array();
  json verdicts = {{"pass", 0}, {"fail", 0}, {"unknown", 0}};
  for (const json& r : reports) {
    seeds.push_back(r.value("seed", json()));
    std::string v = r.value("verdict", std::string("unknown"));
    if (v != "pass" && v != "fail") v = "unknown";
    verdicts[v] = verdicts[v].get<int>() + 1;
  }
  out["seeds"] = std::move(seeds);
  out["verdicts"] = std::move(verdicts);

  json metrics = json::object();
  for (const std::string& path : metric_paths(reports)) metrics[path] = metric_summary(reports, path);
  out["metrics"] = std::move(metrics);
  out["gates"] = gate_shares(reports);
  const std::string expect = reports.empty() ? std::string("pass") : reports.front().value("expect", std::string("pass"));
  out["expect"] = expect;
  list_seeds(reports, expect, out);

  if (reports.empty()) {
    out["worst"] = nullptr;
    out["worst_repro"] = nullptr;
    return out;
  }
  std::size_t worst = 0;
  for (std::size_t i = 1; i < reports.size(); ++i) {
    const int fi = failed_gates(reports[i]);
    const int fw = failed_gates(reports[worst]);
    if (fi > fw || (fi == fw && goodput_or_lowest(reports[i]) < goodput_or_lowest(reports[worst]))) worst = i;
  }
  const json& w = reports[worst];
  out["worst"] = {{"seed", w.value("seed", json())},
                  {"failed_gates", failed_gates(w)},
                  {"goodput", detail::at_path(w, "goodput.ratio")},
                  {"repro", w.value("repro", json())}};
  out["worst_repro"] = w.value("repro", json());
  return out;
}

std::string render_seeds_markdown(const json& aggregate) {
  using detail::display;
  const json scenario = aggregate.value("scenario", json());
  std::string out = fmt::format("#### {} over {} seeds\n\n",
                                detail::escape_md_cell(scenario.is_string() ? scenario.get<std::string>() : "?"),
                                display(aggregate.value("runs", json())));
  const json verdicts = aggregate.value("verdicts", json::object());
  out += fmt::format("Verdicts: {} pass, {} fail, {} unknown.\n\n", display(verdicts.value("pass", json())),
                     display(verdicts.value("fail", json())), display(verdicts.value("unknown", json())));
  out += "| metric | mean | min | max |\n|---|---|---|---|\n";
  const json metrics = aggregate.value("metrics", json::object());
  for (const char* path : {"goodput.ratio", "retry_amplification.overall", "retry_amplification.window_max",
                           "breaker.flaps_per_hour", "breaker.time_open_s", "latency_ms.p99", "recovery.seconds",
                           "recovery.metastable"}) {
    const json m = metrics.value(path, json::object());
    out += fmt::format("| `{}` | {} | {} | {} |\n", path, display(m.value("mean", json())),
                       display(m.value("min", json())), display(m.value("max", json())));
  }
  const json gates = aggregate.value("gates", json::array());
  if (!gates.empty()) {
    out += "\n| gate | passed | share |\n|---|---|---|\n";
    for (const auto& g : gates) {
      out += fmt::format("| {} | {} / {} | {} |\n", detail::md_code(g.value("expr", std::string())),
                         display(g.value("passed", json())),
                         g.value("passed", 0) + g.value("failed", 0) + g.value("unknown", 0),
                         display(g.value("pass_share", json())));
    }
  }
  const json worst = aggregate.value("worst", json());
  if (worst.is_object()) {
    out += fmt::format("\nWorst seed: {} ({} failed gates, goodput {}). Repro: {}\n", display(worst.value("seed", json())),
                       display(worst.value("failed_gates", json())), display(worst.value("goodput", json())),
                       detail::md_code(display(worst.value("repro", json()))));
  }
  return out;
}

}  // namespace squall::reports
