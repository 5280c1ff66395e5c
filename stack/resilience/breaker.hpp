#pragma once
// Circuit breakers (DESIGN.md §3, docs/policies.md). Sans-IO value types: every input carries `now`.
#include <cstddef>
#include <cstdint>
#include <variant>
#include <vector>

#include "history/event.hpp"
#include "stack/core/time.hpp"

namespace squall::stack::resilience {

// The breaker's states are the history's: transitions are emitted without translation.
using breaker_state = history::breaker_state;
enum class breaker_model : std::uint8_t { consecutive, failure_rate };
enum class breaker_window : std::uint8_t { count, time };
enum class breaker_check : std::uint8_t { per_attempt, per_request };
enum class policy_mode : std::uint8_t { enforce, shadow };

struct breaker_config {
  breaker_model model = breaker_model::consecutive;
  policy_mode mode = policy_mode::enforce;
  breaker_check check = breaker_check::per_attempt;
  duration open{15'000'000'000};  // open_ms: time in OPEN before trial calls
  int half_open_calls = 3;        // consecutive: successes needed to close; failure_rate: permitted trial calls
  // consecutive
  int failure_threshold = 5;
  // failure_rate (resilience4j CircuitBreakerConfig)
  breaker_window window = breaker_window::count;
  int window_size = 100;                 // calls (count) or seconds (time)
  int minimum_calls = 100;
  double failure_rate_threshold = 50.0;  // percent
  duration slow_call{0};                 // 0 disables slow-call tracking
  double slow_call_rate_threshold = 100.0;  // percent
};

struct breaker_stats {
  std::uint64_t allowed = 0;
  std::uint64_t rejected = 0;
  std::uint64_t successes = 0;
  std::uint64_t failures = 0;
  std::uint64_t transitions = 0;
};

// Seed 004's CircuitBreaker, exactly: CLOSED counts consecutive failures (a success resets the count);
// at failure_threshold it opens. OPEN rejects until `open` has passed, then allow() moves to HALF_OPEN.
// HALF_OPEN admits calls while fewer than half_open_calls successes were seen (allow() does not count calls);
// half_open_calls successes close it; any failure re-opens it. A failure recorded while OPEN (an in-flight
// call finishing late) still increments the count and re-arms the open timer.
class consecutive_breaker {
 public:
  explicit consecutive_breaker(const breaker_config& config);
  bool allow(instant now);
  void record(instant now, bool failure, duration call_duration);
  breaker_state state() const { return state_; }
  const breaker_stats& stats() const { return stats_; }

 private:
  void open_at(instant now);
  breaker_config config_;
  breaker_state state_ = breaker_state::closed;
  int failures_ = 0;
  int half_open_successes_ = 0;
  instant opened_at_{};
  breaker_stats stats_;
};

// resilience4j's count- or time-based sliding window breaker. See docs/policies.md for the exact rules.
class failure_rate_breaker {
 public:
  explicit failure_rate_breaker(const breaker_config& config);
  bool allow(instant now);
  void record(instant now, bool failure, duration call_duration);
  breaker_state state() const { return state_; }
  const breaker_stats& stats() const { return stats_; }

 private:
  struct bucket {
    std::int64_t epoch_s = -1;  // which second this bucket holds (time window)
    std::uint32_t calls = 0, failures = 0, slow = 0;
  };
  static constexpr std::int64_t no_second = INT64_MIN;
  void open_at(instant now);
  void close();
  void reset_window();
  void add_to_window(instant now, bool failure, bool slow);
  void advance_to_second(std::int64_t epoch_s);
  void evict(bucket& b);
  bool exceeded(std::uint64_t calls, std::uint64_t failures, std::uint64_t slow) const;
  void evaluate(instant now);
  void record_half_open(instant now, bool failure, bool slow);
  breaker_config config_;
  breaker_state state_ = breaker_state::closed;
  instant opened_at_{};
  std::vector<bucket> buckets_;  // count window: one call per bucket (ring); time window: one second each
  std::size_t next_ = 0;                 // count window: the slot the next call overwrites
  std::int64_t head_s_ = no_second;      // time window: the newest second the window holds
  std::int64_t head_end_ns_ = INT64_MIN; // time window: first ns after head_s_ (skips a division per call)
  std::size_t head_index_ = 0;           // time window: head_s_'s bucket
  std::uint64_t calls_ = 0, failures_ = 0, slow_ = 0;  // totals inside the window
  std::uint64_t min_calls_ = 0;  // minimum_calls, capped at window_size for a count window (resilience4j)
  int half_open_decide_at_ = 0;  // trial outcomes before deciding: min(minimum_calls, half_open_calls)
  int half_open_permitted_ = 0, half_open_done_ = 0, half_open_failures_ = 0, half_open_slow_ = 0;
  breaker_stats stats_;
};

// A breaker of either model. In shadow mode the caller still gets the model's decision from allow() and
// is expected to record a would-reject and proceed; the breaker itself does not know who enforces it.
class circuit_breaker {
 public:
  explicit circuit_breaker(const breaker_config& config);
  bool allow(instant now);
  void record(instant now, bool failure, duration call_duration);
  breaker_state state() const;
  const breaker_stats& stats() const;
  const breaker_config& config() const { return config_; }

 private:
  breaker_config config_;
  std::variant<consecutive_breaker, failure_rate_breaker> model_;
};


}  // namespace squall::stack::resilience
