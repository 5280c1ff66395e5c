// `squall tune`: the scenario under every candidate of a parameter grid (or a random draw from it), the same
// seeds for each, scored on its gates and key metrics; the Pareto front, a recommendation with its hold-out
// check, and tune.{json,md,html} (docs/tuning.md).
#include <algorithm>
#include <cstdio>
#include <exception>
#include <map>
#include <optional>
#include <set>

#include <fmt/format.h>

#include "reports/render_tune.hpp"
#include "runner/batch.hpp"
#include "runner/commands.hpp"
#include "runner/exit_codes.hpp"
#include "runner/files.hpp"
#include "runner/progress.hpp"
#include "runner/repro.hpp"
#include "runner/scenario_parser.hpp"
#include "runner/tune_search.hpp"
#include "runner/tune_space.hpp"
#include "runner/world.hpp"

namespace squall::runner {

namespace {

using json = nlohmann::json;

constexpr std::uint64_t seed_max = std::uint64_t{1} << 53;  // seeds stay exact in JSON
constexpr std::uint64_t tune_runs_max = 1000000;  // a few hundred bytes each stay in memory until scoring

// Prints "squall tune: ..." on stderr and returns false, for the input checks.
template <typename... Args>
bool reject(fmt::format_string<Args...> format, Args&&... args) {
  std::fprintf(stderr, "squall tune: %s\n", fmt::format(format, std::forward<Args>(args)...).c_str());
  return false;
}

// The path part of "path=value".
std::string override_path(const std::string& text) {
  const std::size_t eq = text.find('=');
  std::string path = text.substr(0, eq);
  while (!path.empty() && (path.back() == ' ' || path.back() == '\t')) path.pop_back();
  while (!path.empty() && (path.front() == ' ' || path.front() == '\t')) path.erase(0, 1);
  return path;
}

// A candidate before it runs.
struct tune_candidate {
  std::uint64_t grid_index = 0;
  std::vector<std::string> overrides;  // the varied values only
  std::optional<scenario> s;           // empty when the combination is not a valid scenario
  std::string error;                   // why not
};

struct tune_plan {
  scenario base;
  std::optional<tune_grid> grid;
  std::optional<tune_objective> objective;
  std::vector<reports::gate> gates;
  std::vector<tune_candidate> candidates;
  std::uint64_t first_seed = 0;
  std::string folder;  // out/<scenario>
};

bool parse_params(const tune_command& cmd, std::vector<tune_param>& params) {
  std::set<std::string> paths;
  for (const std::string& text : cmd.varies) {
    vary_parse p = parse_vary(text);
    if (!p.value) return reject("--vary {}: {}", shell_quote(text), p.error);
    if (!paths.insert(p.value->path).second) return reject("--vary {}: {} is varied twice", shell_quote(text), p.value->path);
    params.push_back(std::move(*p.value));
  }
  for (const std::string& o : cmd.overrides) {
    if (paths.count(override_path(o)) != 0) {
      return reject("--set {} and --vary both set {}; keep one (a --vary value would replace the --set)",
                    shell_quote(o), override_path(o));
    }
  }
  return true;
}

// Which grid indexes become candidates.
bool choose_indexes(const tune_command& cmd, const tune_grid& grid, std::uint64_t seed, std::vector<std::uint64_t>& out) {
  if (cmd.search == "grid") {
    if (cmd.budget) return reject("--budget draws candidates for --search random; a grid search runs every candidate");
    if (grid.size() > tune_grid_max) {
      return reject("the grid has {} candidates, more than {}; use fewer values, or --search random --budget N to "
                    "draw N of them",
                    grid.size() == UINT64_MAX ? std::string("over 2^64") : std::to_string(grid.size()), tune_grid_max);
    }
    for (std::uint64_t i = 0; i < grid.size(); ++i) out.push_back(i);
    return true;
  }
  if (cmd.search != "random") return reject("--search {}: write grid or random", cmd.search);
  if (!cmd.budget) return reject("--search random needs --budget N (how many candidates to draw from the grid)");
  if (*cmd.budget < 1 || *cmd.budget > tune_grid_max) return reject("--budget must be from 1 to {}", tune_grid_max);
  out = draw_candidates(grid.size(), *cmd.budget, seed);
  return true;
}

// Validates every candidate like a --set. A value that makes every candidate holding it invalid is an input
// error; a combination that is invalid while its values are each valid elsewhere is skipped.
bool build_candidates(const tune_command& cmd, tune_plan& plan, const std::vector<std::uint64_t>& indexes) {
  const tune_grid& grid = *plan.grid;
  std::map<std::pair<std::size_t, std::size_t>, std::size_t> valid_with;  // (param, value) → valid candidates
  std::map<std::pair<std::size_t, std::size_t>, std::string> first_error;
  for (const std::uint64_t i : indexes) {
    tune_candidate c;
    c.grid_index = i;
    c.overrides = grid.overrides(i);
    std::vector<std::string> all = cmd.overrides;
    all.insert(all.end(), c.overrides.begin(), c.overrides.end());
    parse_outcome parsed = load_scenario(cmd.file, all);
    const auto coords = grid.coordinates(i);
    if (parsed.value) {
      c.s = std::move(parsed.value);
    } else {
      c.error = format_errors("", parsed.errors);
      while (!c.error.empty() && c.error.back() == '\n') c.error.pop_back();
    }
    for (std::size_t k = 0; k < coords.size(); ++k) {
      const auto key = std::pair{k, coords[k]};
      if (c.s) ++valid_with[key];
      if (!c.s && first_error.count(key) == 0) first_error[key] = c.error;
    }
    plan.candidates.push_back(std::move(c));
  }
  bool ok = true;
  for (const auto& [key, error] : first_error) {
    if (valid_with[key] != 0) continue;
    const tune_param& p = grid.params()[key.first];
    ok = reject("--vary {}={} gives no valid scenario:\n  {}", p.path, override_value_text(p.values[key.second]),
                error);
  }
  return ok;
}

bool prepare(const tune_command& cmd, tune_plan& plan) {
  if (is_schema_file(cmd.file)) return reject("{} is the scenario schema, not a scenario", cmd.file);
  std::vector<tune_param> params;
  if (!parse_params(cmd, params)) return false;
  if (!cmd.objective.empty()) {
    objective_parse o = parse_objective(cmd.objective);
    if (!o.value) return reject("--objective {}: {}", shell_quote(cmd.objective), o.error);
    plan.objective = std::move(o.value);
  }
  parse_outcome parsed = load_scenario(cmd.file, cmd.overrides);
  if (!parsed.value) {
    std::fputs(format_errors(cmd.file, parsed.errors).c_str(), stderr);
    return false;
  }
  plan.base = std::move(*parsed.value);
  for (const std::string& expr : plan.base.gates) plan.gates.push_back(*reports::parse_gate(expr).value);
  plan.first_seed = cmd.seed.value_or(plan.base.seed);
  const auto last = plan.first_seed + static_cast<std::uint64_t>(cmd.seeds + cmd.holdout) - 1;
  if (last > seed_max) return reject("seeds up to {} (tuning and hold-out) would exceed 2^53", last);
  plan.grid.emplace(std::move(params));
  std::vector<std::uint64_t> indexes;
  if (!choose_indexes(cmd, *plan.grid, plan.first_seed, indexes)) return false;
  if (const auto runs = indexes.size() * static_cast<std::uint64_t>(cmd.seeds); runs > tune_runs_max) {
    return reject("{} candidates x {} seeds is {} runs, more than {}; use fewer candidates or seeds", indexes.size(),
                  cmd.seeds, runs, tune_runs_max);
  }
  if (!build_candidates(cmd, plan, indexes)) return false;
  plan.folder = cmd.out_dir + "/" + plan.base.name;
  try {
    make_directories(plan.folder);
  } catch (const std::exception& e) {
    return reject("--out: {}", e.what());
  }
  if (!cmd.markdown_file.empty()) {
    if (const std::string problem = check_writable(cmd.markdown_file); !problem.empty())
      return reject("--markdown {}: {}", cmd.markdown_file, problem);
  }
  return true;
}

std::vector<std::string> summary_paths(const tune_plan& plan) {
  std::vector<std::string> paths;
  for (const auto& m : tune_key_metrics()) paths.emplace_back(m.path);
  if (plan.objective) paths.push_back(plan.objective->path);
  return paths;
}

std::vector<std::string> with_base(const tune_command& cmd, const std::vector<std::string>& candidate) {
  std::vector<std::string> all = cmd.overrides;
  all.insert(all.end(), candidate.begin(), candidate.end());
  return all;
}

// Runs `seeds` consecutive seeds from `first` of each given candidate on the thread pool; summaries by
// candidate-major index, so neither --jobs nor the order of completion shows.
std::vector<run_summary> run_all(const tune_command& cmd, const tune_plan& plan, const std::vector<std::size_t>& which,
                                 std::uint64_t first, std::size_t seeds, std::vector<std::string>* repros) {
  const std::vector<std::string> paths = summary_paths(plan);
  const std::size_t total = which.size() * seeds;
  std::vector<run_summary> out(total);
  if (repros != nullptr) repros->assign(total, std::string());
  progress_line progress(!cmd.quiet, total);
  parallel_for(total, cmd.jobs, [&](std::size_t t) {
    const tune_candidate& c = plan.candidates[which[t / seeds]];
    run_options o;
    o.seed = first + t % seeds;
    o.repro = repro_command(cmd.file, o.seed, with_base(cmd, c.overrides));
    o.progress = [&progress, t](const run_progress& p) { progress.update(t, p); };
    out[t] = summarize_run(simulate(*c.s, o).report, paths, plan.gates.size());
    if (repros != nullptr) (*repros)[t] = o.repro;
    progress.run_done(t);
  });
  progress.finish();
  return out;
}

std::string tune_command_line(const tune_command& cmd) {
  std::string line = "squall tune " + shell_quote(cmd.file);
  for (const auto& v : cmd.varies) line += " --vary " + shell_quote(v);
  line += " --seeds " + std::to_string(cmd.seeds);
  if (cmd.seed) line += " --seed " + std::to_string(*cmd.seed);
  if (cmd.search != "grid") line += " --search " + cmd.search;
  if (cmd.budget) line += " --budget " + std::to_string(*cmd.budget);
  if (!cmd.objective.empty()) line += " --objective " + shell_quote(cmd.objective);
  line += " --holdout " + std::to_string(cmd.holdout);
  for (const auto& o : cmd.overrides) line += " --set " + shell_quote(o);
  return line;
}

tune_setup make_setup(const tune_command& cmd, const tune_plan& plan) {
  tune_setup setup;
  setup.scenario = plan.base.name;
  setup.file = cmd.file;
  setup.overrides = cmd.overrides;
  for (const auto& p : plan.grid->params()) {
    setup.params.push_back(p.path);
    setup.param_values.push_back(p.values);
  }
  setup.search = cmd.search;
  setup.grid_size = plan.grid->size();
  setup.budget = cmd.budget;
  setup.first_seed = plan.first_seed;
  setup.seeds = static_cast<std::size_t>(cmd.seeds);
  setup.holdout_seeds = static_cast<std::size_t>(cmd.holdout);
  setup.objective = plan.objective;
  setup.gates = plan.base.gates;
  setup.expect = plan.base.expect;
  setup.command = tune_command_line(cmd);
  return setup;
}

// Every candidate over the tuning seeds, scored, ranked; then the recommendation on the hold-out seeds.
json evaluate(const tune_command& cmd, const tune_plan& plan) {
  std::vector<std::size_t> valid;
  for (std::size_t i = 0; i < plan.candidates.size(); ++i)
    if (plan.candidates[i].s) valid.push_back(i);
  const auto seeds = static_cast<std::size_t>(cmd.seeds);
  const std::vector<run_summary> runs = run_all(cmd, plan, valid, plan.first_seed, seeds, nullptr);

  const tune_setup setup = make_setup(cmd, plan);
  std::vector<candidate_result> results(plan.candidates.size());
  for (std::size_t i = 0; i < plan.candidates.size(); ++i) {
    const tune_candidate& c = plan.candidates[i];
    candidate_result& r = results[i];
    r.grid_index = c.grid_index;
    r.overrides = c.overrides;
    const auto coords = plan.grid->coordinates(c.grid_index);
    for (std::size_t k = 0; k < coords.size(); ++k) r.values.push_back(plan.grid->params()[k].values[coords[k]]);
    if (!c.s) {
      r.skipped = c.error;
      continue;
    }
    r.snippet = snippet_for(c.s->document, setup.params);
  }
  for (std::size_t v = 0; v < valid.size(); ++v) {
    const std::vector<run_summary> mine(runs.begin() + static_cast<std::ptrdiff_t>(v * seeds),
                                        runs.begin() + static_cast<std::ptrdiff_t>((v + 1) * seeds));
    score_candidate(results[valid[v]], mine, plan.gates, plan.objective.has_value());
  }
  mark_pareto(results);
  const std::vector<std::size_t> ranking = rank_candidates(results, plan.objective);

  std::optional<holdout_result> holdout;
  if (!ranking.empty() && results[ranking.front()].passes_all && cmd.holdout > 0) {
    const std::uint64_t first = plan.first_seed + seeds;
    std::vector<std::string> repros;
    const auto held = run_all(cmd, plan, {ranking.front()}, first, static_cast<std::size_t>(cmd.holdout), &repros);
    holdout = score_holdout(first, held, plan.gates, repros);
  }
  return tune_json(setup, results, ranking, holdout);
}

}  // namespace

int execute(const tune_command& cmd) {
  tune_plan plan;
  if (!prepare(cmd, plan)) return exit_invalid;
  if (std::none_of(plan.candidates.begin(), plan.candidates.end(), [](const tune_candidate& c) { return c.s.has_value(); })) {
    std::fprintf(stderr, "squall tune: no candidate is a valid scenario; the first one:\n  %s\n",
                 plan.candidates.front().error.c_str());
    return exit_invalid;
  }
  json result;
  try {
    result = evaluate(cmd, plan);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "squall tune: internal error: %s (no results written)\n", e.what());
    return exit_internal;
  }
  try {
    write_file_atomically(plan.folder + "/tune.json", result.dump(2) + "\n");
    const std::string markdown = reports::render_tune_markdown(result);
    write_file_atomically(plan.folder + "/tune.md", markdown);
    write_file_atomically(plan.folder + "/tune.html", reports::render_tune_html(result));
    if (!cmd.markdown_file.empty()) write_file_atomically(cmd.markdown_file, markdown);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "squall tune: %s\n", e.what());
    return exit_internal;
  }
  if (!cmd.quiet) {
    std::fputs(reports::render_tune_text(result).c_str(), stdout);
    std::printf("results: %s/tune.{json,md,html}\n", plan.folder.c_str());
  }
  return tune_exit_code(result);
}

}  // namespace squall::runner
