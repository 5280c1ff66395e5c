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

}  // namespace squall::history
