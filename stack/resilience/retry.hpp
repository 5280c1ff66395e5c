#pragma once
// The retry policy of one dependency: how many attempts, how long to wait, which errors to retry.
#include "stack/resilience/backoff.hpp"
#include "stack/resilience/breaker.hpp"
#include "stack/resilience/budget.hpp"
#include "stack/resilience/classify.hpp"

namespace squall::stack::resilience {

struct retry_config {
  int max_attempts = 3;              // attempts in all, the first included
  backoff_config backoff;
  retry_on_config retry_on;
  bool honor_retry_after = false;    // wait max(backoff, Retry-After) when the response carries one
  duration retry_after_cap{60'000'000'000};  // never wait longer than this for a Retry-After
};

// Full resilience policy around one dependency call.
struct policy_config {
  duration timeout{200'000'000};     // per-attempt timeout
  retry_config retry;
  bool has_budget = false;
  budget_config budget;
  bool has_breaker = false;
  breaker_config breaker;
};

}  // namespace squall::stack::resilience
