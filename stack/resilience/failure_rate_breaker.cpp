// resilience4j's CircuitBreakerStateMachine + CircuitBreakerMetrics, single-threaded and sans-IO
// (docs/policies.md#failure_rate). Comments name the resilience4j rule each branch reproduces.
#include <algorithm>
#include <cstdint>

#include "stack/core/assert.hpp"
#include "stack/resilience/breaker.hpp"

namespace squall::stack::resilience {
namespace {

constexpr std::int64_t ns_per_s = 1'000'000'000;
constexpr int max_count_window = 1'000'000;  // calls; bounded memory (DESIGN.md: bounded everything)
constexpr int max_time_window_s = 86'400;    // one day of one-second buckets

std::int64_t floor_div(std::int64_t a, std::int64_t b) { return a / b - ((a % b != 0) && ((a < 0) != (b < 0))); }
std::int64_t floor_mod(std::int64_t a, std::int64_t b) { return a - floor_div(a, b) * b; }

}  // namespace

failure_rate_breaker::failure_rate_breaker(const breaker_config& config) : config_(config) {
  SQUALL_ASSERT(config_.half_open_calls > 0, "breaker half_open_calls must be > 0");
  SQUALL_ASSERT(config_.open.count() >= 0, "breaker open must be >= 0");
  SQUALL_ASSERT(config_.window_size > 0, "breaker window_size must be > 0");
  SQUALL_ASSERT(config_.window == breaker_window::count ? config_.window_size <= max_count_window
                                                        : config_.window_size <= max_time_window_s,
                "breaker window_size above its bound");
  SQUALL_ASSERT(config_.minimum_calls > 0, "breaker minimum_calls must be > 0");
  SQUALL_ASSERT(config_.failure_rate_threshold > 0.0 && config_.failure_rate_threshold <= 100.0,
                "breaker failure_rate_threshold must be in (0, 100]");
  SQUALL_ASSERT(config_.slow_call_rate_threshold > 0.0 && config_.slow_call_rate_threshold <= 100.0,
                "breaker slow_call_rate_threshold must be in (0, 100]");
  SQUALL_ASSERT(config_.slow_call.count() >= 0, "breaker slow_call must be >= 0");
  buckets_.resize(static_cast<std::size_t>(config_.window_size));
  // resilience4j caps minimumNumberOfCalls at the size of a count window (it could never be reached);
  // a time window keeps it as configured. HALF_OPEN uses a count window of half_open_calls.
  min_calls_ = static_cast<std::uint64_t>(config_.window == breaker_window::count
                                              ? std::min(config_.minimum_calls, config_.window_size)
                                              : config_.minimum_calls);
  half_open_decide_at_ = std::min(config_.minimum_calls, config_.half_open_calls);
}

bool failure_rate_breaker::allow(instant now) {
  if (state_ == breaker_state::closed) [[likely]] {
    ++stats_.allowed;
    return true;
  }
  if (state_ == breaker_state::open) {
    // OpenState.tryAcquirePermission: clock.instant().isAfter(retryAfterWaitDuration), strictly after.
    if (now - opened_at_ <= config_.open) {
      ++stats_.rejected;
      return false;
    }
    state_ = breaker_state::half_open;
    half_open_permitted_ = half_open_done_ = half_open_failures_ = half_open_slow_ = 0;
    ++stats_.transitions;
  }
  // HalfOpenState.tryAcquirePermission: a countdown of permitted calls.
  if (half_open_permitted_ >= config_.half_open_calls) {
    ++stats_.rejected;
    return false;
  }
  ++half_open_permitted_;
  ++stats_.allowed;
  return true;
}

void failure_rate_breaker::record(instant now, bool failure, duration call_duration) {
  if (failure) {
    ++stats_.failures;
  } else {
    ++stats_.successes;
  }
  // CircuitBreakerMetrics: slow means strictly longer than slowCallDurationThreshold.
  const bool slow = config_.slow_call.count() > 0 && call_duration > config_.slow_call;
  switch (state_) {
    case breaker_state::closed: {
      const bool was_evaluable = calls_ >= min_calls_;
      add_to_window(now, failure, slow);
      // In a count window a fast success can only lower both rates, and the window was last judged below
      // the thresholds: skip the check. (A time window may have just shed old successes, so it always checks.)
      if (config_.window == breaker_window::count && was_evaluable && !failure && !slow) return;
      evaluate(now);
      return;
    }
    case breaker_state::open:
      // A call admitted before the breaker opened: resilience4j records it into metrics that are discarded
      // on the way to HALF_OPEN, so it cannot influence any decision. Drop it.
      return;
    case breaker_state::half_open:
      record_half_open(now, failure, slow);
      return;
  }
}

void failure_rate_breaker::record_half_open(instant now, bool failure, bool slow) {
  ++half_open_done_;
  half_open_failures_ += failure ? 1 : 0;
  half_open_slow_ += slow ? 1 : 0;
  // Below the minimum the verdict is BELOW_MINIMUM_CALLS_THRESHOLD: no transition, a failure does not
  // re-open early.
  if (half_open_done_ < half_open_decide_at_) return;
  if (exceeded(static_cast<std::uint64_t>(half_open_done_), static_cast<std::uint64_t>(half_open_failures_),
               static_cast<std::uint64_t>(half_open_slow_))) {
    open_at(now);
  } else {
    close();
  }
}

bool failure_rate_breaker::exceeded(std::uint64_t calls, std::uint64_t failures, std::uint64_t slow) const {
  // rate >= threshold, multiplied out: no division on the hot path.
  const double c = static_cast<double>(calls);
  if (100.0 * static_cast<double>(failures) >= config_.failure_rate_threshold * c) return true;
  if (config_.slow_call.count() <= 0) return false;
  return 100.0 * static_cast<double>(slow) >= config_.slow_call_rate_threshold * c;
}

void failure_rate_breaker::evaluate(instant now) {
  if (calls_ >= min_calls_ && exceeded(calls_, failures_, slow_)) open_at(now);
}

void failure_rate_breaker::add_to_window(instant now, bool failure, bool slow) {
  const std::uint32_t f = failure ? 1 : 0;
  const std::uint32_t s = slow ? 1 : 0;
  if (config_.window == breaker_window::count) {
    // FixedSizeSlidingWindowMetrics: a ring of the last window_size calls, subtract-on-evict. The slot
    // is overwritten in place: totals move by (new - old), unsigned wrap-around included.
    bucket& b = buckets_[next_];
    calls_ += 1 - static_cast<std::uint64_t>(b.calls);
    failures_ += f - static_cast<std::uint64_t>(b.failures);
    slow_ += s - static_cast<std::uint64_t>(b.slow);
    b.calls = 1;
    b.failures = f;
    b.slow = s;
    next_ = next_ + 1 == buckets_.size() ? 0 : next_ + 1;
    return;
  }
  // SlidingTimeWindowMetrics: one bucket per epoch second, the current one and window_size - 1 before.
  // Earlier than head_end_ns_ means the head second, or a clock that stepped back: count it there.
  const std::int64_t t = ns_since_start(now);
  if (t >= head_end_ns_) advance_to_second(floor_div(t, ns_per_s));
  bucket& b = buckets_[head_index_];
  b.calls += 1;
  b.failures += f;
  b.slow += s;
  calls_ += 1;
  failures_ += f;
  slow_ += s;
}

void failure_rate_breaker::advance_to_second(std::int64_t epoch_s) {
  if (head_s_ != no_second && epoch_s <= head_s_) return;  // never move the head backwards
  const std::int64_t n = config_.window_size;
  // Only the seconds that newly enter the window need their bucket reset; at most n of them.
  const std::int64_t steps = head_s_ == no_second ? n : std::min(epoch_s - head_s_, n);
  for (std::int64_t s = epoch_s - steps + 1; s <= epoch_s; ++s) {
    bucket& b = buckets_[static_cast<std::size_t>(floor_mod(s, n))];
    evict(b);
    b.epoch_s = s;
  }
  head_s_ = epoch_s;
  head_end_ns_ = epoch_s >= INT64_MAX / ns_per_s ? INT64_MAX : (epoch_s + 1) * ns_per_s;
  head_index_ = static_cast<std::size_t>(floor_mod(epoch_s, n));
}

void failure_rate_breaker::evict(bucket& b) {
  calls_ -= b.calls;
  failures_ -= b.failures;
  slow_ -= b.slow;
  b = bucket{};
}

void failure_rate_breaker::reset_window() {
  std::fill(buckets_.begin(), buckets_.end(), bucket{});
  next_ = 0;
  head_s_ = no_second;
  head_end_ns_ = INT64_MIN;
  head_index_ = 0;
  calls_ = failures_ = slow_ = 0;
}

void failure_rate_breaker::open_at(instant now) {
  if (state_ != breaker_state::open) ++stats_.transitions;
  state_ = breaker_state::open;
  opened_at_ = now;
}

void failure_rate_breaker::close() {
  // transitionToClosedState builds a fresh ClosedState: the window starts empty.
  reset_window();
  state_ = breaker_state::closed;
  ++stats_.transitions;
}

}  // namespace squall::stack::resilience
