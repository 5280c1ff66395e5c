#pragma once
// Multi-seed aggregation for `squall run --seeds K`: the same scenario under K seeds, summarised.
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace squall::reports {

// {
//   "scenario", "runs": K, "seeds": [...],
//   "verdicts": {"pass": n, "fail": n, "unknown": n},
//   "metrics": {"<known metric path>": {"mean", "min", "max", "count"}}   (count = reports with a number there;
//                                                                          mean/min/max null when count is 0)
//   "gates": [{"expr", "passed", "failed", "unknown", "pass_share"}]       (in the first report's gate order)
//   "worst": {"seed", "failed_gates", "goodput", "repro"}                   most failed gates, ties: lowest
//                                                                          goodput.ratio (null lowest), then first
//   "worst_repro": the worst seed's repro line
// }
// Every metric path of known_metrics() appears, so the output shape does not depend on the data.
nlohmann::json aggregate_seeds(const std::vector<nlohmann::json>& reports);

// A short Markdown summary of aggregate_seeds' output: key metrics, gate pass shares, the worst seed's repro.
std::string render_seeds_markdown(const nlohmann::json& aggregate);

}  // namespace squall::reports
