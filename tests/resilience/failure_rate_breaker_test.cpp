// resilience4j-style failure-rate breaker: windows, minimum calls, slow calls, half-open trials.
#include <catch2/catch.hpp>

#include "stack/resilience/breaker.hpp"
#include "support.hpp"

namespace squall::stack::resilience {
namespace {

using test::at_ms;
using test::at_ns;
using test::ms;

breaker_config count_config(int window, int minimum, double threshold) {
  breaker_config c;
  c.model = breaker_model::failure_rate;
  c.window = breaker_window::count;
  c.window_size = window;
  c.minimum_calls = minimum;
  c.failure_rate_threshold = threshold;
  c.open = ms(1000);
  c.half_open_calls = 3;
  return c;
}

breaker_config time_config(int window_s, int minimum, double threshold) {
  breaker_config c = count_config(window_s, minimum, threshold);
  c.window = breaker_window::time;
  return c;
}

void ok(failure_rate_breaker& b, std::int64_t t, duration d = ms(1)) { b.record(at_ms(t), false, d); }
void fail(failure_rate_breaker& b, std::int64_t t) { b.record(at_ms(t), true, ms(1)); }

// Trips a count-window breaker at time t (window 4, minimum 4, threshold 50).
void trip(failure_rate_breaker& b, std::int64_t t) {
  for (int i = 0; i < 4; ++i) fail(b, t);
  REQUIRE(b.state() == breaker_state::open);
}

TEST_CASE("failure_rate: count window waits for minimum_calls, then opens at the threshold (>=)",
          "[breaker][failure_rate]") {
  failure_rate_breaker b(count_config(4, 4, 50.0));
  ok(b, 0);
  fail(b, 1);
  fail(b, 2);  // 2 of 3 failed, but only 3 calls recorded
  CHECK(b.state() == breaker_state::closed);
  ok(b, 3);  // 2 of 4 = 50 % >= 50 %
  CHECK(b.state() == breaker_state::open);
  CHECK(b.stats().transitions == 1);
}

TEST_CASE("failure_rate: count window slides, the oldest call drops out", "[breaker][failure_rate]") {
  failure_rate_breaker b(count_config(4, 4, 50.0));
  fail(b, 0);
  ok(b, 1);
  ok(b, 2);
  ok(b, 3);  // f s s s: 25 %
  ok(b, 4);  // s s s s: the failure left the window
  fail(b, 5);  // s s s f: 25 %
  CHECK(b.state() == breaker_state::closed);
  fail(b, 6);  // s s f f: 50 % (a cumulative count would say 3 / 7 = 43 %)
  CHECK(b.state() == breaker_state::open);
}

TEST_CASE("failure_rate: minimum_calls above a count window's size is capped at the size",
          "[breaker][failure_rate]") {
  failure_rate_breaker b(count_config(4, 10, 50.0));
  for (int i = 0; i < 3; ++i) fail(b, i);
  CHECK(b.state() == breaker_state::closed);
  fail(b, 3);  // the window is full: 4 calls are all there can ever be
  CHECK(b.state() == breaker_state::open);
}

TEST_CASE("failure_rate: time window forgets seconds older than window_size", "[breaker][failure_rate]") {
  failure_rate_breaker b(time_config(3, 3, 50.0));
  fail(b, 100);   // second 0
  ok(b, 200);     // second 0
  ok(b, 1000);    // second 1: f s s = 33 %
  CHECK(b.state() == breaker_state::closed);
  fail(b, 3500);  // second 3: the window is seconds 1..3, second 0 is gone: s f, only 2 calls
  CHECK(b.state() == breaker_state::closed);  // without expiry: f s s f = 50 %, it would have opened
  fail(b, 3600);  // s f f: 67 %
  CHECK(b.state() == breaker_state::open);
}

TEST_CASE("failure_rate: in a time window a success can open the breaker once old successes expire",
          "[breaker][failure_rate]") {
  failure_rate_breaker b(time_config(2, 2, 50.0));
  ok(b, 0);
  ok(b, 1);
  ok(b, 2);
  fail(b, 1000);  // s s s f: 25 %
  CHECK(b.state() == breaker_state::closed);
  ok(b, 2000);  // second 0 expired: f s = 50 %, and it is a success that tips it
  CHECK(b.state() == breaker_state::open);
}

TEST_CASE("failure_rate: a time window survives a long silence", "[breaker][failure_rate]") {
  failure_rate_breaker b(time_config(3, 3, 50.0));
  fail(b, 0);
  fail(b, 1);
  CHECK(b.state() == breaker_state::closed);
  // 100 s later every bucket is stale, including the one the new second maps to.
  ok(b, 100'000);
  ok(b, 100'001);
  fail(b, 100'002);  // s s f: 33 %; stale failures would make it 3 / 5
  CHECK(b.state() == breaker_state::closed);
  fail(b, 101'000);  // s s f f: 50 %
  CHECK(b.state() == breaker_state::open);
}

TEST_CASE("failure_rate: the second boundary is exact", "[breaker][failure_rate]") {
  failure_rate_breaker b(time_config(1, 2, 50.0));
  fail(b, 0);
  b.record(at_ns(999'999'999), false, ms(1));  // still second 0: f s = 50 %
  CHECK(b.state() == breaker_state::open);
  failure_rate_breaker b2(time_config(1, 2, 50.0));
  fail(b2, 0);
  b2.record(at_ns(1'000'000'000), false, ms(1));  // second 1: the failure expired, 1 call
  CHECK(b2.state() == breaker_state::closed);
}

TEST_CASE("failure_rate: a time window does not cap minimum_calls", "[breaker][failure_rate]") {
  failure_rate_breaker b(time_config(2, 5, 50.0));
  for (int i = 0; i < 4; ++i) fail(b, i);
  CHECK(b.state() == breaker_state::closed);
  fail(b, 4);
  CHECK(b.state() == breaker_state::open);
}

TEST_CASE("failure_rate: slow calls open the breaker on their own rate", "[breaker][failure_rate]") {
  breaker_config c = count_config(4, 4, 100.0);
  c.slow_call = ms(100);
  c.slow_call_rate_threshold = 50.0;
  SECTION("two of four successes slower than slow_call") {
    failure_rate_breaker b(c);
    ok(b, 0, ms(150));
    ok(b, 1, ms(50));
    ok(b, 2, ms(150));
    CHECK(b.state() == breaker_state::closed);
    ok(b, 3, ms(50));
    CHECK(b.state() == breaker_state::open);
  }
  SECTION("exactly slow_call is not slow (resilience4j compares with >)") {
    failure_rate_breaker b(c);
    for (int i = 0; i < 4; ++i) ok(b, i, ms(100));
    CHECK(b.state() == breaker_state::closed);
    ok(b, 4, ms(100) + duration{1});
    ok(b, 5, ms(100) + duration{1});  // 2 of the last 4 are slow
    CHECK(b.state() == breaker_state::open);
  }
  SECTION("slow_call = 0 disables slow-call tracking") {
    c.slow_call = duration{0};
    failure_rate_breaker b(c);
    for (int i = 0; i < 10; ++i) ok(b, i, ms(100'000));
    CHECK(b.state() == breaker_state::closed);
  }
  SECTION("a slow failure counts for both rates") {
    c.failure_rate_threshold = 50.0;
    c.slow_call_rate_threshold = 100.0;
    failure_rate_breaker b(c);
    ok(b, 0);
    ok(b, 1);
    ok(b, 2);
    b.record(at_ms(3), true, ms(500));  // 25 % failed, 25 % slow
    CHECK(b.state() == breaker_state::closed);
  }
}

TEST_CASE("failure_rate: OPEN rejects until strictly after `open`, then permits half_open_calls trials",
          "[breaker][failure_rate]") {
  failure_rate_breaker b(count_config(4, 4, 50.0));
  trip(b, 0);
  CHECK_FALSE(b.allow(at_ms(999)));
  CHECK_FALSE(b.allow(at_ms(1000)));  // isAfter(opened_at + open) is strict
  CHECK(b.allow(at_ns(1'000'000'001)));
  CHECK(b.state() == breaker_state::half_open);
  CHECK(b.allow(at_ms(1001)));
  CHECK(b.allow(at_ms(1001)));
  CHECK_FALSE(b.allow(at_ms(1001)));  // three permitted, the fourth is rejected
  CHECK_FALSE(b.allow(at_ms(5000)));  // and stays rejected until the trials report back
  CHECK(b.stats().rejected == 4);
}

TEST_CASE("failure_rate: half-open decides once all permitted outcomes are in", "[breaker][failure_rate]") {
  failure_rate_breaker b(count_config(4, 4, 50.0));
  trip(b, 0);
  for (int i = 0; i < 3; ++i) REQUIRE(b.allow(at_ms(2000)));

  SECTION("one failure of three: 33 % < 50 %, CLOSED with a cleared window") {
    fail(b, 2001);
    CHECK(b.state() == breaker_state::half_open);  // a failure does not re-open early
    ok(b, 2002);
    CHECK(b.state() == breaker_state::half_open);
    ok(b, 2003);
    CHECK(b.state() == breaker_state::closed);
    // The tripping failures are gone: three fresh failures are below minimum_calls.
    fail(b, 2004);
    fail(b, 2005);
    fail(b, 2006);
    CHECK(b.state() == breaker_state::closed);
    CHECK(b.allow(at_ms(2007)));
    fail(b, 2007);
    CHECK(b.state() == breaker_state::open);
  }
  SECTION("two failures of three: 67 % >= 50 %, OPEN again from the last outcome") {
    ok(b, 2001);
    fail(b, 2002);
    CHECK(b.state() == breaker_state::half_open);
    fail(b, 2500);
    CHECK(b.state() == breaker_state::open);
    CHECK_FALSE(b.allow(at_ms(3500)));  // opened_at = 2500
    CHECK(b.allow(at_ms(3501)));
  }
  CHECK(b.stats().transitions == 4);  // either way: C->O, O->H, then H->C->O or H->O->H
}

TEST_CASE("failure_rate: half-open decides after min(minimum_calls, half_open_calls) outcomes",
          "[breaker][failure_rate]") {
  breaker_config c = count_config(4, 2, 50.0);  // minimum 2 < 3 permitted trials
  failure_rate_breaker b(c);
  fail(b, 0);
  fail(b, 0);
  REQUIRE(b.state() == breaker_state::open);
  for (int i = 0; i < 3; ++i) REQUIRE(b.allow(at_ms(2000)));
  ok(b, 2001);
  CHECK(b.state() == breaker_state::half_open);
  ok(b, 2002);  // resilience4j's half-open window has minimumNumberOfCalls = min(2, 3)
  CHECK(b.state() == breaker_state::closed);
}

TEST_CASE("failure_rate: outcomes recorded while OPEN are ignored", "[breaker][failure_rate]") {
  failure_rate_breaker b(count_config(4, 4, 50.0));
  trip(b, 0);
  // Late results of calls admitted while CLOSED: no re-arm (unlike seed 004), no effect on the trial.
  for (int i = 0; i < 10; ++i) fail(b, 500 + i);
  for (int i = 0; i < 10; ++i) ok(b, 600 + i);
  CHECK(b.state() == breaker_state::open);
  CHECK(b.allow(at_ms(1001)));
  CHECK(b.state() == breaker_state::half_open);
  CHECK(b.stats().failures == 14);  // stats still count what the breaker was told
  CHECK(b.stats().successes == 10);
}

TEST_CASE("failure_rate: stats count transitions that changed the state", "[breaker][failure_rate]") {
  failure_rate_breaker b(count_config(4, 4, 50.0));
  trip(b, 0);                     // C->O
  REQUIRE(b.allow(at_ms(1001)));  // O->H
  b.allow(at_ms(1001));
  b.allow(at_ms(1001));
  ok(b, 1002);
  ok(b, 1002);
  ok(b, 1002);  // H->C
  CHECK(b.state() == breaker_state::closed);
  CHECK(b.stats().transitions == 3);
  CHECK(b.stats().allowed == 3);
}

}  // namespace
}  // namespace squall::stack::resilience
