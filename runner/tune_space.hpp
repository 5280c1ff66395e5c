#pragma once
// The search space of `squall tune`: --vary parameters, the grid they span, random draws from it, and turning a
// candidate back into --set flags and a JSON snippet to paste into the scenario (docs/tuning.md).
#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace squall::runner {

// One --vary PATH=VALUES: the values in the order given (a range lists them from A to B).
struct tune_param {
  std::string path;                   // as written, e.g. "policy.breaker.open_ms" or "faults[0].rate"
  std::vector<nlohmann::json> values;
};

struct vary_parse {
  std::optional<tune_param> value;
  std::string path;   // the path as far as it was read ("" when there is no '='), for the message
  std::string error;  // set when value is empty: what is wrong and how to write it
  std::string note;   // set when a range over an integer field was rounded: the values it gives, to show the user
};

inline constexpr std::size_t tune_values_max = 1000;       // per --vary
inline constexpr std::uint64_t tune_grid_max = 10000;      // candidates a grid search may have

// Whether the field at a path takes only integers (field_type_at over the scenario, runner/tune_paths.hpp).
using integer_field_test = std::function<bool(const std::string& path)>;

// "PATH=V1,V2,..." (each value JSON, else a string, as --set; commas inside [], {} or "" do not split) or
// "PATH=A..B/N": N evenly spaced numbers from A to B inclusive (N >= 2). For a field that takes integers
// (`integer_field`) A and B must be whole numbers and each value is rounded to the nearest integer (halves away
// from A), repeats dropped, and `note` says so when that changed anything. Otherwise the values are integers
// when A, B and the step (B - A) / (N - 1) are integral, else doubles rounded to 12 significant digits (B exactly).
// Values may not repeat. The path itself is checked later, when a candidate is validated like a --set.
vary_parse parse_vary(const std::string& text, const integer_field_test& integer_field = {});

// The top-level scenario fields --vary may not change (they identify the run rather than configure it).
// Returns the problem, or "" when the path may be varied.
std::string check_vary_path(const std::string& path);

// The value as a --set takes it: compact JSON, except a string that would not read back as JSON is bare.
std::string override_value_text(const nlohmann::json& value);

// The cartesian product of the parameters in grid order: the first --vary changes slowest, the last fastest.
class tune_grid {
 public:
  explicit tune_grid(std::vector<tune_param> params);
  const std::vector<tune_param>& params() const { return params_; }
  // Candidates in the grid, saturating at UINT64_MAX.
  std::uint64_t size() const { return size_; }
  // The value index of each parameter for grid index i (i < size()).
  std::vector<std::size_t> coordinates(std::uint64_t i) const;
  // "path=value" for each parameter of grid index i, in --vary order.
  std::vector<std::string> overrides(std::uint64_t i) const;

 private:
  std::vector<tune_param> params_;
  std::uint64_t size_ = 1;
};

// `count` distinct grid indexes in [0, size), drawn with sim::rng from `seed` (Floyd's algorithm), returned in
// ascending (grid) order. Every index when count >= size.
std::vector<std::uint64_t> draw_candidates(std::uint64_t size, std::uint64_t count, std::uint64_t seed);

// The fragment of `document` (the candidate's effective scenario) that holds the varied paths, to paste over the
// scenario: nested objects down to each varied value; a path through an array copies that whole array.
nlohmann::json snippet_for(const nlohmann::json& document, const std::vector<std::string>& paths);

}  // namespace squall::runner
