// `squall merge`: the shards of sweeps and tunes, run on several machines, back into each one's results, byte
// for byte as one machine would have written them.
#include <cstdio>
#include <exception>

#include "reports/render_sweep.hpp"
#include "reports/render_tune.hpp"
#include "runner/commands.hpp"
#include "runner/exit_codes.hpp"
#include "runner/files.hpp"
#include "runner/outputs.hpp"
#include "runner/shard.hpp"
#include "runner/tune_evaluate.hpp"
#include "runner/tune_shard.hpp"

namespace squall::runner {

namespace {

// Reads everything the merge needs before it writes anything; prints the problem and returns false (exit 2).
bool read_all(const merge_command& cmd, std::vector<merged_sweep>& sweeps, std::vector<merged_tune>& tunes,
              std::vector<tune_plan>& plans, std::vector<std::vector<run_summary>>& runs) {
  try {
    const found_manifests found = find_manifests(cmd.dirs);
    sweeps = read_shards(found.sweeps);
    tunes = read_tune_shards(found.tunes);
    for (merged_tune& t : tunes) {
      check_scenario_file(t);
      t.cmd.jobs = cmd.jobs;
      t.cmd.out_dir = cmd.out_dir;
      t.cmd.quiet = cmd.quiet;
      tune_plan& plan = plans.emplace_back();
      if (!prepare_tune(t.cmd, plan)) return false;
      runs.push_back(read_tune_runs(t, plan));
    }
    make_directories(cmd.out_dir);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "squall merge: %s\n", e.what());
    return false;
  }
  return output_path_usable("squall merge", "--markdown", cmd.markdown_file);
}

int worse(int a, int b) {
  if (a == exit_internal || b == exit_internal) return exit_internal;
  return a == exit_gate_failed || b == exit_gate_failed ? exit_gate_failed : exit_pass;
}

}  // namespace

int execute(const merge_command& cmd) {
  std::vector<merged_sweep> merged;
  std::vector<merged_tune> tunes;
  std::vector<tune_plan> plans;
  std::vector<std::vector<run_summary>> runs;
  if (!read_all(cmd, merged, tunes, plans, runs)) return exit_invalid;
  try {
    std::vector<nlohmann::json> sweeps;
    std::string markdown;
    for (const merged_sweep& m : merged) {
      sweeps.push_back(sweep_result(m.id, m.reports));
      markdown += (markdown.empty() ? "" : "\n") + reports::render_sweep_markdown(sweeps.back());
    }
    int code = publish_sweeps(cmd.out_dir, "", cmd.quiet, sweeps);
    for (std::size_t i = 0; i < tunes.size(); ++i) {
      const nlohmann::json result = evaluate_tune(tunes[i].cmd, plans[i], runs[i]);
      markdown += (markdown.empty() ? "" : "\n") + reports::render_tune_markdown(result);
      code = worse(code, publish_tune(tunes[i].cmd, plans[i], result));
    }
    if (!cmd.markdown_file.empty()) write_file_atomically(cmd.markdown_file, markdown);
    return code;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "squall merge: %s\n", e.what());
    return exit_internal;
  }
}

}  // namespace squall::runner
