#pragma once
// Retry delays (DESIGN.md §3). Sans-IO: the uniform random number is passed in.
#include <cstdint>

#include "stack/core/time.hpp"

namespace squall::stack::resilience {

enum class backoff_kind : std::uint8_t { none, full_jitter, equal_jitter, decorrelated, playbook };

struct backoff_config {
  backoff_kind kind = backoff_kind::full_jitter;
  duration base{100'000'000};      // 100 ms
  duration cap{10'000'000'000};    // 10 s
};

// Delay before retry k (k = 1 for the first retry). v = min(cap, base * 2^k).
//   none = v; full_jitter = U(0, v); equal_jitter = v/2 + U(0, v/2);
//   decorrelated = min(cap, U(base, 3 * prev)) with prev = base before the first retry;
//   playbook = 2^k * base + U(0, base) (seed 004, not capped).
// u01 is uniform in [0, 1).
duration backoff_delay(const backoff_config& config, int k, duration prev, double u01);

const char* to_string(backoff_kind k);

}  // namespace squall::stack::resilience
