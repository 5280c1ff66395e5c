#pragma once
// The event schema: the only contract between running (sim or real) and analysing (reports/).
// Plain data, no JSON here (history/jsonl.hpp is the codec), so the stack may emit events directly.
#include <cstddef>
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
  budget_deny,      // the retry budget denied a retry (shadow: would deny): req, proc, dep, shadow, candidate
  breaker_reject,   // the breaker refused a call (shadow: would refuse):   req, proc, dep, shadow, candidate
  breaker,          // a breaker changed state:                             dep, from, to, shadow, candidate
  ok,               // the original succeeded:                              req, proc, value_ns = end-to-end latency
  fail,             // the original failed for good:                        req, proc, reason, value_ns = latency
  info,             // indeterminate: the last attempt timed out:            req, proc, reason, value_ns = latency
  fault_start,      // a planned fault began:                               fault (index), dep
  fault_stop,       // a planned fault ended:                               fault (index), dep
  // Queue, lock, idempotency and ledger events (issue 3). `key` is the idempotency key / lock resource id,
  // `proc` the worker (node) index, `req` the message id. A redelivery is a `delivery` with attempt > 1.
  delivery,         // a queue message was delivered to a worker:          proc, req, key, attempt (delivery count)
  dlq,              // a message was dead-lettered:                         proc?, req, key, cause
  lock_acquired,    // a client believes it holds the lock:                 proc, key, token (fence, 0 none),
                    //                                                       value_ns = ttl
  lock_renewed,     // the client renewed its lease:                        proc, key, token, value_ns = ttl
  lock_released,    // the client released (believes it no longer holds):   proc, key, token
  lock_lost,        // the client learned it lost the lock:                 proc, key, token,
                    //                                                       value_ns = believed valid until (0 unknown)
  idempotency_skip, // the worker found the key done/claimed and skipped:   proc, key
  effect,           // ground truth from the side-effect ledger:           proc, key, token (presented, 0 none),
                    //                                                       outcome
  store_restart,    // the lock/KV store restarted (marker):                value_ns = downtime, data_lost
  process_pause,    // a process was paused (marker):                       proc, value_ns = pause length
  worker_crash,     // a worker crashed (marker):                           proc
  clock_jump,       // a node's clock jumped (marker):                      proc, value_ns = jump (signed)
};
inline constexpr int event_type_count = 25;

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

// What the side-effect ledger did with an effect: applied, or refused because its fence token was stale.
enum class effect_outcome : std::uint8_t { applied, rejected_stale };

// Why a message was dead-lettered.
enum class dlq_cause : std::uint8_t { max_deliveries, permanent };

struct event {
  std::int64_t t_ns = 0;
  std::uint64_t seq = 0;
  event_type type = event_type::invoke;
  bool shadow = false;
  // Whose decision (budget_deny, breaker_reject, breaker): 0 the enforced policy, i the scenario's i-th shadow
  // candidate (1-based, header.candidates[i - 1]). Candidates never enforce: their events are also shadow.
  std::uint8_t candidate = 0;
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
  std::uint64_t key = 0;          // idempotency key / lock resource id (queue, lock, ledger events)
  std::uint64_t token = 0;        // owner or fence token (lock events), fence token presented (effect); 0 none
  effect_outcome outcome = effect_outcome::applied;  // effect
  dlq_cause cause = dlq_cause::max_deliveries;        // dlq
  bool data_lost = false;         // store_restart: the store came back without its data (locks freed)
};

// A planned fault as the analysis needs it: when and what.
struct fault_info {
  std::string kind;
  std::string target;
  std::int64_t from_ns = 0;
  std::int64_t to_ns = 0;
};

// A shadow candidate (scenario "candidates") as the analysis needs it: its name and which mechanisms it has.
struct candidate_info {
  std::string name;
  bool breaker = false;
  bool breaker_per_request = false;  // the breaker is consulted once per original, not before every attempt
  bool budget = false;
};
inline constexpr std::size_t candidates_max = 16;

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
  std::vector<candidate_info> candidates;  // in scenario order; event.candidate i is candidates[i - 1]
  double flap_window_s = 60.0;
  std::string expect = "pass";     // "pass" or "fail": a scenario that demonstrates a failure expects to fail
  std::string repro;               // the command that reproduces the run
};

const char* to_string(event_type t);
const char* to_string(attempt_result r);
const char* to_string(fail_reason r);
const char* to_string(breaker_state s);
const char* to_string(effect_outcome o);
const char* to_string(dlq_cause c);

// Where events go. The sim world and the real runtime both emit into a sink; reports and the JSONL writer
// are sinks.
class event_sink {
 public:
  virtual ~event_sink() = default;
  virtual void on_event(const event& e) = 0;
};

}  // namespace squall::history
