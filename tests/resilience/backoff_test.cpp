// Retry delays: each formula at chosen uniforms, then properties over many seeded draws.
#include <catch2/catch.hpp>

#include <cmath>
#include <cstdint>
#include <limits>
#include <string>

#include "stack/resilience/backoff.hpp"
#include "support.hpp"

namespace squall::stack::resilience {
namespace {

using test::ms;
using test::splitmix64;

backoff_config cfg(backoff_kind kind, duration base = ms(100), duration cap = ms(10'000)) {
  backoff_config c;
  c.kind = kind;
  c.base = base;
  c.cap = cap;
  return c;
}

duration delay(backoff_kind kind, int k, double u, duration prev = duration{0}) {
  return backoff_delay(cfg(kind), k, prev, u);
}

constexpr auto max_duration = duration{std::numeric_limits<std::int64_t>::max()};

TEST_CASE("backoff none: min(cap, base * 2^k)", "[backoff]") {
  CHECK(delay(backoff_kind::none, 1, 0.7) == ms(200));
  CHECK(delay(backoff_kind::none, 3, 0.0) == ms(800));
  CHECK(delay(backoff_kind::none, 6, 0.0) == ms(6'400));
  CHECK(delay(backoff_kind::none, 7, 0.0) == ms(10'000));  // 12.8 s capped
  CHECK(delay(backoff_kind::none, 0, 0.0) == ms(100));
}

TEST_CASE("backoff full_jitter: U(0, v)", "[backoff]") {
  CHECK(delay(backoff_kind::full_jitter, 1, 0.0) == ms(0));
  CHECK(delay(backoff_kind::full_jitter, 1, 0.5) == ms(100));
  CHECK(delay(backoff_kind::full_jitter, 2, 0.25) == ms(100));
  CHECK(delay(backoff_kind::full_jitter, 10, 0.5) == ms(5'000));  // v capped at 10 s first
}

TEST_CASE("backoff equal_jitter: v/2 + U(0, v/2)", "[backoff]") {
  CHECK(delay(backoff_kind::equal_jitter, 1, 0.0) == ms(100));
  CHECK(delay(backoff_kind::equal_jitter, 1, 0.5) == ms(150));
  CHECK(delay(backoff_kind::equal_jitter, 3, 0.75) == ms(700));
  CHECK(delay(backoff_kind::equal_jitter, 20, 0.5) == ms(7'500));
}

TEST_CASE("backoff decorrelated: min(cap, U(base, 3 prev))", "[backoff]") {
  CHECK(delay(backoff_kind::decorrelated, 1, 0.0, ms(100)) == ms(100));
  CHECK(delay(backoff_kind::decorrelated, 1, 0.5, ms(100)) == ms(200));    // 100 + 0.5 * (300 - 100)
  CHECK(delay(backoff_kind::decorrelated, 1, 0.5, duration{0}) == ms(200));  // prev below base counts as base
  CHECK(delay(backoff_kind::decorrelated, 2, 0.25, ms(1'000)) == ms(825));  // 100 + 0.25 * 2900; k is unused
  CHECK(delay(backoff_kind::decorrelated, 2, 0.9, ms(5'000)) == ms(10'000));  // 13.51 s capped
}

TEST_CASE("backoff playbook: 2^k base + U(0, base), seed 004, not capped", "[backoff]") {
  CHECK(delay(backoff_kind::playbook, 1, 0.0) == ms(200));
  CHECK(delay(backoff_kind::playbook, 1, 0.5) == ms(250));
  CHECK(delay(backoff_kind::playbook, 2, 0.99) == ms(499));
  CHECK(delay(backoff_kind::playbook, 10, 0.0) == ms(102'400));  // above the 10 s cap
}

TEST_CASE("backoff rounds the jittered part to the nearest nanosecond", "[backoff]") {
  const backoff_config c = cfg(backoff_kind::full_jitter, duration{3}, duration{1'000});
  CHECK(backoff_delay(c, 1, duration{0}, 0.41) == duration{2});  // 2.46 ns
  CHECK(backoff_delay(c, 1, duration{0}, 0.49) == duration{3});  // 2.94 ns
  CHECK(backoff_delay(c, 1, duration{0}, 0.999999) == duration{6});
}

TEST_CASE("backoff: huge k saturates instead of overflowing", "[backoff][property]") {
  for (int k : {30, 40, 62, 63, 64, 100, 1'000, std::numeric_limits<int>::max()}) {
    INFO("k = " << k);
    CHECK(delay(backoff_kind::none, k, 0.3) == ms(10'000));
    CHECK(delay(backoff_kind::full_jitter, k, 0.5) == ms(5'000));
    CHECK(delay(backoff_kind::equal_jitter, k, 0.0) == ms(5'000));
  }
  // playbook is uncapped: once 2^k * base leaves int64 it pins at the maximum.
  CHECK(delay(backoff_kind::playbook, 100, 0.5) == max_duration);
  CHECK(delay(backoff_kind::playbook, 36, 0.0) == duration{100'000'000LL << 36});
  CHECK(delay(backoff_kind::playbook, 37, 0.0) == max_duration);  // 1e8 * 2^37 > 2^63
  // An uncapped config (cap = max) must not overflow either.
  const backoff_config c = cfg(backoff_kind::full_jitter, ms(100), max_duration);
  CHECK(backoff_delay(c, 200, duration{0}, 0.0) == duration{0});
  CHECK(backoff_delay(c, 200, duration{0}, 0.5).count() > 0);
  CHECK(backoff_delay(cfg(backoff_kind::decorrelated, ms(100), max_duration), 1, max_duration, 0.5).count() > 0);
}

// Mean of n draws within 5 standard errors of the expected mean: fails by chance with p < 1e-6, and the
// seed is fixed, so a pass is reproducible.
template <typename F>
void check_mean(F draw, double expected_mean, double sd, int n) {
  double sum = 0.0;
  for (int i = 0; i < n; ++i) sum += draw();
  const double mean = sum / n;
  const double se = sd / std::sqrt(static_cast<double>(n));
  INFO("mean " << mean << " expected " << expected_mean << " se " << se);
  CHECK(std::abs(mean - expected_mean) < 5.0 * se);
}

TEST_CASE("backoff property: full_jitter averages v/2", "[backoff][property]") {
  splitmix64 rng{42};
  const double v = 800e6;  // k = 3, base 100 ms
  check_mean([&] { return static_cast<double>(delay(backoff_kind::full_jitter, 3, rng.next_u01()).count()); },
             v / 2, v / std::sqrt(12.0), 200'000);
}

TEST_CASE("backoff property: equal_jitter averages 3v/4", "[backoff][property]") {
  splitmix64 rng{7};
  const double v = 1'600e6;  // k = 4
  check_mean([&] { return static_cast<double>(delay(backoff_kind::equal_jitter, 4, rng.next_u01()).count()); },
             0.75 * v, (v / 2) / std::sqrt(12.0), 200'000);
}

TEST_CASE("backoff property: the mean check can tell full from equal jitter", "[backoff][property]") {
  // Guards the statistical test itself: equal_jitter draws are far outside full_jitter's bound.
  splitmix64 rng{42};
  double sum = 0.0;
  const int n = 10'000;
  for (int i = 0; i < n; ++i) {
    sum += static_cast<double>(delay(backoff_kind::equal_jitter, 3, rng.next_u01()).count());
  }
  const double se = (800e6 / std::sqrt(12.0)) / std::sqrt(static_cast<double>(n));
  CHECK(std::abs(sum / n - 400e6) > 5.0 * se);
}

TEST_CASE("backoff property: decorrelated chains stay within (base, cap)", "[backoff][property]") {
  splitmix64 rng{2024};
  const backoff_config c = cfg(backoff_kind::decorrelated, ms(100), ms(10'000));
  duration prev = c.base;
  bool reached_cap = false;
  for (int i = 0; i < 100'000; ++i) {
    const duration d = backoff_delay(c, 1 + i % 10, prev, rng.next_u01());
    REQUIRE(d >= c.base);
    REQUIRE(d <= c.cap);
    reached_cap = reached_cap || d == c.cap;
    prev = d;
  }
  CHECK(reached_cap);  // the chain does grow into the cap
}

TEST_CASE("backoff property: capped kinds never exceed cap, never go negative", "[backoff][property]") {
  splitmix64 rng{99};
  for (int i = 0; i < 100'000; ++i) {
    const auto base = duration{1 + static_cast<std::int64_t>(rng.next() % 1'000'000'000)};
    const auto cap = duration{static_cast<std::int64_t>(rng.next() % 100'000'000'000)};
    const int k = static_cast<int>(rng.next() % 80);
    const double u = rng.next_u01();
    for (backoff_kind kind : {backoff_kind::none, backoff_kind::full_jitter, backoff_kind::equal_jitter}) {
      const duration d = backoff_delay(cfg(kind, base, cap), k, duration{0}, u);
      REQUIRE(d.count() >= 0);
      REQUIRE(d <= cap);
    }
    const duration p = backoff_delay(cfg(backoff_kind::playbook, base, cap), k, duration{0}, u);
    REQUIRE(p >= base);  // 2^k base + U(0, base) >= base for k >= 0
  }
}

TEST_CASE("backoff kind names", "[backoff]") {
  CHECK(std::string(to_string(backoff_kind::none)) == "none");
  CHECK(std::string(to_string(backoff_kind::full_jitter)) == "full_jitter");
  CHECK(std::string(to_string(backoff_kind::equal_jitter)) == "equal_jitter");
  CHECK(std::string(to_string(backoff_kind::decorrelated)) == "decorrelated");
  CHECK(std::string(to_string(backoff_kind::playbook)) == "playbook");
}

}  // namespace
}  // namespace squall::stack::resilience
