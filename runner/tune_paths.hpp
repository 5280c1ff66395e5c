#pragma once
// What `squall tune` needs to know about --set/--vary paths: their segments, whether two of them touch the same
// field, and the type the scenario format gives the field a path leads to (docs/tuning.md).
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "runner/scenario_spec.hpp"

namespace squall::runner {

// The segments of a --set path: "faults[0].rate" → faults, [0], rate; "faults.0.rate" → faults, 0, rate (a bare
// integer indexes an array, as --set reads it). Malformed paths are split as far as they go: the scenario parser
// reports them when a candidate is validated.
std::vector<std::string> path_tokens(const std::string& path);

// True when one path is the other or leads into it ("policy.breaker" and "policy.breaker.open_ms",
// "faults[0]" and "faults.0.rate"): applying both, the later one silently replaces (part of) the earlier.
bool paths_overlap(const std::string& a, const std::string& b);

// The type the scenario format (runner/scenario_spec.hpp) gives the field at `path` in `document` (the
// scenario with its --set overrides), following each object's selector ("model", "kind") to its variant.
// Nothing when the path leads to no field the format knows (a typo, which the parser reports later).
std::optional<spec::field_type> field_type_at(const nlohmann::json& document, const std::string& path);

}  // namespace squall::runner
