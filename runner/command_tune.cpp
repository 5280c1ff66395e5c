// `squall tune`: the scenario under every candidate of a parameter grid (or a random draw from it), the same
// seeds for each, scored on its gates and key metrics; the Pareto front, a recommendation with its hold-out
// check, and tune.{json,md,html} (docs/tuning.md). With --shard i/N, only a share of the runs, for `squall merge`.
#include <cstdio>
#include <exception>
#include <optional>

#include "runner/commands.hpp"
#include "runner/exit_codes.hpp"
#include "runner/tune_evaluate.hpp"
#include "runner/tune_plan.hpp"
#include "runner/tune_shard.hpp"

namespace squall::runner {

namespace {

// A shard runs its cells and leaves their summaries: the verdict needs every cell, so it is the merge's.
int run_shard(const tune_command& cmd, const tune_plan& plan, const shard_spec& shard) {
  start_tune_shard(plan, shard);
  const std::vector<std::size_t> cells = shard_cells(cell_count(plan), shard);
  const std::vector<run_summary> runs = run_cells(cmd, plan, cells);
  const std::string manifest = write_tune_shard(cmd, plan, shard, cells, runs);
  if (!cmd.quiet) {
    std::printf("tune shard %s of '%s': %zu of %zu runs; wrote %s\n", shard.text().c_str(), plan.base.name.c_str(),
                cells.size(), cell_count(plan), manifest.c_str());
    std::printf("when every shard is done: squall merge <their --out folders> --out DIR (it runs the hold-out)\n");
  }
  return exit_pass;
}

std::optional<shard_spec> parse_shard_option(const tune_command& cmd, bool& ok) {
  ok = true;
  if (cmd.shard.empty()) return std::nullopt;
  std::string error;
  auto shard = parse_shard(cmd.shard, error);
  if (!shard) {
    std::fprintf(stderr, "squall tune: --shard %s: %s\n", cmd.shard.c_str(), error.c_str());
  } else if (!cmd.markdown_file.empty()) {
    std::fprintf(stderr, "squall tune: --markdown: a shard has only part of the runs; write the Markdown with "
                         "`squall merge ... --markdown FILE`\n");
    shard.reset();
  }
  ok = shard.has_value();
  return shard;
}

}  // namespace

int execute(const tune_command& cmd) {
  bool shard_ok = true;
  const std::optional<shard_spec> shard = parse_shard_option(cmd, shard_ok);
  tune_plan plan;
  if (!shard_ok || !prepare_tune(cmd, plan)) return exit_invalid;
  for (const std::string& note : plan.notes) std::fprintf(stderr, "squall tune: note: %s\n", note.c_str());
  try {
    if (shard) return run_shard(cmd, plan, *shard);
    return publish_tune(cmd, plan, evaluate_tune(cmd, plan, run_cells(cmd, plan, shard_cells(cell_count(plan), {}))));
  } catch (const std::exception& e) {
    std::fprintf(stderr, "squall tune: internal error: %s\n", e.what());
    return exit_internal;
  }
}

}  // namespace squall::runner
