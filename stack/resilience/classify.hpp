#pragma once
// Error classification: which attempt results are transient (worth a retry) and which count against a
// dependency's health (breaker failures).
#include <bitset>

#include "stack/core/outcome.hpp"

namespace squall::stack::resilience {

struct retry_on_config {
  bool any_5xx = true;
  bool too_many_requests = true;  // 429
  bool timeout = true;
  bool reset = true;
  bool connect_failure = true;
  std::bitset<600> statuses;      // extra specific statuses (e.g. 409) that are retryable
};

enum class error_class : std::uint8_t { success, transient, permanent };

// success: 2xx/3xx. transient: matched by retry_on. permanent: everything else (e.g. 400, 401, 404), which
// goes straight to failure / DLQ without retries.
error_class classify(const retry_on_config& config, const attempt_result& result);

// Whether a result counts as a failure of the dependency for a circuit breaker: 5xx, 429, timeout, reset and
// connection failure do; 4xx other than 429 are the caller's fault and do not.
bool is_dependency_failure(const attempt_result& result);

}  // namespace squall::stack::resilience
