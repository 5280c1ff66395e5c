#pragma once
// Strict scenario parsing: every error is collected with its JSON path and, where possible, a hint.
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "runner/scenario.hpp"

namespace squall::runner {

struct scenario_error {
  std::string path;     // JSON path, e.g. "policy.breaker.open_ms" or "faults[1].kind"; "" for the document
  std::string message;  // what is wrong
  std::string hint;     // how to fix it, may be empty ("did you mean 'rate_per_s'?")
};

struct parse_outcome {
  std::optional<scenario> value;       // set only when errors is empty
  std::vector<scenario_error> errors;
};

// Limits that protect the parser from hostile input.
inline constexpr std::size_t scenario_max_bytes = 1 << 20;  // 1 MiB
inline constexpr int scenario_max_depth = 32;

// Parses scenario text, applies overrides ("dotted.path=value", value parsed as JSON, else a string),
// then validates. Overrides are applied to the JSON document before validation, so they are checked the same way.
parse_outcome parse_scenario(std::string_view text, const std::vector<std::string>& overrides = {});

// Reads a file (rejecting files larger than scenario_max_bytes before reading them) and parses it.
parse_outcome load_scenario(const std::string& file, const std::vector<std::string>& overrides = {});

// "path: message (hint)" lines, one per error.
std::string format_errors(const std::string& file, const std::vector<scenario_error>& errors);

}  // namespace squall::runner
