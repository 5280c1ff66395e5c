#include "stack/resilience/backoff.hpp"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>

#include "stack/core/assert.hpp"

namespace squall::stack::resilience {
namespace {

constexpr std::int64_t max_ns = std::numeric_limits<std::int64_t>::max();

// base * 2^k without overflow: saturates at max_ns (and never shifts by 63 or more, which is undefined).
std::int64_t scaled(std::int64_t base_ns, int k) {
  if (base_ns <= 0) return 0;
  if (k >= 63 || base_ns > (max_ns >> k)) return max_ns;
  return base_ns << k;
}

// round(u01 * span): the only place doubles enter, so every kind rounds the same way.
std::int64_t uniform_ns(double u01, std::int64_t span_ns) {
  if (span_ns <= 0) return 0;
  const double x = u01 * static_cast<double>(span_ns);
  // Beyond 2^63 the double is not representable as int64; spans that large are saturated anyway.
  if (x >= 9.2e18) return span_ns;
  return std::min<std::int64_t>(std::llround(x), span_ns);
}

std::int64_t sat_add(std::int64_t a, std::int64_t b) { return a > max_ns - b ? max_ns : a + b; }

}  // namespace

duration backoff_delay(const backoff_config& config, int k, duration prev, double u01) {
  SQUALL_ASSERT(k >= 0, "retry index k must be >= 0");
  SQUALL_ASSERT(u01 >= 0.0 && u01 < 1.0, "u01 must be in [0, 1)");
  const std::int64_t base = config.base.count();
  const std::int64_t cap = config.cap.count();
  SQUALL_ASSERT(base >= 0 && cap >= 0, "backoff base and cap must be >= 0");
  const std::int64_t v = std::min(cap, scaled(base, k));

  switch (config.kind) {
    case backoff_kind::none:
      return duration{v};
    case backoff_kind::full_jitter:
      return duration{uniform_ns(u01, v)};
    case backoff_kind::equal_jitter: {
      const std::int64_t half = v / 2;
      return duration{half + uniform_ns(u01, half)};
    }
    case backoff_kind::decorrelated: {
      // A prev below base (0 before the first retry) counts as base, so the first draw is U(base, 3 base).
      const std::int64_t p = std::max(prev.count(), base);
      const std::int64_t hi = p > max_ns / 3 ? max_ns : 3 * p;
      return duration{std::min(cap, base + uniform_ns(u01, hi - base))};
    }
    case backoff_kind::playbook:
      // Seed 004 does not cap this one; saturate instead of overflowing.
      return duration{sat_add(scaled(base, k), uniform_ns(u01, base))};
  }
  SQUALL_ASSERT(false, "unknown backoff kind");
  return duration{0};
}

const char* to_string(backoff_kind k) {
  switch (k) {
    case backoff_kind::none: return "none";
    case backoff_kind::full_jitter: return "full_jitter";
    case backoff_kind::equal_jitter: return "equal_jitter";
    case backoff_kind::decorrelated: return "decorrelated";
    case backoff_kind::playbook: return "playbook";
  }
  return "?";
}

}  // namespace squall::stack::resilience
