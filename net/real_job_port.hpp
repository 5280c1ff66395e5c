#pragma once
// The job port of one worker node in real mode (issue 5): stack::worker::job_port over a Redis Streams consumer
// (net/stream_queue), a real KV connection, real timers for the job's work, and a ground-truth ledger. The
// same job_node code as in simulation runs on it, on the node's own io_context thread; every method below and
// every callback it makes runs on that thread.
//
// receive() is synchronous in the port: the consumer prefetches asynchronously into its bounded buffer and
// the world pokes the node when deliveries arrive (consumer hook `ready`). next_job_at() is "now" while
// deliveries are buffered, else unknown: redeliveries surface through the consumer's claim passes, which poke.
//
// Faults the port makes real: a partition window (true time) drops the node's KV commands, which answer
// `timeout` at their deadline as in the simulator (the queue is not partitioned, as in the simulator). A crash
// forgets the node's receipts and prefetched deliveries; they stay pending in Redis and are claimed after the
// visibility timeout.
//
// net/ does not depend on fakes/: the world hands in the work-time draw and the ledger as functions.
#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "net/real_history.hpp"
#include "net/real_runtime.hpp"
#include "net/stream_queue.hpp"
#include "stack/worker/job_ports.hpp"

namespace squall::net {

// One effect as the ledger sees it.
struct effect_request {
  std::uint64_t key = 0;
  std::uint32_t worker = 0;
  std::int64_t fence = 0;  // 0: no token
  std::string_view fence_resource;
  std::uint64_t delivery = 0;  // the port's receipt id
  std::uint32_t round = 0;
};

// Applies an effect downstream and says whether the ledger took it (thread-safe: nodes call it concurrently).
using effect_applier = std::function<stack::worker::effect_result(const effect_request&)>;
// Sends a KV command (keys already prefixed) and calls `done` exactly once on the node's thread.
using kv_sender = std::function<void(const stack::kv_command&, stack::duration, stack::worker::kv_handler)>;

struct real_job_port_config {
  std::string key_prefix;                      // prepended to every KV key: "<run>:"
  std::function<stack::duration()> work_time;  // draws one job's work duration
  effect_applier apply;
  kv_sender kv;
};

class real_job_port final : public stack::worker::job_port {
 public:
  real_job_port(real_runtime& rt, real_history& history, stream_consumer& queue, real_job_port_config config);

  std::optional<stack::worker::job> receive(std::uint32_t worker) override;
  std::optional<stack::instant> next_job_at() override;
  void ack(const stack::worker::job& j) override;
  void requeue(const stack::worker::job& j, stack::duration after) override;
  void send_kv(const stack::kv_command& command, stack::duration timeout, stack::worker::kv_handler done) override;
  void work(const stack::worker::job& j, stack::task done) override;
  stack::worker::effect_result apply_effect(const stack::worker::job& j, std::uint32_t worker, std::int64_t fence,
                                            const std::string& fence_resource) override;

  // The consumer moved a message to the DLQ: record it (as the simulated world does).
  void on_dead_letter(const stream_dead_letter& d);
  // A crash: receipts and prefetched deliveries are lost.
  void forget_deliveries();
  // KV commands sent in [from, to) (true time) never reach the store.
  void add_partition(stack::instant from, stack::instant to) { partitions_.push_back({from, to}); }
  std::size_t receipts() const { return deliveries_.size(); }

 private:
  struct window {
    stack::instant from, to;
  };
  bool partitioned(stack::instant true_now) const;
  static void time_out(void* self, std::uint64_t slot);

  real_runtime& rt_;
  real_history& history_;
  stream_consumer& queue_;
  real_job_port_config config_;
  std::uint64_t next_receipt_ = 1;
  std::map<std::uint64_t, stream_delivery> deliveries_;  // receipts held by this node's workers
  std::vector<window> partitions_;
  std::vector<stack::worker::kv_handler> dropped_;  // partitioned commands waiting for their deadline
  std::vector<std::uint32_t> free_;
};

}  // namespace squall::net
