#pragma once
// The simulated world of a jobs scenario (issue 3): worker nodes (each with its own pausable runtime and
// clock) running stack::worker::job_node against a job queue, a Redis-like store and a side-effect ledger from
// fakes/, with open-loop job arrivals or cron, and node/store faults at planned times. Composition only: the
// job flow is in stack/worker, the models in fakes/ and sim/.
#include <cstdint>
#include <memory>
#include <vector>

#include "fakes/job_queue.hpp"
#include "fakes/kv_store.hpp"
#include "fakes/ledger.hpp"
#include "history/event.hpp"
#include "runner/scenario.hpp"
#include "sim/arrivals.hpp"
#include "sim/http_backend.hpp"
#include "sim/rng.hpp"
#include "sim/sim_runtime.hpp"
#include "sim/simulator.hpp"
#include "stack/worker/job_node.hpp"

namespace squall::runner {

class job_world {
 public:
  // `sequence` numbers every event of the run (shared with the HTTP part); `fault_base` is the index of the
  // first node fault in the history header's fault list.
  job_world(const scenario& s, sim::simulator& sim, sim::http_backend& no_http, const sim::rng& root,
            history::event_sink& sink, std::uint64_t& sequence);
  ~job_world();
  job_world(const job_world&) = delete;
  job_world& operator=(const job_world&) = delete;

  // Schedules arrivals (queue) or cron (nodes), and the faults; starts the nodes.
  void start(stack::instant end);

  const fakes::ledger& ledger() const { return ledger_; }
  const fakes::job_queue& queue() const { return queue_; }
  const fakes::kv_store& store() const { return store_; }
  const stack::worker::job_node& node(std::size_t i) const;

  struct node_parts;  // a node's runtime, port and flow (job_world.cpp)

 private:
  friend class sim_job_port;
  void wake_nodes_soon();
  void drain_dead_letters();
  void emit(history::event& e) { world_rt_.emit(e); }
  void on_arrival();
  void on_fault(std::size_t index, bool second);
  std::int32_t first_worker(int node) const;

  static void arrival_thunk(void* self, std::uint64_t);
  static void wake_thunk(void* self, std::uint64_t);
  static void fault_thunk(void* self, std::uint64_t arg);

  const scenario& s_;
  sim::simulator& sim_;
  sim::sim_runtime world_rt_;  // emits the world's own events (effects, DLQ, fault markers)
  fakes::kv_store store_;
  fakes::job_queue queue_;
  fakes::ledger ledger_;
  std::vector<std::unique_ptr<node_parts>> nodes_;
  sim::arrival_process arrivals_;
  sim::rng keys_;
  std::uint64_t next_key_ = 1;
  stack::instant end_{};
  bool wake_pending_ = false;
};

}  // namespace squall::runner
