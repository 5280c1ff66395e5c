#pragma once
// A bounded worker pool running seed 004's call_with_resilience flow against one dependency.
// Open-loop originals arrive through submit(); a worker holds one original through all its attempts and
// backoff sleeps; excess originals wait FIFO (bounded) for a worker.
#include <cstddef>
#include <cstdint>
#include <deque>
#include <optional>
#include <vector>

#include "stack/resilience/breaker.hpp"
#include "stack/resilience/budget.hpp"
#include "stack/resilience/retry.hpp"
#include "stack/worker/ports.hpp"
#include "stack/worker/shadow_candidates.hpp"

namespace squall::stack::worker {

struct pool_config {
  int workers = 1;
  std::size_t queue_max = 1'000'000;
  std::size_t dependency = 0;  // index of the dependency every original calls
};

class worker_pool {
 public:
  // `candidates` watch the same calls as `policy` without enforcing anything (shadow_candidates.hpp).
  worker_pool(runtime_port& runtime, const pool_config& pool, const resilience::policy_config& policy,
              const std::vector<candidate_policy>& candidates = {});
  // A new original arrives now.
  void submit();
  std::size_t busy_workers() const { return workers_.size() - idle_.size(); }
  std::size_t waiting() const { return waiting_.size(); }

 private:
  struct original {
    std::uint64_t id = 0;
    instant arrival{};
  };
  struct slot {
    original req;
    int attempt = 0;                  // attempts sent so far
    duration prev_delay{0};           // for decorrelated jitter
    // Per budget lane (budget_lane::bit): the next/current attempt is a retry that budget granted, and whether
    // it granted it after a timeout (token_bucket refunds the larger cost).
    std::uint32_t budget_retry = 0;
    std::uint32_t granted_after_timeout = 0;
    bool indeterminate = false;         // some attempt timed out or was reset: the server may have acted
  };

  void start(std::uint32_t w, original req);
  void send_attempt(std::uint32_t w);
  void on_result(std::uint32_t w, const attempt_result& result);
  void schedule_retry(std::uint32_t w, const attempt_result& result);
  void finish(std::uint32_t w, history::event_type type, history::fail_reason reason);
  void dispatch();
  // Asks every breaker consulted at `point` (the enforced one, then the candidates); false when the enforced
  // breaker rejects the call.
  bool breakers_allow(std::uint32_t w, resilience::breaker_check point);
  bool breaker_allows(breaker_lane& lane, std::uint32_t w);
  void breaker_record(breaker_lane& lane, bool failure, duration latency);
  void emit_breaker_transition(const breaker_lane& lane, resilience::breaker_state from);
  // Asks every budget whether the request may retry; false when the enforced budget denies it.
  bool budgets_allow_retry(std::uint32_t w, bool after_timeout);
  bool budget_allows_retry(budget_lane& lane, std::uint32_t w, bool after_timeout);
  history::event make_event(history::event_type type, std::uint32_t w) const;

  static void on_result_thunk(void* self, std::uint64_t w, const attempt_result& result);
  static void on_retry_timer(void* self, std::uint64_t w);

  runtime_port& rt_;
  pool_config pool_;
  resilience::policy_config policy_;
  std::optional<breaker_lane> breaker_;  // the enforced policy's (candidate 0)
  std::optional<budget_lane> budget_;
  candidate_lanes candidates_;
  std::vector<slot> workers_;
  std::vector<std::uint32_t> idle_;
  std::deque<original> waiting_;
  std::uint64_t next_id_ = 0;
  bool dispatching_ = false;
};

}  // namespace squall::stack::worker
