#pragma once
// Scoring `squall tune` candidates: what one run contributes, per-candidate statistics over the tuning seeds,
// gate margins, the Pareto front, the ranking and recommendation, and tune.json (docs/tuning.md).
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "reports/gates.hpp"

namespace squall::runner {

// The metrics every candidate is scored on, in table order; the Pareto front is taken over them.
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
  std::vector<std::optional<double>> metrics;  // by the metric paths given to summarize_run
  std::vector<std::optional<double>> gate_values;  // by the scenario's gate order
  std::vector<char> gate_passed;
  std::vector<char> gate_unknown;
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
};

// Folds the per-seed summaries (metric_paths = tune_key_metrics() paths, then the objective's if given).
void score_candidate(candidate_result& c, const std::vector<run_summary>& seeds,
                     const std::vector<reports::gate>& gates, bool has_objective);

// Marks the Pareto front over the key metrics' means (skipped candidates are never on it).
void mark_pareto(std::vector<candidate_result>& candidates);

// Candidate positions best first: passing every gate in every seed, more seeds passing every gate, larger margin,
// better objective (when given), then grid order; skipped candidates last.
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

// Everything tune.json records besides the candidates.
struct tune_setup {
  std::string scenario;
  std::string file;
  std::vector<std::string> overrides;   // --set, applied to every candidate before the varied values
  std::vector<std::string> params;      // varied paths
  std::vector<std::vector<nlohmann::json>> param_values;
  std::string search = "grid";
  std::uint64_t grid_size = 0;
  std::optional<std::uint64_t> budget;
  std::uint64_t first_seed = 0;
  std::size_t seeds = 0;
  std::size_t holdout_seeds = 0;
  std::optional<tune_objective> objective;
  std::vector<std::string> gates;
  std::string expect = "pass";
  std::string command;                  // the tune command line (without --jobs/--out)
};

// tune.json: the setup, every candidate in grid order with its rank, the recommendation (or the closest
// candidate), the hold-out result, the verdict and exit code. Deterministic bytes for a given setup.
nlohmann::json tune_json(const tune_setup& setup, const std::vector<candidate_result>& candidates,
                         const std::vector<std::size_t>& ranking, const std::optional<holdout_result>& holdout);

// "--set a=1 --set b=2" (shell-quoted): the --set overrides and the candidate's values, pasteable after
// `squall run FILE`.
std::string set_flags(const std::vector<std::string>& base_overrides, const std::vector<std::string>& candidate);

// 0 recommendation found and every hold-out seed passes, 1 none passes or the hold-out fails.
int tune_exit_code(const nlohmann::json& tune);

}  // namespace squall::runner
