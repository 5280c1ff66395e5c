#pragma once
// The event schema: the only contract between running (sim or real) and analysing (reports/).
// Plain data, no JSON here (history/jsonl.hpp is the codec), so the stack may emit events directly.
#include <cstdint>
#include <string>
#include <vector>

namespace squall::history {

enum class event_type : std::uint8_t {
  invoke,           // an original request arrived (open-loop):           req
  start,            // a worker took it from the queue:                     req, proc
  attempt,          // an attempt was sent:                                 req, proc, dep, attempt
  attempt_end,      // the attempt's result as the client saw it:          req, proc, dep, attempt, result, status,
                    //                                                       value_ns = attempt latency
  retry,            // a retry was scheduled:                               req, proc, dep, attempt (next), value_ns = delay
  budget_deny,      // the retry budget denied a retry (shadow: would deny): req, proc, dep, shadow
  breaker_reject,   // the breaker refused a call (shadow: would refuse):   req, proc, dep, shadow
  breaker,          // a breaker changed state:                             dep, from, to, shadow
  ok,               // the original succeeded:                              req, proc, value_ns = end-to-end latency
  fail,             // the original failed for good:                        req, proc, reason, value_ns = latency
  info,             // indeterminate: the last attempt timed out:            req, proc, reason, value_ns = latency
  fault_start,      // a planned fault began:                               fault (index), dep
  fault_stop,       // a planned fault ended:                               fault (index), dep
};
inline constexpr int event_type_count = 13;

// How an attempt ended (client view). Mirrors stack::attempt_kind.
enum class attempt_result : std::uint8_t { response, timeout, reset, connect_failure };

// Why an original finished without success.
enum class fail_reason : std::uint8_t {
  none,
  exhausted,     // max_attempts reached on transient errors
  budget,        // the retry budget denied the next retry
  permanent,     // a permanent error (e.g. 400): no retry
  breaker_open,  // the breaker rejected the request (fast-fail)
  queue_full,    // the worker queue was full
};

enum class breaker_state : std::uint8_t { closed, open, half_open };

struct event {
  std::int64_t t_ns = 0;
  std::uint64_t seq = 0;
  event_type type = event_type::invoke;
  bool shadow = false;
  std::uint16_t dep = 0;          // index into header.dependencies
  std::uint16_t fault = 0;        // index into header.faults
  std::uint16_t attempt = 0;      // 1-based
  std::int32_t proc = -1;         // worker index, -1 when none
  std::uint64_t req = 0;          // original request id (1-based)
  std::int32_t status = 0;        // HTTP status for attempt_end/response
  attempt_result result = attempt_result::response;
  fail_reason reason = fail_reason::none;
  breaker_state from = breaker_state::closed;
  breaker_state to = breaker_state::closed;
  std::int64_t value_ns = 0;      // latency or delay, see event_type
};

// A planned fault as the analysis needs it: when and what.
struct fault_info {
  std::string kind;
  std::string target;
  std::int64_t from_ns = 0;
  std::int64_t to_ns = 0;
};

// The first line of a history: what ran, so `squall check` can recompute the same report.
struct header {
  int schema = 1;
  std::string scenario;            // scenario name
  std::string description;
  std::uint64_t seed = 0;
  std::int64_t duration_ns = 0;
  std::vector<std::string> dependencies;
  std::vector<fault_info> faults;
  std::vector<std::string> gates;
  double flap_window_s = 60.0;
  std::string expect = "pass";     // "pass" or "fail": a scenario that demonstrates a failure expects to fail
  std::string repro;               // the command that reproduces the run
};

const char* to_string(event_type t);
const char* to_string(attempt_result r);
const char* to_string(fail_reason r);
const char* to_string(breaker_state s);

// Where events go. The sim world and the real runtime both emit into a sink; reports and the JSONL writer
// are sinks.
class event_sink {
 public:
  virtual ~event_sink() = default;
  virtual void on_event(const event& e) = 0;
};

}  // namespace squall::history
