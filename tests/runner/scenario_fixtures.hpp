#pragma once
// Shared by the scenario parser tests: the DESIGN.md §3 storm-hour scenario and error lookups.
#include <functional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "runner/scenario_parser.hpp"

namespace squall::runner::test {

// DESIGN.md §3, verbatim.
inline const char* const storm_hour = R"({
  "squall": 1,
  "name": "storm-hour",
  "description": "1000 rps through a 64-slot dependency with a 503 storm and a latency spike",
  "seed": 42,
  "duration_s": 3600,
  "workload": {
    "arrivals": { "model": "poisson", "rate_per_s": 1000 },
    "workers": 256
  },
  "dependencies": {
    "api": {
      "capacity": 64,
      "latency": { "dist": "lognormal", "median_ms": 20, "sigma": 0.5 },
      "errors": { "rate": 0.01, "status": 503, "latency_ms": 1 }
    }
  },
  "faults": [
    { "kind": "error_storm", "target": "api", "from_s": 60, "to_s": 120, "rate": 0.8, "status": 503, "latency_ms": 1 },
    { "kind": "latency_spike", "target": "api", "from_s": 180, "to_s": 240, "multiplier": 5 }
  ],
  "policy": {
    "timeout_ms": 200,
    "retry": { "max_attempts": 3, "backoff": { "kind": "full_jitter", "base_ms": 100, "cap_ms": 10000 } },
    "retry_budget": { "model": "cumulative_ratio", "ratio": 0.2 },
    "breaker": { "model": "consecutive", "failure_threshold": 5, "open_ms": 15000, "half_open_calls": 3,
                 "check": "per_request" }
  },
  "gates": [ "retry_amplification.overall < 1.5", "breaker.flaps_per_hour <= 6", "latency_ms.p99 < 800" ]
})";

inline nlohmann::json storm_hour_json() { return nlohmann::json::parse(storm_hour); }

// Parses storm-hour after `change` edits its JSON.
inline parse_outcome parse_changed(const std::function<void(nlohmann::json&)>& change,
                                   const std::vector<std::string>& overrides = {}) {
  nlohmann::json doc = storm_hour_json();
  change(doc);
  return parse_scenario(doc.dump(), overrides);
}

// Whether some error sits at `path` with `message_part` in its message and `hint_part` in its hint.
inline bool has_error(const parse_outcome& out, const std::string& path, const std::string& message_part,
                      const std::string& hint_part = "") {
  for (const scenario_error& e : out.errors) {
    if (e.path == path && e.message.find(message_part) != std::string::npos &&
        e.hint.find(hint_part) != std::string::npos) {
      return true;
    }
  }
  return false;
}

inline std::string shown(const parse_outcome& out) { return format_errors("", out.errors); }

}  // namespace squall::runner::test
