// sim::node_clock: local = true + offset + drift·true; true_time inverts local.
#include <catch2/catch.hpp>

#include <cstdint>
#include <cstdlib>

#include "sim/node_clock.hpp"
#include "sim/rng.hpp"

using squall::sim::node_clock;
using squall::stack::duration;
using squall::stack::instant_from_ns;
using squall::stack::ns_since_start;

namespace {
constexpr std::int64_t ms = 1'000'000, s = 1'000'000'000;
}

TEST_CASE("the default clock is true time", "[node_clock]") {
  node_clock c;
  for (std::int64_t t : {std::int64_t{0}, std::int64_t{1}, 3600 * s}) {
    CHECK(ns_since_start(c.local(instant_from_ns(t))) == t);
    CHECK(ns_since_start(c.true_time(instant_from_ns(t))) == t);
  }
}

TEST_CASE("offset and drift", "[node_clock]") {
  const node_clock ahead(duration{5 * ms}, 100.0);  // 5 ms ahead, gaining 100 µs per second
  CHECK(ns_since_start(ahead.local(instant_from_ns(0))) == 5 * ms);
  CHECK(ns_since_start(ahead.local(instant_from_ns(10 * s))) == 10 * s + 5 * ms + 1 * ms);
  CHECK(ns_since_start(ahead.local(instant_from_ns(3600 * s))) == 3600 * s + 5 * ms + 360 * ms);

  const node_clock behind(duration{-2 * ms}, -50.0);  // 2 ms behind, losing 50 µs per second
  CHECK(ns_since_start(behind.local(instant_from_ns(2 * s))) == 2 * s - 2 * ms - 100'000);

  // A local interval is the true interval scaled by (1 + ppm·1e-6).
  const auto a = ahead.local(instant_from_ns(1 * s)), b = ahead.local(instant_from_ns(2 * s));
  CHECK((b - a).count() == s + 100'000);
}

TEST_CASE("true_time inverts local to within a nanosecond", "[node_clock]") {
  squall::sim::rng r(3);
  for (int i = 0; i < 2000; ++i) {
    const node_clock c(duration{static_cast<std::int64_t>(r.uniform(-1e9, 1e9))}, r.uniform(-500, 500));
    const auto t = static_cast<std::int64_t>(r.uniform(0, 3600e9));
    const auto local = c.local(instant_from_ns(t));
    REQUIRE(std::llabs(ns_since_start(c.true_time(local)) - t) <= 1);
    // and the other way round
    const auto back = c.local(c.true_time(instant_from_ns(t)));
    REQUIRE(std::llabs(ns_since_start(back) - t) <= 1);
  }
}

TEST_CASE("a jump steps the offset", "[node_clock]") {
  node_clock c(duration{1 * ms}, 0.0);
  c.jump(duration{-3 * ms});
  CHECK(ns_since_start(c.local(instant_from_ns(10 * s))) == 10 * s - 2 * ms);
  CHECK(ns_since_start(c.true_time(instant_from_ns(10 * s))) == 10 * s + 2 * ms);
}
