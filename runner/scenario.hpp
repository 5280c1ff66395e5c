#pragma once
// A parsed, validated scenario (DESIGN.md §3). Produced only by the strict parser in scenario_parser.hpp.
#include <cstdint>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "fakes/http_config.hpp"
#include "fakes/job_queue.hpp"
#include "fakes/kv_store.hpp"
#include "fakes/ledger.hpp"
#include "sim/arrivals.hpp"
#include "stack/resilience/retry.hpp"
#include "stack/worker/job_config.hpp"
#include "stack/worker/shadow_candidates.hpp"

namespace squall::runner {

using stack::duration;

// Arrival processes live with the simulator that runs them.
using sim::arrival_model;
using sim::arrivals_config;
using sim::rate_step;

struct workload_config {
  bool enabled = true;                 // false when the scenario has no "workload" (a jobs-only scenario)
  arrivals_config arrivals;
  int workers = 1;
  std::size_t queue_max = 1'000'000;  // originals waiting for a worker beyond this fail with queue_full
  std::string target;                  // dependency every request calls; optional with one dependency
  std::size_t target_index = 0;
};

// Worker nodes running jobs (issue 3): "jobs" in the scenario. Nodes are named n0, n1, ...; the KV store is
// "store". The store's persistence, latency and clock live in `store`.
struct jobs_config {
  bool enabled = false;                  // the scenario has a "jobs" section
  int nodes = 1;
  stack::worker::job_flow_config flow;   // source, concurrency, lock, idempotency, store commands, cron
  arrivals_config arrivals;              // queue source: when jobs are enqueued
  std::uint64_t keys = 0;                // queue source: idempotency keys drawn from 1..keys (a producer that
                                         // repeats itself); 0: every job has its own key
  fakes::latency_config work;            // how long a job's own work takes
  fakes::job_queue_config queue;
  fakes::ledger_config ledger;
  fakes::kv_store_config store;          // store.clock: the store's clock offset and drift
  std::string redis = "managed";         // store.redis, real mode only: a Redis URL, or "managed" (squall starts one)
  std::vector<sim::node_clock> clocks;   // per node, in node order; missing nodes keep exact time
};

// A fault against a node or the store, [from, to). Fields by kind:
//   process_pause: node, [from, to) stopped      clock_skew: node or store, at `from` the offset steps by
//   offset_ms and the drift becomes drift_ppm    clock_jump: node or store, at `from` by jump_ms (signed)
//   worker_crash: node, at `from`; restarts at `to` when restart (else never)
//   redis_restart: store, down [from, to), data per the store's persistence
//   redis_unavailable: store refuses commands in [from, to)    partition: node cannot reach the store in [from, to)
enum class node_fault_kind : std::uint8_t {
  process_pause, clock_skew, clock_jump, worker_crash, redis_restart, redis_unavailable, partition
};

struct node_fault {
  node_fault_kind kind = node_fault_kind::process_pause;
  std::string target;     // "n<i>" or "store"
  int node = -1;          // the node index; -1: the store
  duration from{0};
  duration to{0};         // == from for instantaneous faults (clock_skew, clock_jump, crash without restart)
  double offset_ms = 0;   // clock_skew
  double drift_ppm = 0;   // clock_skew
  double jump_ms = 0;     // clock_jump
  bool restart = false;   // worker_crash
};

const char* to_string(node_fault_kind k);

// A shadow candidate ("candidates"): a breaker and/or a retry budget that watch the workload's calls beside the
// enforced policy without enforcing anything. Its breaker is checked where the enforced one is.
struct candidate_config {
  std::string name;
  stack::worker::candidate_policy policy;
};

// What the history header and the gates need to know of the candidates.
std::vector<history::candidate_info> candidate_infos(const std::vector<candidate_config>& candidates);

struct scenario {
  std::string name;
  std::string description;
  std::uint64_t seed = 1;
  duration run_for{0};                                // duration_s
  workload_config workload;
  std::vector<fakes::dependency_config> dependencies; // in the order of the JSON object's keys (sorted)
  std::vector<fakes::fault_config> faults;            // against HTTP dependencies
  jobs_config jobs;
  std::vector<node_fault> node_faults;                // against job nodes and the store, in file order
  stack::resilience::policy_config policy;
  std::vector<candidate_config> candidates;           // at most 16, in file order
  std::vector<std::string> gates;
  std::string expect = "pass";                        // "fail": demonstrates a failure; its gates should fail
  double flap_window_s = 60.0;                        // reports.flap_window_s
  nlohmann::json document;                            // the effective scenario after --set overrides
};

}  // namespace squall::runner
