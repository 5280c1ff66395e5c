#include "runner/tune_evaluate.hpp"

#include <cstdio>
#include <optional>

#include "reports/render_tune.hpp"
#include "runner/batch.hpp"
#include "runner/files.hpp"
#include "runner/progress.hpp"
#include "runner/repro.hpp"
#include "runner/world.hpp"

namespace squall::runner {

namespace {

using json = nlohmann::json;

std::vector<std::string> with_base(const tune_command& cmd, const std::vector<std::string>& candidate) {
  std::vector<std::string> all = cmd.overrides;
  all.insert(all.end(), candidate.begin(), candidate.end());
  return all;
}

// Runs `count` jobs; job t simulates candidate c_of(t) on seed seed_of(t). Repros kept only when asked.
template <typename CandidateOf, typename SeedOf>
std::vector<run_summary> run_jobs(const tune_command& cmd, const tune_plan& plan, std::size_t count,
                                  CandidateOf c_of, SeedOf seed_of, std::vector<std::string>* repros) {
  const std::vector<std::string> paths = summary_paths(plan);
  std::vector<run_summary> out(count);
  if (repros != nullptr) repros->assign(count, std::string());
  progress_line progress(!cmd.quiet, count);
  parallel_for(count, cmd.jobs, [&](std::size_t t) {
    const tune_candidate& c = c_of(t);
    run_options o;
    o.seed = seed_of(t);
    o.repro = repro_command(cmd.file, o.seed, with_base(cmd, c.overrides));
    o.progress = [&progress, t](const run_progress& p) { progress.update(t, p); };
    out[t] = summarize_run(simulate(*c.s, o).report, paths, plan.gates.size());
    if (repros != nullptr) (*repros)[t] = std::move(o.repro);
    progress.run_done(t);
  });
  progress.finish();
  return out;
}

std::vector<candidate_result> score_all(const tune_plan& plan, const tune_setup& setup,
                                        const std::vector<run_summary>& runs) {
  std::vector<candidate_result> results(plan.candidates.size());
  for (std::size_t i = 0; i < plan.candidates.size(); ++i) {
    const tune_candidate& c = plan.candidates[i];
    candidate_result& r = results[i];
    r.grid_index = c.grid_index;
    r.overrides = c.overrides;
    const auto coords = plan.grid->coordinates(c.grid_index);
    for (std::size_t k = 0; k < coords.size(); ++k) r.values.push_back(plan.grid->params()[k].values[coords[k]]);
    if (!c.s) r.skipped = c.error;
    if (c.s) r.snippet = snippet_for(c.s->document, setup.params);
  }
  for (std::size_t v = 0; v < plan.valid.size(); ++v) {
    const auto first = runs.begin() + static_cast<std::ptrdiff_t>(v * plan.seeds);
    const std::vector<run_summary> mine(first, first + static_cast<std::ptrdiff_t>(plan.seeds));
    score_candidate(results[plan.valid[v]], mine, plan.gates, plan.objective.has_value());
  }
  return results;
}

}  // namespace

std::vector<run_summary> run_cells(const tune_command& cmd, const tune_plan& plan, const std::vector<std::size_t>& cells) {
  return run_jobs(
      cmd, plan, cells.size(), [&](std::size_t t) -> const tune_candidate& { return cell_candidate(plan, cells[t]); },
      [&](std::size_t t) { return cell_seed(plan, cells[t]); }, nullptr);
}

json evaluate_tune(const tune_command& cmd, const tune_plan& plan, const std::vector<run_summary>& runs) {
  const tune_setup setup = make_setup(cmd, plan);
  std::vector<candidate_result> results = score_all(plan, setup, runs);
  const std::optional<goodput_floor> floor = apply_goodput_floor(results, cmd.goodput_floor);
  mark_pareto(results);
  const std::vector<std::size_t> ranking = rank_candidates(results, plan.objective);

  std::optional<holdout_result> holdout;
  if (!ranking.empty() && results[ranking.front()].passes_all && cmd.holdout > 0) {
    const std::uint64_t first = plan.first_seed + plan.seeds;
    const tune_candidate& chosen = plan.candidates[ranking.front()];
    std::vector<std::string> repros;
    const auto held = run_jobs(
        cmd, plan, static_cast<std::size_t>(cmd.holdout), [&](std::size_t) -> const tune_candidate& { return chosen; },
        [&](std::size_t t) { return first + t; }, &repros);
    holdout = score_holdout(first, held, plan.gates, repros);
  }
  return tune_json(setup, results, ranking, floor, holdout);
}

int publish_tune(const tune_command& cmd, const tune_plan& plan, const json& result) {
  write_file_atomically(plan.folder + "/tune.json", result.dump(2) + "\n");
  const std::string markdown = reports::render_tune_markdown(result);
  write_file_atomically(plan.folder + "/tune.md", markdown);
  write_file_atomically(plan.folder + "/tune.html", reports::render_tune_html(result));
  if (!cmd.markdown_file.empty()) write_file_atomically(cmd.markdown_file, markdown);
  if (!cmd.quiet) {
    std::fputs(reports::render_tune_text(result).c_str(), stdout);
    std::printf("results: %s/tune.{json,md,html}\n", plan.folder.c_str());
  }
  return tune_exit_code(result);
}

}  // namespace squall::runner
