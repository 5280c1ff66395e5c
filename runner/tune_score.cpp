#include "runner/tune_score.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <string_view>

#include <fmt/format.h>

#include "reports/json_number.hpp"
#include "reports/pareto.hpp"

namespace squall::runner {

namespace {

using json = nlohmann::json;
constexpr double inf = std::numeric_limits<double>::infinity();
constexpr std::size_t repros_max = 20;

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

// Tallies one gate over runs; margin is the least over them.
void add_gate_run(gate_stats& gs, const reports::gate& g, const run_summary& run, std::size_t j) {
  double m = -inf;
  if (run.gate_unknown[j] != 0) {
    ++gs.unknown;
  } else {
    ++(run.gate_passed[j] != 0 ? gs.passed : gs.failed);
    m = gate_margin(g, run.gate_values[j]);
  }
  if (gs.passed + gs.failed + gs.unknown == 1 || m < gs.margin) {
    gs.margin = m;
    gs.worst_value = run.gate_unknown[j] != 0 ? std::nullopt : run.gate_values[j];
  }
}

bool all_gates_passed(const run_summary& run) {
  for (std::size_t j = 0; j < run.gate_passed.size(); ++j)
    if (run.gate_passed[j] == 0 || run.gate_unknown[j] != 0) return false;
  return true;
}

}  // namespace

const std::vector<tune_metric>& tune_key_metrics() {
  static const std::vector<tune_metric> metrics = {
      {"goodput.ratio", "goodput", true},
      {"retry_amplification.overall", "ampl.", false},
      {"breaker.flaps_per_hour", "flaps/h", false},
      {"latency_ms.p99", "p99 ms", false},
      {"duplicates.effects_duplicated", "dups", false},
  };
  return metrics;
}

objective_parse parse_objective(const std::string& text) {
  objective_parse r;
  const std::string_view t = trim(text);
  const std::size_t space = t.find_first_of(" \t");
  const std::string_view word = t.substr(0, space);
  const std::string path = space == std::string_view::npos ? std::string() : std::string(trim(t.substr(space)));
  if ((word != "max" && word != "min") || path.empty()) {
    r.error = "write 'max METRIC' or 'min METRIC', e.g. --objective 'max goodput.ratio' or 'min latency_ms.p99'";
    return r;
  }
  if (!reports::is_known_metric(path)) {
    r.error = fmt::format("'{}' is not a report metric (the metrics gates use, e.g. goodput.ratio, "
                          "retry_amplification.overall, breaker.flaps_per_hour, latency_ms.p99)",
                          path);
    return r;
  }
  r.value = tune_objective{std::string(t), path, word == "max"};
  return r;
}

run_summary summarize_run(const json& report, const std::vector<std::string>& metric_paths, std::size_t gates) {
  run_summary s;
  for (const auto& path : metric_paths) s.metrics.push_back(reports::lookup_metric(report, path));
  s.gate_values.assign(gates, std::nullopt);
  s.gate_passed.assign(gates, 0);
  s.gate_unknown.assign(gates, 1);
  const auto it = report.find("gates");
  if (it == report.end() || !it->is_array()) return s;
  for (std::size_t j = 0; j < gates && j < it->size(); ++j) {
    const json& row = (*it)[j];
    s.gate_unknown[j] = reports::gate_is_unknown(row) ? 1 : 0;
    s.gate_passed[j] = row.value("passed", false) ? 1 : 0;
    if (const auto v = row.find("value"); v != row.end() && v->is_number()) s.gate_values[j] = v->get<double>();
  }
  return s;
}

double gate_margin(const reports::gate& g, std::optional<double> value) {
  if (!value || std::isnan(*value)) return -inf;
  const double v = *value, t = g.threshold;
  const double scale = t == 0 ? 1.0 : std::abs(t);
  double m = 0;
  switch (g.op) {
    case reports::gate_op::lt:
    case reports::gate_op::le: m = (t - v) / scale; break;
    case reports::gate_op::gt:
    case reports::gate_op::ge: m = (v - t) / scale; break;
    case reports::gate_op::ne: m = std::abs(v - t) / scale; break;
    case reports::gate_op::eq: m = v == t ? 0.0 : -std::abs(v - t) / scale; break;
  }
  return std::isfinite(m) ? reports::round_sig6(m) : m;
}

void score_candidate(candidate_result& c, const std::vector<run_summary>& seeds,
                     const std::vector<reports::gate>& gates, bool has_objective) {
  const auto& key = tune_key_metrics();
  c.seeds = seeds.size();
  c.metrics.assign(key.size(), metric_stats{});
  for (std::size_t k = 0; k < key.size(); ++k) {
    double sum = 0;
    metric_stats& m = c.metrics[k];
    for (const run_summary& run : seeds) {
      const auto v = k < run.metrics.size() ? run.metrics[k] : std::nullopt;
      if (!v) continue;
      sum += *v;
      ++m.count;
      if (!m.worst || (key[k].maximize ? *v < *m.worst : *v > *m.worst)) m.worst = v;
    }
    if (m.count > 0) m.mean = sum / static_cast<double>(m.count);
  }
  if (has_objective) {
    double sum = 0;
    std::size_t count = 0;
    for (const run_summary& run : seeds) {
      if (const auto v = key.size() < run.metrics.size() ? run.metrics[key.size()] : std::nullopt) {
        sum += *v;
        ++count;
      }
    }
    c.objective = count > 0 ? std::optional<double>(sum / static_cast<double>(count)) : std::nullopt;
  }
  c.gates.assign(gates.size(), gate_stats{});
  for (std::size_t j = 0; j < gates.size(); ++j)
    for (const run_summary& run : seeds) add_gate_run(c.gates[j], gates[j], run, j);
  c.seeds_passing = static_cast<std::size_t>(std::count_if(seeds.begin(), seeds.end(), all_gates_passed));
  c.passes_all = !seeds.empty() && c.seeds_passing == seeds.size();
  c.margin = seeds.empty() ? -inf : inf;
  for (const gate_stats& gs : c.gates) c.margin = std::min(c.margin, gs.margin);
}

std::optional<goodput_floor> apply_goodput_floor(std::vector<candidate_result>& candidates, double relative) {
  for (candidate_result& c : candidates) c.below_goodput_floor = false;
  if (relative <= 0) return std::nullopt;
  std::optional<goodput_floor> floor;
  for (std::size_t i = 0; i < candidates.size(); ++i) {
    const candidate_result& c = candidates[i];
    const auto goodput = c.metrics.empty() ? std::nullopt : c.metrics.front().mean;
    if (!c.passes_all || !goodput) continue;
    if (!floor || *goodput > floor->best_goodput) floor = goodput_floor{relative, i, *goodput, 0, 0};
  }
  if (!floor) return std::nullopt;
  floor->floor = relative * floor->best_goodput;
  for (candidate_result& c : candidates) {
    if (!c.passes_all) continue;
    const auto goodput = c.metrics.empty() ? std::nullopt : c.metrics.front().mean;
    c.below_goodput_floor = !goodput || *goodput < floor->floor;
    floor->below += c.below_goodput_floor ? 1 : 0;
  }
  return floor;
}

void mark_pareto(std::vector<candidate_result>& candidates) {
  const auto& key = tune_key_metrics();
  std::vector<std::size_t> ran;
  std::vector<std::vector<std::optional<double>>> scores;
  for (std::size_t i = 0; i < candidates.size(); ++i) {
    candidates[i].pareto = false;
    if (!candidates[i].skipped.empty()) continue;
    ran.push_back(i);
    std::vector<std::optional<double>> row;
    for (std::size_t k = 0; k < key.size(); ++k) {
      const auto& m = candidates[i].metrics;
      row.push_back(k < m.size() ? m[k].mean : std::nullopt);
    }
    scores.push_back(std::move(row));
  }
  std::vector<reports::pareto_sense> senses;
  for (const auto& m : key) senses.push_back(m.maximize ? reports::pareto_sense::maximize : reports::pareto_sense::minimize);
  const std::vector<bool> front = reports::pareto_front(scores, senses);
  for (std::size_t r = 0; r < ran.size(); ++r) candidates[ran[r]].pareto = front[r];
}

std::vector<std::size_t> rank_candidates(const std::vector<candidate_result>& candidates,
                                         const std::optional<tune_objective>& objective) {
  std::vector<std::size_t> order(candidates.size());
  for (std::size_t i = 0; i < order.size(); ++i) order[i] = i;
  const auto objective_better = [&](const candidate_result& a, const candidate_result& b) {
    if (!objective || a.objective == b.objective) return false;
    if (!a.objective || !b.objective) return a.objective.has_value();
    return objective->maximize ? *a.objective > *b.objective : *a.objective < *b.objective;
  };
  std::stable_sort(order.begin(), order.end(), [&](std::size_t ia, std::size_t ib) {
    const candidate_result& a = candidates[ia];
    const candidate_result& b = candidates[ib];
    if (a.skipped.empty() != b.skipped.empty()) return a.skipped.empty();
    if (a.passes_all != b.passes_all) return a.passes_all;
    if (a.below_goodput_floor != b.below_goodput_floor) return !a.below_goodput_floor;
    if (a.seeds_passing != b.seeds_passing) return a.seeds_passing > b.seeds_passing;
    if (a.margin != b.margin) return a.margin > b.margin;
    if (objective_better(a, b)) return true;
    if (objective_better(b, a)) return false;
    return ia < ib;
  });
  return order;
}

holdout_result score_holdout(std::uint64_t first_seed, const std::vector<run_summary>& seeds,
                             const std::vector<reports::gate>& gates, const std::vector<std::string>& repros) {
  holdout_result h;
  h.first_seed = first_seed;
  h.seeds = seeds.size();
  h.gates.assign(gates.size(), gate_stats{});
  for (std::size_t s = 0; s < seeds.size(); ++s) {
    for (std::size_t j = 0; j < gates.size(); ++j) add_gate_run(h.gates[j], gates[j], seeds[s], j);
    if (all_gates_passed(seeds[s])) {
      ++h.passed;
    } else {
      h.failing_seeds.push_back(first_seed + s);
      if (h.failing_repros.size() < repros_max && s < repros.size()) h.failing_repros.push_back(repros[s]);
    }
  }
  return h;
}

}  // namespace squall::runner
