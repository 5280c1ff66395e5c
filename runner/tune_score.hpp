#pragma once
// Scoring `squall tune` candidates: what one run contributes, per-candidate statistics over the tuning seeds,
// gate margins, the goodput floor, the Pareto front, the ranking and the hold-out (docs/tuning.md).
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "reports/gates.hpp"

namespace squall::runner {

// The metrics every candidate is scored on, in table order; the Pareto front is taken over them. The first is
// goodput.ratio, which the goodput floor reads.
struct tune_metric {
  const char* path;
  const char* label;  // short column header with its unit
  bool maximize;
};
const std::vector<tune_metric>& tune_key_metrics();

// --objective "max PATH" or "min PATH" over a report metric, compared on its mean over the tuning seeds.
struct tune_objective {
  std::string expr;  // as written
  std::string path;
  bool maximize = true;
};
struct objective_parse {
  std::optional<tune_objective> value;
  std::string error;
};
objective_parse parse_objective(const std::string& text);

// The part of one run's report a candidate keeps (a report is dropped as soon as its run ends).
struct run_summary {
  std::vector<std::optional<double>> metrics;      // by the metric paths given to summarize_run
  std::vector<std::optional<double>> gate_values;  // by the scenario's gate order
  std::vector<char> gate_passed;
  std::vector<char> gate_unknown;
  bool operator==(const run_summary&) const = default;
};
run_summary summarize_run(const nlohmann::json& report, const std::vector<std::string>& metric_paths,
                          std::size_t gates);

// How far `value` is from the gate's threshold T on the passing side, relative to |T| (to 1 when T is 0):
// (T - v) / s for < and <=, (v - T) / s for > and >=, |v - T| / s for !=, and for == 0 when equal, else
// -|v - T| / s. Negative on the failing side; -infinity without a value. Rounded to 6 significant digits.
double gate_margin(const reports::gate& g, std::optional<double> value);

struct metric_stats {
  std::optional<double> mean;   // over the seeds with a value
  std::optional<double> worst;  // lowest for a maximised metric, highest otherwise
  std::size_t count = 0;        // seeds with a value
};

struct gate_stats {
  std::size_t passed = 0, failed = 0, unknown = 0;
  std::optional<double> worst_value;  // the value of the seed with the least margin
  double margin = 0;                  // least margin over the seeds (gate_margin)
};

struct candidate_result {
  std::uint64_t grid_index = 0;
  std::vector<std::string> overrides;  // "path=value" for each varied parameter
  std::vector<nlohmann::json> values;  // each varied parameter's value
  std::string skipped;                 // why this combination is not a valid scenario ("" when it ran)
  nlohmann::json snippet;              // the varied fields as scenario JSON

  std::size_t seeds = 0;
  std::size_t seeds_passing = 0;       // seeds in which every gate passed
  std::vector<metric_stats> metrics;   // by tune_key_metrics()
  std::vector<gate_stats> gates;       // by the scenario's gate order
  bool passes_all = false;             // every gate passed in every seed
  double margin = 0;                   // least gate margin; +infinity without gates, -infinity if none ran
  std::optional<double> objective;     // mean of the --objective metric
  bool pareto = false;
  bool below_goodput_floor = false;    // passes_all, but its mean goodput is under the floor (apply_goodput_floor)
};

// Folds the per-seed summaries (metric_paths = tune_key_metrics() paths, then the objective's if given).
void score_candidate(candidate_result& c, const std::vector<run_summary>& seeds,
                     const std::vector<reports::gate>& gates, bool has_objective);

// The goodput floor: a candidate that passes every gate is recommended only when its mean goodput is at least
// `relative` × the best mean goodput among the candidates that pass every gate, so that a breaker that passes
// the gates by staying open (and shedding most requests) is not the answer. `relative` 0 turns it off.
struct goodput_floor {
  double relative = 0;
  std::size_t best = 0;  // the passing candidate with the best mean goodput (its position)
  double best_goodput = 0;
  double floor = 0;      // relative × best_goodput
  std::size_t below = 0; // passing candidates under the floor
};
// Marks candidates below the floor; nothing when the floor is off or no passing candidate has a goodput.
std::optional<goodput_floor> apply_goodput_floor(std::vector<candidate_result>& candidates, double relative);

// Marks the Pareto front over the key metrics' means (skipped candidates are never on it).
void mark_pareto(std::vector<candidate_result>& candidates);

// Candidate positions best first: valid, passing every gate in every seed, not below the goodput floor, more
// seeds passing every gate, larger margin, better objective (when given), then grid order.
std::vector<std::size_t> rank_candidates(const std::vector<candidate_result>& candidates,
                                         const std::optional<tune_objective>& objective);

// The hold-out re-run of the recommendation on fresh seeds.
struct holdout_result {
  std::uint64_t first_seed = 0;
  std::size_t seeds = 0;
  std::size_t passed = 0;                 // seeds in which every gate passed
  std::vector<gate_stats> gates;
  std::vector<std::uint64_t> failing_seeds;
  std::vector<std::string> failing_repros;  // first 20
};
holdout_result score_holdout(std::uint64_t first_seed, const std::vector<run_summary>& seeds,
                             const std::vector<reports::gate>& gates, const std::vector<std::string>& repros);

}  // namespace squall::runner
