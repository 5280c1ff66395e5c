#include "history/event.hpp"

namespace squall::history {

const char* to_string(event_type t) {
  switch (t) {
    case event_type::invoke: return "invoke";
    case event_type::start: return "start";
    case event_type::attempt: return "attempt";
    case event_type::attempt_end: return "attempt_end";
    case event_type::retry: return "retry";
    case event_type::budget_deny: return "budget_deny";
    case event_type::breaker_reject: return "breaker_reject";
    case event_type::breaker: return "breaker";
    case event_type::ok: return "ok";
    case event_type::fail: return "fail";
    case event_type::info: return "info";
    case event_type::fault_start: return "fault_start";
    case event_type::fault_stop: return "fault_stop";
    case event_type::delivery: return "delivery";
    case event_type::dlq: return "dlq";
    case event_type::lock_acquired: return "lock_acquired";
    case event_type::lock_renewed: return "lock_renewed";
    case event_type::lock_released: return "lock_released";
    case event_type::lock_lost: return "lock_lost";
    case event_type::idempotency_skip: return "idempotency_skip";
    case event_type::effect: return "effect";
    case event_type::store_restart: return "store_restart";
    case event_type::process_pause: return "process_pause";
    case event_type::worker_crash: return "worker_crash";
    case event_type::clock_jump: return "clock_jump";
  }
  return "?";
}

const char* to_string(attempt_result r) {
  switch (r) {
    case attempt_result::response: return "response";
    case attempt_result::timeout: return "timeout";
    case attempt_result::reset: return "reset";
    case attempt_result::connect_failure: return "connect_failure";
  }
  return "?";
}

const char* to_string(fail_reason r) {
  switch (r) {
    case fail_reason::none: return "none";
    case fail_reason::exhausted: return "exhausted";
    case fail_reason::budget: return "budget";
    case fail_reason::permanent: return "permanent";
    case fail_reason::breaker_open: return "breaker_open";
    case fail_reason::queue_full: return "queue_full";
  }
  return "?";
}

const char* to_string(breaker_state s) {
  switch (s) {
    case breaker_state::closed: return "closed";
    case breaker_state::open: return "open";
    case breaker_state::half_open: return "half_open";
  }
  return "?";
}

const char* to_string(effect_outcome o) {
  switch (o) {
    case effect_outcome::applied: return "applied";
    case effect_outcome::rejected_stale: return "rejected_stale";
  }
  return "?";
}

const char* to_string(dlq_cause c) {
  switch (c) {
    case dlq_cause::max_deliveries: return "max_deliveries";
    case dlq_cause::permanent: return "permanent";
  }
  return "?";
}

}  // namespace squall::history
