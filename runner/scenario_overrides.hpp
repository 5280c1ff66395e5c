#pragma once
// "--set path=value" overrides, applied to the scenario's JSON before validation so that they are checked
// exactly like the file (an override that introduces a typo'd key gets the same unknown-key error).
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "runner/scenario_errors.hpp"

namespace squall::runner {

// Path: dot-separated object keys; "name[2]" or a bare integer segment ("faults.0.rate") indexes an array
// (a bare integer on an object is a key). Missing objects on the way are created; arrays are never grown.
// Value: JSON when it parses as JSON, otherwise the text as a string. Errors name the override.
void apply_overrides(nlohmann::json& document, const std::vector<std::string>& overrides, error_sink& errors);

}  // namespace squall::runner
