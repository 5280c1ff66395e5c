#include "runner/tune_result.hpp"

#include <algorithm>

#include "reports/json_number.hpp"
#include "reports/pareto.hpp"
#include "runner/exit_codes.hpp"
#include "runner/repro.hpp"

namespace squall::runner {

namespace {

using json = nlohmann::json;

json optional_number(const std::optional<double>& v) { return v ? reports::number(*v) : json(nullptr); }

json gate_json(const std::string& expr, const gate_stats& gs) {
  const std::size_t n = gs.passed + gs.failed + gs.unknown;
  return {{"expr", expr},
          {"passed", gs.passed},
          {"failed", gs.failed},
          {"unknown", gs.unknown},
          {"pass_share", reports::ratio(static_cast<double>(gs.passed), static_cast<double>(n))},
          {"worst_value", optional_number(gs.worst_value)},
          {"margin", reports::number(gs.margin)}};
}

// The gate with the least margin ("" without gates).
std::string limiting_gate(const candidate_result& c, const std::vector<std::string>& gates) {
  std::size_t best = gates.size();
  for (std::size_t j = 0; j < c.gates.size() && j < gates.size(); ++j)
    if (best == gates.size() || c.gates[j].margin < c.gates[best].margin) best = j;
  return best == gates.size() ? std::string() : gates[best];
}

json candidate_json(const tune_setup& setup, const candidate_result& c, std::size_t id, std::size_t rank) {
  json values = json::object();
  for (std::size_t k = 0; k < setup.params.size() && k < c.values.size(); ++k) values[setup.params[k]] = c.values[k];
  json out = {{"id", id},
              {"grid_index", c.grid_index},
              {"values", values},
              {"overrides", c.overrides},
              {"set_flags", set_flags(setup.overrides, c.overrides)},
              {"skipped", c.skipped.empty() ? json(nullptr) : json(c.skipped)},
              {"rank", rank}};
  if (!c.skipped.empty()) return out;
  out["pareto"] = c.pareto;
  out["passes_all"] = c.passes_all;
  out["below_goodput_floor"] = c.below_goodput_floor;
  out["seeds"] = c.seeds;
  out["seeds_passing"] = c.seeds_passing;
  out["margin"] = reports::number(c.margin);
  const std::string limiting = limiting_gate(c, setup.gates);
  out["limiting_gate"] = limiting.empty() ? json(nullptr) : json(limiting);
  out["objective"] = setup.objective ? optional_number(c.objective) : json(nullptr);
  json metrics = json::object();
  const auto& key = tune_key_metrics();
  for (std::size_t k = 0; k < key.size() && k < c.metrics.size(); ++k) {
    metrics[key[k].path] = {{"mean", optional_number(c.metrics[k].mean)},
                            {"worst", optional_number(c.metrics[k].worst)},
                            {"count", c.metrics[k].count}};
  }
  out["metrics"] = std::move(metrics);
  json gates = json::array();
  for (std::size_t j = 0; j < c.gates.size() && j < setup.gates.size(); ++j)
    gates.push_back(gate_json(setup.gates[j], c.gates[j]));
  out["gates"] = std::move(gates);
  return out;
}

json choice_json(const tune_setup& setup, const candidate_result& c, std::size_t id) {
  std::string command = "squall run " + shell_quote(setup.file);
  const std::string flags = set_flags(setup.overrides, c.overrides);
  if (!flags.empty()) command += " " + flags;
  const std::string limiting = limiting_gate(c, setup.gates);
  return {{"id", id},
          {"passes_all", c.passes_all},
          {"seeds_passing", c.seeds_passing},
          {"seeds", c.seeds},
          {"margin", reports::number(c.margin)},
          {"limiting_gate", limiting.empty() ? json(nullptr) : json(limiting)},
          {"set_flags", flags},
          {"command", command},
          {"snippet", c.snippet}};
}

}  // namespace

std::string set_flags(const std::vector<std::string>& base_overrides, const std::vector<std::string>& candidate) {
  std::string out;
  for (const auto* list : {&base_overrides, &candidate}) {
    for (const std::string& o : *list) out += (out.empty() ? "--set " : " --set ") + shell_quote(o);
  }
  return out;
}

namespace {

// The key metrics, each marked with whether the Pareto front used it (some candidate has a value).
json metrics_json(const std::vector<candidate_result>& candidates) {
  std::vector<std::vector<std::optional<double>>> scores;
  for (const auto& c : candidates) {
    if (!c.skipped.empty()) continue;
    std::vector<std::optional<double>> row;
    for (const auto& m : c.metrics) row.push_back(m.mean);
    scores.push_back(std::move(row));
  }
  const auto used = reports::pareto_objectives_used(scores, tune_key_metrics().size());
  json metrics = json::array();
  for (std::size_t k = 0; k < tune_key_metrics().size(); ++k) {
    const auto& m = tune_key_metrics()[k];
    metrics.push_back({{"path", m.path},
                       {"label", m.label},
                       {"direction", m.maximize ? "max" : "min"},
                       {"pareto", static_cast<bool>(used[k])}});
  }
  return metrics;
}

json floor_json(const tune_setup& setup, const std::optional<goodput_floor>& floor) {
  if (!floor) {
    return {{"relative", reports::number(setup.goodput_floor)}, {"applied", false}, {"best_id", nullptr},
            {"best_goodput", nullptr}, {"floor", nullptr}, {"below", 0}};
  }
  return {{"relative", reports::number(floor->relative)}, {"applied", true}, {"best_id", floor->best + 1},
          {"best_goodput", reports::number(floor->best_goodput)}, {"floor", reports::number(floor->floor)},
          {"below", floor->below}};
}

json holdout_json(const tune_setup& setup, const holdout_result& holdout) {
  json gates = json::array();
  for (std::size_t j = 0; j < holdout.gates.size() && j < setup.gates.size(); ++j)
    gates.push_back(gate_json(setup.gates[j], holdout.gates[j]));
  return {{"first_seed", holdout.first_seed},
          {"seeds", holdout.seeds},
          {"passed", holdout.passed},
          {"failed", holdout.seeds - holdout.passed},
          {"pass", holdout.passed == holdout.seeds},
          {"gates", std::move(gates)},
          {"failing_seeds", holdout.failing_seeds},
          {"failing_repros", holdout.failing_repros}};
}

}  // namespace

json tune_json(const tune_setup& setup, const std::vector<candidate_result>& candidates,
               const std::vector<std::size_t>& ranking, const std::optional<goodput_floor>& floor,
               const std::optional<holdout_result>& holdout) {
  json out;
  out["schema"] = "squall.tune/1";
  out["scenario"] = setup.scenario;
  out["file"] = setup.file;
  out["command"] = setup.command;
  out["expect"] = setup.expect;
  out["overrides"] = setup.overrides;
  std::size_t skipped = 0;
  for (const auto& c : candidates) skipped += c.skipped.empty() ? 0 : 1;
  out["search"] = {{"kind", setup.search},
                   {"grid_size", setup.grid_size},
                   {"budget", setup.budget ? json(*setup.budget) : json(nullptr)},
                   {"candidates", candidates.size()},
                   {"skipped", skipped}};
  json params = json::array();
  for (std::size_t k = 0; k < setup.params.size(); ++k)
    params.push_back({{"path", setup.params[k]}, {"values", setup.param_values[k]}});
  out["parameters"] = std::move(params);
  out["seeds"] = {{"first", setup.first_seed}, {"count", setup.seeds}};
  out["objective"] = setup.objective ? json{{"expr", setup.objective->expr},
                                            {"metric", setup.objective->path},
                                            {"direction", setup.objective->maximize ? "max" : "min"}}
                                     : json(nullptr);
  out["goodput_floor"] = floor_json(setup, floor);
  out["metrics"] = metrics_json(candidates);
  out["gates"] = setup.gates;

  std::vector<std::size_t> rank_of(candidates.size());
  for (std::size_t r = 0; r < ranking.size(); ++r) rank_of[ranking[r]] = r + 1;
  json list = json::array();
  for (std::size_t i = 0; i < candidates.size(); ++i) list.push_back(candidate_json(setup, candidates[i], i + 1, rank_of[i]));
  out["candidates"] = std::move(list);
  json ranked = json::array();
  for (const std::size_t i : ranking) ranked.push_back(i + 1);
  out["ranking"] = std::move(ranked);

  const bool any_ran = !ranking.empty() && candidates[ranking.front()].skipped.empty();
  const bool found = any_ran && candidates[ranking.front()].passes_all;
  out["recommendation"] = found ? choice_json(setup, candidates[ranking.front()], ranking.front() + 1) : json(nullptr);
  out["closest"] = any_ran && !found ? choice_json(setup, candidates[ranking.front()], ranking.front() + 1) : json(nullptr);

  std::string verdict = found ? "pass" : "no-candidate-passes";
  out["holdout"] = holdout ? holdout_json(setup, *holdout) : json(nullptr);
  if (found && holdout && holdout->passed != holdout->seeds) verdict = "holdout-failed";
  out["holdout_seeds_requested"] = setup.holdout_seeds;
  out["verdict"] = verdict;
  out["exit_code"] = verdict == "pass" ? exit_pass : exit_gate_failed;
  return out;
}

int tune_exit_code(const json& tune) {
  return tune.value("verdict", std::string()) == "pass" ? exit_pass : exit_gate_failed;
}

}  // namespace squall::runner
