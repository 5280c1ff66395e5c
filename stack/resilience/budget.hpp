#pragma once
// Retry budgets (DESIGN.md §3, docs/policies.md). Sans-IO value types: every input carries `now`.
#include <cstdint>
#include <variant>
#include <vector>

#include "stack/core/time.hpp"
#include "stack/resilience/breaker.hpp"  // policy_mode

namespace squall::stack::resilience {

enum class budget_model : std::uint8_t { cumulative_ratio, windowed, concurrency, token_bucket };

struct budget_config {
  budget_model model = budget_model::cumulative_ratio;
  policy_mode mode = policy_mode::enforce;
  // cumulative_ratio and windowed
  double ratio = 0.2;
  // windowed (Finagle RetryBudget)
  duration ttl{10'000'000'000};
  double min_per_s = 10.0;
  // concurrency (Envoy retry_budget)
  double budget_percent = 20.0;
  int min_retry_concurrency = 3;
  // token_bucket (AWS SDK standard retry mode)
  int capacity = 500;
  int retry_cost = 5;
  int timeout_retry_cost = 10;
  int success_increment = 1;
};

struct budget_stats {
  std::uint64_t originals = 0;
  std::uint64_t retries_allowed = 0;
  std::uint64_t retries_denied = 0;
};

// The lifecycle the caller reports, for every model (each model uses what it needs):
//   on_original(now)                    a new original request is registered (seed 004: before the breaker)
//   try_retry(now, after_timeout)       may the request retry? withdraws on yes
//   on_attempt_start(now, is_retry)     an attempt goes out
//   on_attempt_end(now, is_retry, granted_after_timeout, ok)
//                                       an attempt finished (ok = success); granted_after_timeout says the
//                                       retry was granted after a timeout (token_bucket refunds its cost)
class retry_budget {
 public:
  explicit retry_budget(const budget_config& config);
  void on_original(instant now);
  bool try_retry(instant now, bool after_timeout);
  void on_attempt_start(instant now, bool is_retry);
  void on_attempt_end(instant now, bool is_retry, bool granted_after_timeout, bool ok);
  const budget_stats& stats() const { return stats_; }
  const budget_config& config() const { return config_; }

 private:
  bool decide(instant now, bool after_timeout);
  bool decide_windowed(instant now);
  budget_config config_;
  budget_stats stats_;
  // cumulative_ratio
  std::uint64_t retries_ = 0;
  // windowed: per-second buckets over ttl of (originals, retries)
  struct slot { std::int64_t epoch_s = -1; std::uint64_t originals = 0, retries = 0; };
  slot& current_slot(instant now);  // rolls the ring forward to now's second
  std::vector<slot> slots_;
  std::int64_t head_s_ = INT64_MIN;                 // newest second the ring holds
  std::int64_t head_end_ns_ = INT64_MIN;            // first ns after head_s_ (skips a division per call)
  std::uint64_t win_originals_ = 0, win_retries_ = 0;  // totals over the ring
  // concurrency
  std::int64_t active_attempts_ = 0, active_retries_ = 0;
  // token_bucket
  std::int64_t tokens_ = 0;
};

const char* to_string(budget_model m);

}  // namespace squall::stack::resilience
