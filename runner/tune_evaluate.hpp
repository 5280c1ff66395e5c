#pragma once
// Running and judging a tune plan: the tuning cells on the thread pool, then scoring, the goodput floor, the
// ranking and the recommendation's hold-out, and the files and console summary (docs/tuning.md).
#include <cstddef>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "runner/commands.hpp"
#include "runner/tune_plan.hpp"
#include "runner/tune_score.hpp"

namespace squall::runner {

// Runs the given tuning cells (tune_plan.hpp) on up to cmd.jobs threads; their summaries in the same order, so
// neither --jobs nor the order of completion shows. Throws what a run throws.
std::vector<run_summary> run_cells(const tune_command& cmd, const tune_plan& plan, const std::vector<std::size_t>& cells);

// tune.json from the summaries of every tuning cell (by cell index): scores, the goodput floor, the Pareto
// front, the ranking, and the recommendation run on the hold-out seeds.
nlohmann::json evaluate_tune(const tune_command& cmd, const tune_plan& plan, const std::vector<run_summary>& runs);

// Writes <folder>/tune.{json,md,html} (and --markdown) and, unless quiet, prints the summary. Returns the exit
// code. Throws std::runtime_error on I/O errors.
int publish_tune(const tune_command& cmd, const tune_plan& plan, const nlohmann::json& result);

}  // namespace squall::runner
