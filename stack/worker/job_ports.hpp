#pragma once
// What a job node needs from the world beyond runtime_port (DESIGN.md §2 "send-kv"): the job queue, the KV
// store, the job's own work and the downstream system its side effect lands in. The simulator implements it
// over fakes/ (job_queue, kv_store, ledger); real mode over Redis Streams and a real Redis.
#include <cstdint>
#include <optional>
#include <string>

#include "stack/core/kv.hpp"
#include "stack/core/time.hpp"
#include "stack/worker/ports.hpp"

namespace squall::stack::worker {

// One unit of work handed to a worker.
struct job {
  std::uint64_t key = 0;       // idempotency key id: the history's `key`
  std::uint64_t message = 0;   // queue message id (0: cron)
  std::uint64_t delivery = 0;  // queue receipt (0: cron)
  std::uint32_t round = 0;     // delivery round, 1 = first delivery (cron: 1)
};

// Called exactly once per send_kv: with the store's answer, or `timeout` at the deadline.
struct kv_handler {
  void (*fn)(void* self, std::uint64_t arg, const kv_reply& reply) = nullptr;
  void* self = nullptr;
  std::uint64_t arg = 0;
};

enum class effect_result : std::uint8_t { applied, rejected_stale_token };

// The history's `effect` event for an apply_effect (ground truth from the ledger), as every job port emits it.
inline history::event effect_event(const job& j, std::uint32_t worker, std::int64_t fence, effect_result r) {
  history::event e;
  e.type = history::event_type::effect;
  e.proc = static_cast<std::int32_t>(worker);
  e.key = j.key;
  e.req = j.message;
  e.token = fence > 0 ? static_cast<std::uint64_t>(fence) : 0;
  e.outcome = r == effect_result::applied ? history::effect_outcome::applied : history::effect_outcome::rejected_stale;
  return e;
}

class job_port {
 public:
  virtual ~job_port() = default;
  // The next visible queue job for this node, now; nullopt when none is visible.
  virtual std::optional<job> receive(std::uint32_t worker) = 0;
  // When a queue job may next become visible (this node's clock); nullopt: nothing queued. The world also
  // wakes nodes when jobs arrive.
  virtual std::optional<instant> next_job_at() = 0;
  virtual void ack(const job& j) = 0;
  // Hands the job back to be delivered again after `after` (ChangeMessageVisibility).
  virtual void requeue(const job& j, duration after) = 0;
  virtual void send_kv(const kv_command& command, duration timeout, kv_handler done) = 0;
  // The job's own work (its duration is the world's business); runs `done` when finished.
  virtual void work(const job& j, task done) = 0;
  // Applies the side effect downstream now. fence: the lock's fencing token (0: none), from `fence_resource`.
  virtual effect_result apply_effect(const job& j, std::uint32_t worker, std::int64_t fence,
                                     const std::string& fence_resource) = 0;
};

}  // namespace squall::stack::worker
