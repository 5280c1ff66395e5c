#pragma once
// Guards between untrusted text and nlohmann::json: size, emptiness and nesting depth are checked before
// parsing, so a 1 MiB "[[[[..." cannot exhaust the stack, and duplicate keys (which JSON parsers silently
// resolve to the last one, hiding a typo'd fault) are reported.
#include <cstddef>
#include <optional>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "runner/scenario_parser.hpp"

namespace squall::runner {

// "the file is empty" / "... limited to 1 MiB" errors for scenario text; empty when the text may be parsed.
std::vector<scenario_error> check_scenario_text(std::string_view text);

// Offset of the first bracket that nests deeper than max_depth, ignoring brackets inside strings.
std::optional<std::size_t> find_too_deep(std::string_view text, int max_depth);

struct strict_parse {
  std::optional<nlohmann::json> value;  // set unless the text is too deep or not JSON
  std::vector<scenario_error> errors;   // paths relative to the parsed value
};

// Parses JSON text no deeper than scenario_max_depth, reporting duplicate keys.
strict_parse parse_strict_json(std::string_view text);

}  // namespace squall::runner
