// Seed 004's CircuitBreaker, replayed step by step.
#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "stack/resilience/breaker.hpp"
#include "support.hpp"

namespace squall::stack::resilience {
namespace {

using test::at_ms;
using test::ms;

enum class op { allow, ok, fail };

struct step {
  std::int64_t t_ms;
  op what;
  bool expect_allow;  // only checked for op::allow
  breaker_state expect_state;
};

constexpr auto C = breaker_state::closed;
constexpr auto O = breaker_state::open;
constexpr auto H = breaker_state::half_open;

breaker_config seed_config() {
  breaker_config c;
  c.model = breaker_model::consecutive;
  c.failure_threshold = 3;
  c.open = ms(1000);
  c.half_open_calls = 2;
  return c;
}

void replay(consecutive_breaker& b, const std::vector<step>& steps) {
  for (std::size_t i = 0; i < steps.size(); ++i) {
    const step& s = steps[i];
    INFO("step " << i << " at " << s.t_ms << " ms");
    if (s.what == op::allow) {
      CHECK(b.allow(at_ms(s.t_ms)) == s.expect_allow);
    } else {
      b.record(at_ms(s.t_ms), s.what == op::fail, ms(1));
    }
    CHECK(to_string(b.state()) == std::string(to_string(s.expect_state)));
  }
}

TEST_CASE("consecutive: seed 004 sequence, step by step", "[breaker][consecutive]") {
  consecutive_breaker b(seed_config());
  replay(b, {
      {0, op::allow, true, C},
      {0, op::fail, false, C},      // failures = 1
      {1, op::fail, false, C},      // 2
      {2, op::ok, false, C},        // a success resets the count
      {3, op::fail, false, C},      // 1
      {4, op::fail, false, C},      // 2
      {5, op::fail, false, O},      // 3 >= threshold: OPEN, opened_at = 5
      {6, op::allow, false, O},
      {500, op::fail, false, O},    // late failure while OPEN re-arms: opened_at = 500
      {1200, op::allow, false, O},  // 1195 ms after the first opening, but only 700 after the re-arm
      {1499, op::allow, false, O},
      {1500, op::allow, true, H},   // now - opened_at == open: >= lets it through
      {1500, op::allow, true, H},   // allow() does not count admitted calls ...
      {1500, op::allow, true, H},   // ... so a third concurrent trial also goes out
      {1510, op::ok, false, H},     // successes = 1
      {1511, op::allow, true, H},
      {1520, op::ok, false, C},     // successes = 2 = half_open_calls: CLOSED, failures = 0
      {1530, op::ok, false, C},     // the third trial lands in CLOSED: harmless
      {1540, op::fail, false, C},
      {1541, op::fail, false, C},
      {1600, op::fail, false, O},   // opened_at = 1600
      {2600, op::allow, true, H},
      {2601, op::ok, false, H},     // successes = 1
      {2602, op::fail, false, O},   // any failure in HALF_OPEN re-opens: opened_at = 2602
      {3601, op::allow, false, O},
      {3602, op::allow, true, H},   // half-open successes were reset to 0 ...
      {3603, op::ok, false, H},     // ... so one success is not enough
      {3604, op::ok, false, C},
  });
  const breaker_stats& s = b.stats();
  CHECK(s.allowed == 7);
  CHECK(s.rejected == 4);
  CHECK(s.successes == 7);
  CHECK(s.failures == 10);
  // C->O, O->H, H->C, C->O, O->H, H->O, O->H, H->C; the re-arm at 500 ms is not a transition.
  CHECK(s.transitions == 8);
}

TEST_CASE("consecutive: a late success while OPEN clears the count, so the next late failure does not re-arm",
          "[breaker][consecutive]") {
  consecutive_breaker b(seed_config());
  replay(b, {
      {0, op::fail, false, C},
      {0, op::fail, false, C},
      {0, op::fail, false, O},      // opened_at = 0
      {100, op::ok, false, O},      // failures = 0, still OPEN (the seed only closes from HALF_OPEN)
      {200, op::fail, false, O},    // failures = 1 < 3: no re-arm
      {1000, op::allow, true, H},   // so the original timer still applies
  });
}

TEST_CASE("consecutive: each failure while OPEN pushes the half-open probe further out",
          "[breaker][consecutive]") {
  consecutive_breaker b(seed_config());
  for (int i = 0; i < 3; ++i) b.record(at_ms(0), true, ms(1));
  REQUIRE(b.state() == O);
  // A stream of late failures every 900 ms keeps the breaker OPEN forever: each one re-arms the timer.
  for (std::int64_t t = 900; t <= 9000; t += 900) {
    CHECK_FALSE(b.allow(at_ms(t)));
    b.record(at_ms(t), true, ms(1));
  }
  CHECK_FALSE(b.allow(at_ms(9999)));  // the last re-arm was at 9000 ms
  CHECK(b.allow(at_ms(10'000)));
  CHECK(b.stats().transitions == 2);  // C->O and O->H only
}

TEST_CASE("consecutive: threshold 1 and half_open_calls 1", "[breaker][consecutive]") {
  breaker_config c = seed_config();
  c.failure_threshold = 1;
  c.half_open_calls = 1;
  consecutive_breaker b(c);
  replay(b, {
      {0, op::fail, false, O},
      {999, op::allow, false, O},
      {1000, op::allow, true, H},
      {1001, op::ok, false, C},
      {1002, op::allow, true, C},
  });
}

}  // namespace
}  // namespace squall::stack::resilience
