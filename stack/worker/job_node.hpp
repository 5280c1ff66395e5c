#pragma once
// One worker node running the job flow of seed 002 (job_config.hpp) in `concurrency` slots:
//   take a job (queue delivery, or a cron firing by this node's clock)
//   → lease lock (optional; contention or a store failure hands a queue job back after requeue_delay)
//   → idempotency (none | check_then_act: GET done:<k> | claim_first: SET claim:<k> NX)
//   → the job's work → side effect (with the lock's fencing token) → persist (SET done:<k> / claim:<k> = done)
//   → release → ack.
// Like seed 002's code, the flow does not re-check the lock before the effect: a lease that expired mid-job
// (no renewal, a pause, a store restart) lets a second holder in, and only fencing downstream or an atomic
// idempotency claim keeps the effect single. With `release: blind` the acquire-failure path also sends DEL
// (`finally: r.delete(key)`, the blind unlock seed 003 warns about), deleting the holder's lock.
//
// Events (history/event.hpp): delivery, lock_acquired/renewed/lost, lock_released (when the release is sent:
// the store may grant the key to the next holder before the answer is back), idempotency_skip; the world
// records effects and DLQ. proc is the worker slot: first_worker + slot.
//
// crash() loses every in-flight job at once: nothing is sent, nothing acked (the queue redelivers after the
// visibility timeout) and held locks expire on the store by their TTL; a worker_crash event marks each worker
// that had a job. restart() takes jobs again.
#include <cstdint>
#include <deque>
#include <optional>
#include <string>

#include "stack/lock/lease_lock.hpp"
#include "stack/worker/job_config.hpp"
#include "stack/worker/job_ports.hpp"
#include "stack/worker/ports.hpp"

namespace squall::stack::worker {

struct job_node_stats {
  std::uint64_t jobs_started = 0;
  std::uint64_t jobs_acked = 0;
  std::uint64_t jobs_requeued = 0;     // lock contention or store failure: handed back
  std::uint64_t effects_applied = 0;   // as the worker saw it (the ledger is the truth)
  std::uint64_t effects_rejected = 0;  // stale fencing token
  std::uint64_t skipped_done = 0;      // idempotency said done/claimed
  std::uint64_t cron_skipped = 0;      // flock held, or every slot busy
  std::uint64_t blind_deletes = 0;     // DEL sent after a failed acquire (release: blind)
  std::uint64_t crashes = 0;
};

class job_node {
 public:
  job_node(runtime_port& runtime, job_port& port, const job_flow_config& config, std::uint32_t node,
           std::uint32_t first_worker);
  job_node(const job_node&) = delete;
  job_node& operator=(const job_node&) = delete;

  void start();    // queue: take visible jobs; cron: arm the first firing
  void poke();     // queue jobs may have arrived
  void crash();
  void restart();

  bool down() const { return down_; }
  std::uint32_t node() const { return node_; }
  std::size_t busy_slots() const;
  const job_node_stats& stats() const { return stats_; }

 private:
  enum class step : std::uint8_t { idle, locking, checking, working, persisting, releasing };
  enum class outcome : std::uint8_t { ack, requeue };
  enum class purpose : std::uint8_t { lock_reply, lock_timer, store_reply, store_retry, work_done, ignore };

  struct slot {
    step at = step::idle;
    std::uint32_t epoch = 0;  // bumped when the slot is reset: late replies and timers of older jobs are dropped
    job current;
    std::optional<lock::lease_lock> lock;
    std::optional<instant> lock_timer;  // the earliest lock timer armed and not yet fired
    outcome end = outcome::ack;
    kv_command command;                 // idempotency / persist command being tried
    int store_attempt = 0;
    duration prev_delay{0};
    bool store_ambiguous = false;       // a claim attempt timed out: a later nil may be our own claim
  };

  // Flow (job_node.cpp).
  void take_jobs();
  void begin(std::uint32_t s, const job& j);
  void check_idempotency(std::uint32_t s);
  void on_store_reply(std::uint32_t s, const kv_reply& r);
  void after_check(std::uint32_t s, const kv_reply& r);
  void start_work(std::uint32_t s);
  void on_work_done(std::uint32_t s);
  void persist(std::uint32_t s);
  void release(std::uint32_t s, outcome end);
  void finish(std::uint32_t s);
  void send_store(std::uint32_t s, kv_command command);
  void send_store_attempt(std::uint32_t s);
  // Lock plumbing and cron (job_node_lock.cpp).
  void start_lock(std::uint32_t s);
  void pump_lock(std::uint32_t s);
  void on_lock_event(std::uint32_t s, const lock::lock_event& e);
  void arm_poll();
  void arm_cron();
  void on_cron();
  void on_poll();
  // Helpers.
  std::uint64_t arg(std::uint32_t s, purpose p) const;
  history::event make_event(history::event_type type, std::uint32_t s) const;
  std::string key_name(const char* prefix, std::uint32_t s) const;
  static void on_kv(void* self, std::uint64_t arg, const kv_reply& reply);
  static void on_task(void* self, std::uint64_t arg);
  static void on_node_timer(void* self, std::uint64_t arg);
  static double uniform(void* self);

  runtime_port& rt_;
  job_port& port_;
  job_flow_config config_;
  std::uint32_t node_;
  std::uint32_t first_worker_;
  std::deque<slot> slots_;
  bool down_ = false;
  bool started_ = false;
  std::uint32_t node_epoch_ = 0;       // bumped by crash(): drops the node's poll and cron timers
  std::optional<instant> poll_armed_;
  std::int64_t last_cron_slot_ = -1;
  std::uint64_t tokens_ = 0;           // owner tokens issued by this node
  job_node_stats stats_;
};

}  // namespace squall::stack::worker
