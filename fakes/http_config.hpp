#pragma once
// Configuration of a simulated HTTP dependency and of the faults planned against it (DESIGN.md §3).
#include <cstddef>
#include <cstdint>
#include <string>

#include "stack/core/time.hpp"

namespace squall::fakes {

using stack::duration;

enum class latency_dist : std::uint8_t { constant, uniform, exponential, lognormal, normal, pareto };

// Service time distribution. Which fields apply depends on dist:
//   constant: value_ms · uniform: min_ms, max_ms · exponential: mean_ms · lognormal: median_ms, sigma
//   normal: mean_ms, stddev_ms (truncated at 0) · pareto: scale_ms (minimum), shape (alpha)
struct latency_config {
  latency_dist dist = latency_dist::lognormal;
  double value_ms = 0, min_ms = 0, max_ms = 0, mean_ms = 0, median_ms = 20, sigma = 0.5, stddev_ms = 0;
  double scale_ms = 0, shape = 0;
};

// Baseline fast errors: answered after latency_ms, using no capacity.
struct error_config {
  double rate = 0.0;
  int status = 503;
  double latency_ms = 1.0;
};

struct dependency_config {
  std::string name;
  int capacity = 64;                 // requests served at once; excess waits FIFO
  std::size_t queue_max = 100'000;   // waiting requests beyond this are answered 503 at once
  latency_config latency;
  error_config errors;
  std::string url;                   // real mode: where it listens; empty: `run --real` starts a fake server
};

enum class fault_kind : std::uint8_t { error_storm, latency_spike, outage, hang, rate_limit, reset };

// A fault bounded in time, [from, to), against one dependency. Fields by kind:
//   error_storm: rate, status, latency_ms   latency_spike: multiplier and/or add_ms
//   outage: (connection refused)            hang: rate (no answer; the client's timeout ends it)
//   rate_limit: limit_per_s, retry_after_s (429 beyond limit_per_s in each second)
//   reset: rate (connection reset midway through service)
struct fault_config {
  fault_kind kind = fault_kind::error_storm;
  std::string target;
  std::size_t target_index = 0;      // index of target in the scenario's dependency list
  duration from{0};
  duration to{0};
  double rate = 1.0;
  int status = 503;
  double latency_ms = 1.0;
  double multiplier = 1.0;
  double add_ms = 0.0;
  double limit_per_s = 0.0;
  double retry_after_s = 0.0;        // 0: no Retry-After header
};

const char* to_string(fault_kind k);
const char* to_string(latency_dist d);

}  // namespace squall::fakes
