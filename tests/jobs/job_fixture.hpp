#pragma once
// Jobs scenarios built in code (the JSON parser has its own tests), run through runner::simulate.
#include <chrono>
#include <cstdint>

#include <nlohmann/json.hpp>

#include "runner/world.hpp"

namespace squall::test {

using namespace std::chrono_literals;

// Three nodes, two workers each, 5 jobs/s for two minutes, ~200 ms jobs, no lock, no idempotency, no faults.
inline runner::scenario jobs_scenario() {
  runner::scenario s;
  s.name = "jobs-test";
  s.run_for = 120s;
  s.workload.enabled = false;
  s.jobs.enabled = true;
  s.jobs.nodes = 3;
  s.jobs.flow.concurrency = 2;
  s.jobs.arrivals.model = sim::arrival_model::poisson;
  s.jobs.arrivals.rate_per_s = 5;
  s.jobs.work = fakes::latency_config{.dist = fakes::latency_dist::lognormal, .median_ms = 200, .sigma = 0.5};
  s.jobs.queue.visibility_timeout = 30s;
  return s;
}

inline stack::lock::lock_config safe_lock(stack::duration ttl = 10s) {
  stack::lock::lock_config c;
  c.key = "lock";
  c.ttl = ttl;
  c.renew = true;
  c.acquire_timeout = 2s;
  return c;
}

inline nlohmann::json run_jobs(const runner::scenario& s, std::uint64_t seed = 1) {
  runner::run_options o;
  o.seed = seed;
  return runner::simulate(s, o).report;
}

inline std::uint64_t duplicated(const nlohmann::json& report) {
  return report.at("duplicates").at("effects_duplicated").get<std::uint64_t>();
}
inline std::uint64_t applied(const nlohmann::json& report) {
  return report.at("duplicates").at("effects_applied").get<std::uint64_t>();
}

inline runner::node_fault fault(runner::node_fault_kind kind, int node, stack::duration from, stack::duration to) {
  runner::node_fault f;
  f.kind = kind;
  f.node = node;
  f.target = node >= 0 ? "n" + std::to_string(node) : "store";
  f.from = from;
  f.to = to;
  return f;
}

}  // namespace squall::test
