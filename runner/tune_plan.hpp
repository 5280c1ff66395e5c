#pragma once
// What `squall tune` will run, checked before anything runs: the --vary parameters, the candidates (each a
// scenario validated like a --set), the tuning seeds and the cells (candidate × seed) they make
// (docs/tuning.md). The same plan is built by a whole tune, by each of its shards and by `squall merge`.
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "reports/gates.hpp"
#include "runner/commands.hpp"
#include "runner/scenario.hpp"
#include "runner/tune_result.hpp"
#include "runner/tune_space.hpp"

namespace squall::runner {

// A candidate before it runs.
struct tune_candidate {
  std::uint64_t grid_index = 0;
  std::vector<std::string> overrides;  // the varied values only
  std::optional<scenario> s;           // empty when the combination is not a valid scenario
  std::string error;                   // why not
};

struct tune_plan {
  scenario base;                        // the scenario with the --set overrides
  std::optional<tune_grid> grid;
  std::optional<tune_objective> objective;
  std::vector<reports::gate> gates;
  std::vector<tune_candidate> candidates;
  std::vector<std::size_t> valid;       // positions of the candidates that run
  std::uint64_t first_seed = 0;
  std::size_t seeds = 0;                // tuning seeds per candidate
  std::string folder;                   // <--out>/<scenario>
  std::vector<std::string> notes;       // what the user should know about the values (rounded ranges)
};

// Checks the command and builds every candidate. On bad input prints "squall tune: <problem>" to stderr and
// returns false (exit 2); creates only the output folder.
bool prepare_tune(const tune_command& cmd, tune_plan& plan);

// The tuning runs are the cells 0 .. cell_count - 1, candidate-major: cell k runs valid candidate k / seeds on
// seed first_seed + k % seeds.
std::size_t cell_count(const tune_plan& plan);
const tune_candidate& cell_candidate(const tune_plan& plan, std::size_t cell);
std::uint64_t cell_seed(const tune_plan& plan, std::size_t cell);

// The report metrics a run keeps (tune_key_metrics(), then the objective's).
std::vector<std::string> summary_paths(const tune_plan& plan);

// The tune's command line, without what does not change its results (--jobs, --out, --markdown, --quiet,
// --shard): in tune.json, and what shards must agree on.
std::string tune_command_line(const tune_command& cmd);

tune_setup make_setup(const tune_command& cmd, const tune_plan& plan);

}  // namespace squall::runner
