#pragma once
// tune.json: the scored and ranked candidates of `squall tune`, the recommendation (or the closest candidate),
// the goodput floor, the hold-out result, the verdict and the exit code (docs/tuning.md, "tune.json").
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "runner/tune_score.hpp"

namespace squall::runner {

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
  double goodput_floor = 0;             // --goodput-floor (relative; 0: off)
  std::vector<std::string> gates;
  std::string expect = "pass";
  std::string command;                  // the tune command line (without --jobs/--out/--shard)
};

// tune.json: the setup, every candidate in grid order with its rank, the recommendation (or the closest
// candidate), the goodput floor as applied, the hold-out result, the verdict and exit code. Deterministic bytes.
nlohmann::json tune_json(const tune_setup& setup, const std::vector<candidate_result>& candidates,
                         const std::vector<std::size_t>& ranking, const std::optional<goodput_floor>& floor,
                         const std::optional<holdout_result>& holdout);

// "--set a=1 --set b=2" (shell-quoted): the --set overrides and the candidate's values, pasteable after
// `squall run FILE`.
std::string set_flags(const std::vector<std::string>& base_overrides, const std::vector<std::string>& candidate);

// 0 recommendation found and every hold-out seed passes, 1 none passes or the hold-out fails.
int tune_exit_code(const nlohmann::json& tune);

}  // namespace squall::runner
