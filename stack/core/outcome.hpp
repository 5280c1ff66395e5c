#pragma once
// What one attempt against a dependency ended with, as the client saw it.
#include <cstdint>

#include "stack/core/time.hpp"

namespace squall::stack {

enum class attempt_kind : std::uint8_t {
  response,         // an HTTP response arrived (success or error status)
  timeout,          // the per-attempt deadline passed first: indeterminate, the server may still act
  reset,            // the connection was reset mid-request
  connect_failure,  // the connection was refused
};

struct attempt_result {
  attempt_kind kind = attempt_kind::response;
  int status = 200;                // meaningful when kind == response
  duration retry_after{0};         // Retry-After from a 429/503 response, 0 when absent
  duration latency{0};             // time from send to this result

  bool success() const { return kind == attempt_kind::response && status >= 200 && status < 400; }
};

const char* to_string(attempt_kind k);

}  // namespace squall::stack
