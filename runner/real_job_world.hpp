#pragma once
// The jobs world of a real run (issue 5): like job_world, but on real threads, real time and a real Redis.
// Each worker node gets its own io_context, thread, real_runtime (its clock), KV connection (net::redis_kv),
// Streams consumer and job port, and runs the same stack::worker::job_node as the simulator, so a pause of one
// node really blocks only that node. The world's own thread produces the scenario's arrivals (open loop, real
// timers) into the stream and plays the store faults. docs/real-mode-jobs.md has the mapping of every fault.
//
// The store is `jobs.store.redis`: a Redis URL (redis://host:port), or "managed": squall starts its own
// redis-server on a free loopback port with the scenario's persistence and stops it at the end.
//
// The ledger (ground truth) is local to the process: one fakes::ledger shared by the nodes under a lock,
// exactly the simulator's. Its effects are history events, so several processes' histories merge into one
// report; fencing across processes goes through a shared store when ledger_redis_url is given
// (docs/real-mode-jobs.md).
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "fakes/ledger.hpp"
#include "net/real_history.hpp"
#include "runner/redis_url.hpp"
#include "runner/scenario.hpp"
#include "sim/rng.hpp"
#include "stack/worker/job_ports.hpp"

namespace squall::net {
class managed_redis;
class shared_fence;
struct effect_request;
}

namespace squall::runner {

struct real_jobs_options {
  std::string run_id;            // prefixes every Redis key; empty: a fresh one (scenario name, pid, time)
  std::string redis_url;         // overrides jobs.store.redis when set
  std::vector<int> nodes;        // the nodes this process runs; empty: all of them
  bool produce = true;           // this process enqueues the scenario's arrivals
  bool store_faults = true;      // this process plays redis_restart / redis_unavailable
  // A Redis (URL) holding the fencing tokens every process of the run accepted (net::shared_fence); empty: this
  // process fences on its own, exact for a single process.
  std::string ledger_redis_url;
};

struct real_jobs_stats {
  std::uint64_t enqueued = 0;
  std::uint64_t enqueue_failed = 0;  // full stream, or no answer (indeterminate)
  std::uint64_t delivered = 0;
  std::uint64_t redelivered = 0;
  std::uint64_t dead_lettered = 0;
  std::uint64_t acked = 0;
};

class real_job_world {
 public:
  real_job_world(const scenario& s, net::real_history& history, const sim::rng& root);
  real_job_world(const scenario& s, net::real_history& history, const sim::rng& root, real_jobs_options options);
  ~real_job_world();
  real_job_world(const real_job_world&) = delete;
  real_job_world& operator=(const real_job_world&) = delete;

  // Spawns the threads and schedules arrivals and faults relative to the history's start.
  void start();
  // Stops producing and every node, joins the threads (bounded: a node in a planned pause finishes it, and
  // pauses never outlast the run) and stops a managed Redis. Idempotent.
  void stop();

  const std::string& run_id() const { return options_.run_id; }
  std::string redis_url() const;
  // Safe after stop().
  real_jobs_stats stats() const;
  const fakes::ledger& ledger() const { return ledger_; }
  // Calls to the shared fencing store that got no answer (each fell back to this process's own tokens).
  std::uint64_t shared_fence_errors() const;
  net::managed_redis* managed() { return managed_.get(); }

  struct node_parts;   // one node's io_context, thread, runtime, connections, consumer, port and flow
  struct world_parts;  // the world's io_context, thread, runtime, producer connection

 private:
  void on_arrival();
  void on_store_fault(std::size_t index, bool second);
  void on_node_fault(node_parts& n, std::size_t index, bool second);
  stack::worker::effect_result apply(const net::effect_request& r);
  static void arrival_thunk(void* self, std::uint64_t);
  static void store_fault_thunk(void* self, std::uint64_t arg);
  static void node_fault_thunk(void* self, std::uint64_t arg);

  const scenario& s_;
  net::real_history& history_;
  real_jobs_options options_;
  std::unique_ptr<net::managed_redis> managed_;
  std::string host_;
  std::uint16_t port_ = 0;
  std::mutex ledger_mutex_;
  fakes::ledger ledger_;
  std::unique_ptr<net::shared_fence> shared_fence_;  // under ledger_mutex_; null: fencing per process
  std::unique_ptr<world_parts> world_;
  std::vector<std::unique_ptr<node_parts>> nodes_;
  std::vector<std::thread> threads_;
  bool started_ = false;
  bool stopped_ = false;
};

}  // namespace squall::runner
