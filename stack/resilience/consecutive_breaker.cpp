// Seed 004's CircuitBreaker, transcribed rule for rule (docs/policies.md#consecutive). Where the seed is odd
// (allow() in HALF_OPEN does not count admitted calls; a failure while OPEN re-arms the timer) the oddity is
// the point: squall measures what that code does under load.
#include <limits>

#include "stack/core/assert.hpp"
#include "stack/resilience/breaker.hpp"

namespace squall::stack::resilience {

consecutive_breaker::consecutive_breaker(const breaker_config& config) : config_(config) {
  SQUALL_ASSERT(config_.failure_threshold > 0, "breaker failure_threshold must be > 0");
  SQUALL_ASSERT(config_.half_open_calls > 0, "breaker half_open_calls must be > 0");
  SQUALL_ASSERT(config_.open.count() >= 0, "breaker open must be >= 0");
}

bool consecutive_breaker::allow(instant now) {
  if (state_ == breaker_state::closed) [[likely]] {
    ++stats_.allowed;
    return true;
  }
  if (state_ == breaker_state::open) {
    if (now - opened_at_ < config_.open) {
      ++stats_.rejected;
      return false;
    }
    state_ = breaker_state::half_open;
    half_open_successes_ = 0;
    ++stats_.transitions;
  }
  // HALF_OPEN: the gate is the number of successes seen so far, not the number of calls let through.
  if (half_open_successes_ >= config_.half_open_calls) {
    ++stats_.rejected;
    return false;
  }
  ++stats_.allowed;
  return true;
}

void consecutive_breaker::record(instant now, bool failure, duration /*call_duration*/) {
  if (!failure) [[likely]] {
    ++stats_.successes;
    if (state_ == breaker_state::half_open) {
      if (++half_open_successes_ >= config_.half_open_calls) {
        state_ = breaker_state::closed;
        failures_ = 0;
        half_open_successes_ = 0;
        ++stats_.transitions;
      }
    } else {
      failures_ = 0;  // also while OPEN: a late success clears the count but does not close
    }
    return;
  }
  ++stats_.failures;
  if (state_ == breaker_state::half_open) {
    open_at(now);
    return;
  }
  if (failures_ < std::numeric_limits<int>::max()) ++failures_;  // saturate: OPEN can see millions
  if (failures_ >= config_.failure_threshold) open_at(now);      // while OPEN this re-arms the timer
}

void consecutive_breaker::open_at(instant now) {
  if (state_ != breaker_state::open) ++stats_.transitions;
  state_ = breaker_state::open;
  opened_at_ = now;
}

}  // namespace squall::stack::resilience
