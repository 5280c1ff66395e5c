// Retry budgets (docs/policies.md#retry-budgets). One value type, four models; each model reads only the
// lifecycle calls it needs, so the caller reports every call for every model.
#include <algorithm>
#include <cmath>
#include <cstdint>

#include "stack/core/assert.hpp"
#include "stack/resilience/budget.hpp"

namespace squall::stack::resilience {
namespace {

constexpr std::int64_t ns_per_s = 1'000'000'000;
constexpr std::int64_t max_ttl_s = 3'600;  // bounded ring; Finagle itself stops at 60 s

std::int64_t floor_div(std::int64_t a, std::int64_t b) { return a / b - ((a % b != 0) && ((a < 0) != (b < 0))); }
std::int64_t floor_mod(std::int64_t a, std::int64_t b) { return a - floor_div(a, b) * b; }

void validate(const budget_config& c) {
  SQUALL_ASSERT(c.ratio >= 0.0, "budget ratio must be >= 0");
  SQUALL_ASSERT(c.min_per_s >= 0.0, "budget min_per_s must be >= 0");
  if (c.model == budget_model::windowed) {
    SQUALL_ASSERT(c.ttl.count() >= ns_per_s && c.ttl.count() <= max_ttl_s * ns_per_s,
                  "budget ttl must be in [1 s, 3600 s]");
  }
  SQUALL_ASSERT(c.budget_percent >= 0.0, "budget budget_percent must be >= 0");
  SQUALL_ASSERT(c.min_retry_concurrency >= 0, "budget min_retry_concurrency must be >= 0");
  SQUALL_ASSERT(c.capacity >= 0 && c.retry_cost >= 0 && c.timeout_retry_cost >= 0 && c.success_increment >= 0,
                "token bucket amounts must be >= 0");
}

}  // namespace

retry_budget::retry_budget(const budget_config& config) : config_(config) {
  validate(config_);
  if (config_.model == budget_model::windowed) {
    // Whole seconds, like Finagle's ttl.inSeconds.
    slots_.resize(static_cast<std::size_t>(config_.ttl.count() / ns_per_s));
  }
  tokens_ = config_.capacity;  // AWS: the bucket starts full
}

void retry_budget::on_original(instant now) {
  ++stats_.originals;  // cumulative_ratio reads this counter directly: it never decays
  if (config_.model == budget_model::windowed) {
    ++current_slot(now).originals;
    ++win_originals_;
  }
}

bool retry_budget::try_retry(instant now, bool after_timeout) {
  const bool ok = decide(now, after_timeout);
  if (ok) {
    ++stats_.retries_allowed;
  } else {
    ++stats_.retries_denied;
  }
  return ok;
}

bool retry_budget::decide(instant now, bool after_timeout) {
  switch (config_.model) {
    case budget_model::cumulative_ratio: {
      // Seed 004: int(original * ratio), the float product truncated, exactly as Python/Go compute it.
      const auto max_retries = static_cast<std::uint64_t>(static_cast<double>(stats_.originals) * config_.ratio);
      if (retries_ >= max_retries) return false;
      ++retries_;
      return true;
    }
    case budget_model::windowed:
      return decide_windowed(now);
    case budget_model::concurrency: {
      // Envoy RetryBudgetImpl::max(): max(uint64(percent / 100 * active), min_retry_concurrency).
      const auto by_percent =
          static_cast<std::int64_t>(config_.budget_percent / 100.0 * static_cast<double>(active_attempts_));
      return active_retries_ < std::max<std::int64_t>(by_percent, config_.min_retry_concurrency);
    }
    case budget_model::token_bucket: {
      const std::int64_t cost = after_timeout ? config_.timeout_retry_cost : config_.retry_cost;
      if (tokens_ < cost) return false;
      tokens_ -= cost;
      return true;
    }
  }
  SQUALL_ASSERT(false, "unknown budget model");
  return false;
}

bool retry_budget::decide_windowed(instant now) {
  // Finagle TokenRetryBudget over a leaky bucket: balance = reserve + deposits - withdrawals, all within ttl,
  // in retries: min_per_s * ttl_s + ratio * originals - retries. A retry needs a whole one.
  slot& s = current_slot(now);
  const double reserve = config_.min_per_s * static_cast<double>(slots_.size());
  const double balance =
      reserve + config_.ratio * static_cast<double>(win_originals_) - static_cast<double>(win_retries_);
  if (balance < 1.0) return false;
  ++s.retries;
  ++win_retries_;
  return true;
}

retry_budget::slot& retry_budget::current_slot(instant now) {
  const auto n = static_cast<std::int64_t>(slots_.size());
  const std::int64_t t = ns_since_start(now);
  // Before head_end_ns_: the newest second, or a clock that stepped back, which keeps counting there.
  if (t >= head_end_ns_) {
    const std::int64_t epoch_s = floor_div(t, ns_per_s);
    // Reset only the seconds entering the window (at most n): what they held is older than ttl.
    const std::int64_t steps = head_s_ == INT64_MIN ? n : std::min(epoch_s - head_s_, n);
    for (std::int64_t e = epoch_s - steps + 1; e <= epoch_s; ++e) {
      slot& s = slots_[static_cast<std::size_t>(floor_mod(e, n))];
      win_originals_ -= s.originals;
      win_retries_ -= s.retries;
      s = slot{e, 0, 0};
    }
    head_s_ = epoch_s;
    head_end_ns_ = epoch_s >= INT64_MAX / ns_per_s ? INT64_MAX : (epoch_s + 1) * ns_per_s;
  }
  return slots_[static_cast<std::size_t>(floor_mod(head_s_, n))];
}

void retry_budget::on_attempt_start(instant /*now*/, bool is_retry) {
  if (config_.model != budget_model::concurrency) return;
  ++active_attempts_;
  if (is_retry) ++active_retries_;
}

void retry_budget::on_attempt_end(instant /*now*/, bool is_retry, bool granted_after_timeout, bool ok) {
  if (config_.model == budget_model::concurrency) {
    --active_attempts_;
    if (is_retry) --active_retries_;
    SQUALL_ASSERT(active_attempts_ >= 0 && active_retries_ >= 0, "attempt ended that never started");
    SQUALL_ASSERT(active_retries_ <= active_attempts_, "more active retries than attempts");
    return;
  }
  if (config_.model == budget_model::token_bucket && ok) {
    // AWS standard mode: a successful retry gives back what it cost; a first-try success earns the increment.
    std::int64_t refund = config_.success_increment;
    if (is_retry) refund = granted_after_timeout ? config_.timeout_retry_cost : config_.retry_cost;
    tokens_ = std::min<std::int64_t>(tokens_ + refund, config_.capacity);
  }
}

const char* to_string(budget_model m) {
  switch (m) {
    case budget_model::cumulative_ratio: return "cumulative_ratio";
    case budget_model::windowed: return "windowed";
    case budget_model::concurrency: return "concurrency";
    case budget_model::token_bucket: return "token_bucket";
  }
  return "?";
}

}  // namespace squall::stack::resilience
