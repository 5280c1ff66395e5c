#include "runner/tune_plan.hpp"

#include <cstdio>
#include <exception>
#include <map>
#include <set>
#include <utility>

#include <fmt/format.h>

#include "runner/files.hpp"
#include "runner/repro.hpp"
#include "runner/scenario_parser.hpp"
#include "runner/tune_paths.hpp"

namespace squall::runner {

namespace {

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

// Overrides apply in order, --set first, and a later one replaces what it overlaps: a --vary that shares a
// field with another --vary or a --set would silently undo it (or be undone), so that is an error.
bool check_overlaps(const tune_command& cmd, const std::vector<tune_param>& params) {
  for (std::size_t i = 0; i < params.size(); ++i) {
    for (std::size_t j = 0; j < i; ++j) {
      if (!paths_overlap(params[i].path, params[j].path)) continue;
      return params[i].path == params[j].path
                 ? reject("--vary {}: varied twice; give all its values in one --vary", params[i].path)
                 : reject("--vary {} and --vary {} change the same field (one contains the other, so one would "
                          "replace the other's values); vary one of them",
                          params[j].path, params[i].path);
    }
    for (const std::string& o : cmd.overrides) {
      if (!paths_overlap(params[i].path, override_path(o))) continue;
      return reject("--set {} and --vary {} change the same field (a --vary value would replace the --set, or "
                    "the other way round); keep one",
                    shell_quote(o), params[i].path);
    }
  }
  return true;
}

// Parses every --vary; a range over a field that takes integers gives integers (its note says how).
bool parse_params(const tune_command& cmd, const scenario& base, std::vector<tune_param>& params,
                  std::vector<std::string>& notes) {
  const integer_field_test integer_field = [&base](const std::string& path) {
    return field_type_at(base.document, path) == spec::field_type::integer;
  };
  for (const std::string& text : cmd.varies) {
    vary_parse p = parse_vary(text, integer_field);
    if (!p.value) return reject("--vary {}: {}", shell_quote(text), p.error);
    if (!p.note.empty()) notes.push_back("--vary " + p.path + "=" + p.note);
    params.push_back(std::move(*p.value));
  }
  return check_overlaps(cmd, params);
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
  if (cmd.search != "random") return reject("--search {}: write grid or random", shell_quote(cmd.search));
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
    if (c.s) plan.valid.push_back(plan.candidates.size());
    plan.candidates.push_back(std::move(c));
  }
  bool ok = true;
  for (const auto& [key, error] : first_error) {
    if (valid_with[key] != 0) continue;
    const tune_param& p = grid.params()[key.first];
    ok = reject("--vary {}={} gives no valid scenario{}:\n  {}", p.path, override_value_text(p.values[key.second]),
                cmd.search == "random" ? " in the drawn candidates" : "", error);
  }
  return ok;
}

bool check_outputs(const tune_command& cmd, tune_plan& plan) {
  if (!cmd.markdown_file.empty()) {
    if (const std::string problem = check_writable(cmd.markdown_file); !problem.empty())
      return reject("--markdown {}: {}", cmd.markdown_file, problem);
  }
  plan.folder = cmd.out_dir + "/" + plan.base.name;
  try {
    make_directories(plan.folder);
  } catch (const std::exception& e) {
    return reject("--out: {}", e.what());
  }
  return true;
}

}  // namespace

bool prepare_tune(const tune_command& cmd, tune_plan& plan) {
  if (is_schema_file(cmd.file)) return reject("{} is the scenario schema, not a scenario", cmd.file);
  if (!cmd.objective.empty()) {
    objective_parse o = parse_objective(cmd.objective);
    if (!o.value) return reject("--objective {}: {}", shell_quote(cmd.objective), o.error);
    plan.objective = std::move(o.value);
  }
  if (!(cmd.goodput_floor >= 0 && cmd.goodput_floor <= 1)) {
    return reject("--goodput-floor {}: write a share from 0 (off) to 1 of the best passing candidate's goodput",
                  cmd.goodput_floor);
  }
  parse_outcome parsed = load_scenario(cmd.file, cmd.overrides);
  if (!parsed.value) {
    std::fputs(format_errors(cmd.file, parsed.errors).c_str(), stderr);
    return false;
  }
  plan.base = std::move(*parsed.value);
  std::vector<tune_param> params;
  if (!parse_params(cmd, plan.base, params, plan.notes)) return false;
  for (const std::string& expr : plan.base.gates) plan.gates.push_back(*reports::parse_gate(expr).value);
  plan.first_seed = cmd.seed.value_or(plan.base.seed);
  plan.seeds = static_cast<std::size_t>(cmd.seeds);
  const auto last = plan.first_seed + static_cast<std::uint64_t>(cmd.seeds + cmd.holdout) - 1;
  if (last > seed_max) return reject("seeds up to {} (tuning and hold-out) would exceed 2^53", last);
  plan.grid.emplace(std::move(params));
  std::vector<std::uint64_t> indexes;
  if (!choose_indexes(cmd, *plan.grid, plan.first_seed, indexes)) return false;
  if (const auto runs = indexes.size() * static_cast<std::uint64_t>(cmd.seeds); runs > tune_runs_max) {
    return reject("{} candidates x {} seeds is {} runs, more than {}; use fewer candidates or seeds", indexes.size(),
                  cmd.seeds, runs, tune_runs_max);
  }
  return build_candidates(cmd, plan, indexes) && check_outputs(cmd, plan);
}

std::size_t cell_count(const tune_plan& plan) { return plan.valid.size() * plan.seeds; }

const tune_candidate& cell_candidate(const tune_plan& plan, std::size_t cell) {
  return plan.candidates[plan.valid[cell / plan.seeds]];
}

std::uint64_t cell_seed(const tune_plan& plan, std::size_t cell) { return plan.first_seed + cell % plan.seeds; }

std::vector<std::string> summary_paths(const tune_plan& plan) {
  std::vector<std::string> paths;
  for (const auto& m : tune_key_metrics()) paths.emplace_back(m.path);
  if (plan.objective) paths.push_back(plan.objective->path);
  return paths;
}

std::string tune_command_line(const tune_command& cmd) {
  std::string line = "squall tune " + shell_quote(cmd.file);
  for (const auto& v : cmd.varies) line += " --vary " + shell_quote(v);
  line += " --seeds " + std::to_string(cmd.seeds);
  if (cmd.seed) line += " --seed " + std::to_string(*cmd.seed);
  if (cmd.search != "grid") line += " --search " + shell_quote(cmd.search);
  if (cmd.budget) line += " --budget " + std::to_string(*cmd.budget);
  if (!cmd.objective.empty()) line += " --objective " + shell_quote(cmd.objective);
  if (cmd.goodput_floor != tune_command{}.goodput_floor) line += fmt::format(" --goodput-floor {}", cmd.goodput_floor);
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
  setup.seeds = plan.seeds;
  setup.holdout_seeds = static_cast<std::size_t>(cmd.holdout);
  setup.objective = plan.objective;
  setup.goodput_floor = cmd.goodput_floor;
  setup.gates = plan.base.gates;
  setup.expect = plan.base.expect;
  setup.command = tune_command_line(cmd);
  return setup;
}

}  // namespace squall::runner
