#pragma once
// Multi-seed aggregation for `squall run --seeds K` and `squall sweep`: the same scenario under K seeds, summarised.
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace squall::reports {

// {
//   "scenario", "runs": K, "seeds": [...], "expect": "pass" | "fail" (the first report's),
//   "verdicts": {"pass": n, "fail": n, "unknown": n},
//   "metrics": {"<known metric path>": {"mean", "p5", "p50", "p95", "min", "max", "count",
//                                       "better", "worst", "worst_seed"}}
//       count = reports with a number there; the statistics are null when count is 0. p5/p50/p95 are
//       nearest-rank percentiles (nearest_rank). better = "lower", "higher" or null (metric_direction);
//       worst = max when lower is better, min when higher is better, null when neither; worst_seed = the first
//       seed (in report order) with the worst value.
//   "gates": [{"expr", "passed", "failed", "unknown", "pass_share", "stability"}]  (in the first report's gate
//       order; stability "stable" = passed in every seed, "failing" = in none, "flaky" = in some)
//   "failing_seeds": [{"seed", "verdict", "failed_gates": [expr...], "unknown_gates": [expr...], "repro"}]
//       every seed whose verdict is not "pass", in report order
//   "unexpected_passes": [{"seed", "repro"}]  with expect "fail": the seeds where every gate passed
//   "worst": {"seed", "failed_gates", "goodput", "repro"}   most failed gates, ties: lowest goodput.ratio (null
//                                                           lowest), then first
//   "worst_repro": the worst seed's repro line
// }
// Every metric path of known_metrics() appears, so the output shape does not depend on the data; so does every
// metric of the reports' shadow candidates (candidate_metric_paths), e.g.
// "candidates.longer-open.breaker.flaps_per_hour".
nlohmann::json aggregate_seeds(const std::vector<nlohmann::json>& reports);

// The metrics of a report's shadow candidates (its `candidates` section), candidates.<name>.<field> in candidate
// order, as reports::candidate_metrics lists them for gates; empty without candidates.
std::vector<std::string> candidate_metric_paths(const nlohmann::json& report);

// The part of a report that aggregate_seeds reads: scenario, seed, repro, verdict, expect, gates, checker_errors
// and every known metric that has a number or boolean. aggregate_seeds gives the same result over digests as over
// the full reports, in a few KiB per seed instead of the whole report (timeline, transitions, example chains).
nlohmann::json seed_digest(const nlohmann::json& report);

// The nearest-rank percentile of ascending `sorted` values (n ≥ 1, 0 < percent ≤ 100): the value at 1-based
// rank ceil(percent · n / 100). Always one of the values, never an interpolation: p50 of {1, 2, 3, 4} is 2.
double nearest_rank(const std::vector<double>& sorted, int percent);

// Which way a metric is better, for "worst": lower unless listed otherwise. Higher: goodput.*, requests.succeeded,
// latency_ms.count, recovery.recovered, recovery.pre_fault_goodput, candidates.<name>.agreement.{breaker,budget}.
// Neither (load, scenario settings or protections at work rather than outcomes): requests.originals,
// retry_amplification.window_s, recovery.last_fault_end_s, duplicates.{effects_applied, deliveries,
// fencing_rejections, idempotency_skips}, candidates.<name>.agreement.{breaker,budget}_decisions.
enum class metric_direction { lower_is_better, higher_is_better, neither };
metric_direction direction_of(const std::string& path);

// A short Markdown summary of aggregate_seeds' output: key metrics, gate pass shares, the worst seed's repro.
std::string render_seeds_markdown(const nlohmann::json& aggregate);

}  // namespace squall::reports
