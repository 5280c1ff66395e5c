#pragma once
// A parsed, validated scenario (DESIGN.md §3). Produced only by the strict parser in scenario_parser.hpp.
#include <cstdint>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "fakes/http_config.hpp"
#include "sim/arrivals.hpp"
#include "stack/resilience/retry.hpp"

namespace squall::runner {

using stack::duration;

// Arrival processes live with the simulator that runs them.
using sim::arrival_model;
using sim::arrivals_config;
using sim::rate_step;

struct workload_config {
  arrivals_config arrivals;
  int workers = 1;
  std::size_t queue_max = 1'000'000;  // originals waiting for a worker beyond this fail with queue_full
  std::string target;                  // dependency every request calls; optional with one dependency
  std::size_t target_index = 0;
};

struct scenario {
  std::string name;
  std::string description;
  std::uint64_t seed = 1;
  duration run_for{0};                                // duration_s
  workload_config workload;
  std::vector<fakes::dependency_config> dependencies; // in the order of the JSON object's keys (sorted)
  std::vector<fakes::fault_config> faults;
  stack::resilience::policy_config policy;
  std::vector<std::string> gates;
  std::string expect = "pass";                        // "fail": demonstrates a failure; its gates should fail
  double flap_window_s = 60.0;                        // reports.flap_window_s
  nlohmann::json document;                            // the effective scenario after --set overrides
};

}  // namespace squall::runner
