#pragma once
// Shared by the scenario parser tests: the DESIGN.md §3 storm-hour scenario and error lookups.
#include <functional>
#include <string>
#include <vector>

#include <catch2/catch.hpp>
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

// Jobs from a queue on three nodes, with a lock, idempotency, a store and node faults; no workload.
inline const char* const jobs_queue = R"({
  "squall": 1,
  "name": "jobs-queue",
  "duration_s": 300,
  "jobs": {
    "nodes": 3,
    "source": "queue",
    "concurrency": 4,
    "arrivals": { "model": "poisson", "rate_per_s": 20 },
    "keys": 500,
    "work": { "dist": "constant", "value_ms": 200 },
    "queue": { "visibility_timeout_ms": 5000, "max_deliveries": 3, "duplicate_rate": 0.01 },
    "lock": { "key": "orders", "ttl_ms": 3000, "renew_every_ms": 1000, "release": "blind", "fencing": true,
              "acquire_timeout_ms": 0, "backoff": { "kind": "equal_jitter", "base_ms": 20, "cap_ms": 500 } },
    "idempotency": { "mode": "claim_first", "ttl_s": 3600 },
    "store": { "persistence": "aof_always", "latency": { "dist": "constant", "value_ms": 1 },
               "command_timeout_ms": 250, "attempts": 5, "clock": { "offset_ms": -20, "drift_ppm": 50 } },
    "requeue_delay_ms": 500,
    "ledger": { "reject_stale_tokens": true },
    "clocks": [ { "offset_ms": 0 }, { "offset_ms": 1500, "drift_ppm": -200 } ]
  },
  "faults": [
    { "kind": "process_pause", "target": "n1", "from_s": 60, "to_s": 75 },
    { "kind": "clock_jump", "target": "n2", "from_s": 100, "jump_ms": -2000 },
    { "kind": "redis_restart", "from_s": 150, "downtime_ms": 1500 },
    { "kind": "worker_crash", "target": "n0", "from_s": 200, "restart_after_s": 10 },
    { "kind": "partition", "target": "n2", "from_s": 220, "to_s": 240 }
  ]
})";

// Cron on two nodes: a lock without renewal, check-then-act idempotency, store faults; defaults elsewhere.
inline const char* const jobs_cron = R"({
  "squall": 1,
  "name": "jobs-cron",
  "duration_s": 3600,
  "jobs": {
    "nodes": 2,
    "source": "cron",
    "cron": { "every_s": 60, "flock": true },
    "work": { "dist": "uniform", "min_ms": 1000, "max_ms": 5000 },
    "lock": { "ttl_ms": 10000, "renew": false, "clock_drift_margin_ms": 100 },
    "idempotency": { "mode": "check_then_act" },
    "clocks": [ { "drift_ppm": 100 } ]
  },
  "faults": [
    { "kind": "clock_skew", "target": "store", "from_s": 600, "offset_ms": 30000, "drift_ppm": -50 },
    { "kind": "redis_unavailable", "from_s": 900, "to_s": 960 },
    { "kind": "worker_crash", "target": "n1", "from_s": 1200 }
  ]
})";

// Parses `base` after `change` edits its JSON.
inline parse_outcome parse_changed_from(const char* base, const std::function<void(nlohmann::json&)>& change,
                                        const std::vector<std::string>& overrides = {}) {
  nlohmann::json doc = nlohmann::json::parse(base);
  change(doc);
  return parse_scenario(doc.dump(), overrides);
}

// Parses storm-hour after `change` edits its JSON.
inline parse_outcome parse_changed(const std::function<void(nlohmann::json&)>& change,
                                   const std::vector<std::string>& overrides = {}) {
  return parse_changed_from(storm_hour, change, overrides);
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

// The scenario of a parse that must succeed (the test stops, showing the errors, if it did not).
inline scenario must_parse(const parse_outcome& out) {
  INFO(shown(out));
  REQUIRE(out.errors.empty());
  REQUIRE(out.value.has_value());
  return *out.value;
}

}  // namespace squall::runner::test
