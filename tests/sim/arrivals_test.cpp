// sim::arrival_process: Poisson counts and gaps, exact constant spacing, piecewise-constant steps.
#include <catch2/catch.hpp>

#include <cmath>
#include <cstdint>
#include <vector>

#include "sim/arrivals.hpp"
#include "tests/sim/moments.hpp"

using squall::sim::arrival_model;
using squall::sim::arrival_process;
using squall::sim::arrivals_config;
using squall::sim::rng;
using squall::stack::duration;
using squall::stack::instant_from_ns;
using squall::stack::ns_since_start;
using squall::test::moments;
using squall::test::within_se;

namespace {

constexpr std::int64_t s = 1'000'000'000;

// All arrival times in [0, end), each next() called with the previous arrival as in the runner's driver.
std::vector<std::int64_t> arrivals_until(arrival_process& p, std::int64_t end) {
  std::vector<std::int64_t> out;
  std::int64_t t = 0;
  while (true) {
    const auto next = p.next(instant_from_ns(t));
    if (next == arrival_process::never || ns_since_start(next) >= end) break;
    REQUIRE(ns_since_start(next) >= t);
    t = ns_since_start(next);
    out.push_back(t);
  }
  return out;
}

std::int64_t count_in(const std::vector<std::int64_t>& times, std::int64_t from, std::int64_t to) {
  std::int64_t n = 0;
  for (std::int64_t t : times) n += (t >= from && t < to) ? 1 : 0;
  return n;
}

arrivals_config poisson(double rate) { return arrivals_config{arrival_model::poisson, rate, {}}; }
arrivals_config constant(double rate) { return arrivals_config{arrival_model::constant, rate, {}}; }

}  // namespace

TEST_CASE("poisson: the count over a long horizon is rate·T within 5 sigma", "[arrivals]") {
  const double rate = 1000;
  const std::int64_t horizon = 200 * s;
  arrival_process p(poisson(rate), rng(1));
  const auto times = arrivals_until(p, horizon);
  const double expected = rate * 200;
  CHECK(within_se(static_cast<double>(times.size()), expected, std::sqrt(expected)));

  // Gaps are exponential with mean 1/rate; arrivals are strictly increasing.
  moments gaps;
  bool increasing = true;
  for (std::size_t i = 1; i < times.size(); ++i) {
    increasing = increasing && times[i] > times[i - 1];
    gaps.add(static_cast<double>(times[i] - times[i - 1]));
  }
  CHECK(increasing);
  const double mean_gap = 1e9 / rate;
  CHECK(within_se(gaps.mean, mean_gap, mean_gap / std::sqrt(static_cast<double>(gaps.n))));
  CHECK(within_se(gaps.stddev(), mean_gap, mean_gap / std::sqrt(static_cast<double>(gaps.n))));

  // Counts in 1-s windows have variance ≈ mean (index of dispersion 1); Var(s²) ≈ (λ + 2λ²)/n.
  moments per_second;
  for (std::int64_t w = 0; w < 200; ++w) per_second.add(static_cast<double>(count_in(times, w * s, (w + 1) * s)));
  CHECK(within_se(per_second.variance(), rate, std::sqrt((rate + 2 * rate * rate) / 200)));
}

TEST_CASE("poisson: next is strictly after now, and the same seed repeats", "[arrivals]") {
  arrival_process a(poisson(50), rng(2)), b(poisson(50), rng(2)), c(poisson(50), rng(3));
  bool differs = false;
  for (std::int64_t now : {std::int64_t{0}, std::int64_t{5}, 7 * s, 7 * s, 100 * s}) {
    const auto x = a.next(instant_from_ns(now));
    CHECK(ns_since_start(x) > now);
    CHECK(x == b.next(instant_from_ns(now)));
    differs = differs || x != c.next(instant_from_ns(now));
  }
  CHECK(differs);
}

TEST_CASE("poisson at rate 0 never arrives", "[arrivals]") {
  arrival_process p(poisson(0), rng(4));
  CHECK(p.next(instant_from_ns(0)) == arrival_process::never);
  CHECK(p.next(instant_from_ns(10 * s)) == arrival_process::never);
}

TEST_CASE("poisson: a gap beyond the clock's range means never, not an overflow", "[arrivals]") {
  // Mean gap 1e24 ns against an int64 clock of ~9.2e18 ns: P(a representable draw) ≈ 1e-5 per seed.
  for (std::uint64_t seed = 0; seed < 10; ++seed) {
    arrival_process p(poisson(1e-15), rng(seed));
    CHECK(p.next(instant_from_ns(0)) == arrival_process::never);
  }
}

TEST_CASE("constant: the first arrival is now, then exact spacing", "[arrivals]") {
  arrival_process p(constant(4), rng(5));
  const auto times = arrivals_until(p, 10 * s);
  REQUIRE(times.size() == 40);
  for (std::size_t i = 0; i < times.size(); ++i) CHECK(times[i] == static_cast<std::int64_t>(i) * 250'000'000);

  // 1e9/3 is not an integer: the gap is rounded once, so spacing is exactly 333'333'333 ns every time.
  arrival_process q(constant(3), rng(5));
  const auto thirds = arrivals_until(q, 100 * s);
  REQUIRE(thirds.size() == 301);
  for (std::size_t i = 1; i < thirds.size(); ++i) REQUIRE(thirds[i] - thirds[i - 1] == 333'333'333);

  // The first arrival is at whatever "now" the first call is given.
  arrival_process later(constant(10), rng(5));
  CHECK(ns_since_start(later.next(instant_from_ns(3 * s))) == 3 * s);
  CHECK(ns_since_start(later.next(instant_from_ns(3 * s))) == 3 * s + 100'000'000);

  // Beyond 1e9 per second the gap is clamped to 1 ns so time still moves.
  arrival_process fast(constant(5e9), rng(5));
  CHECK(ns_since_start(fast.next(instant_from_ns(0))) == 0);
  CHECK(ns_since_start(fast.next(instant_from_ns(0))) == 1);
}

TEST_CASE("constant at rate 0 never arrives", "[arrivals]") {
  arrival_process p(constant(0), rng(6));
  CHECK(p.next(instant_from_ns(0)) == arrival_process::never);
  CHECK(p.next(instant_from_ns(1)) == arrival_process::never);
}

TEST_CASE("steps: counts per step are rate·length, a rate-0 step yields none", "[arrivals]") {
  arrivals_config c;
  c.model = arrival_model::steps;
  c.steps = {{duration{0}, 200}, {duration{10 * s}, 0}, {duration{20 * s}, 1000}, {duration{30 * s}, 50},
             {duration{90 * s}, 0}};
  arrival_process p(c, rng(7));
  const auto times = arrivals_until(p, 1000 * s);
  const struct {
    std::int64_t from, to;
    double rate;
  } windows[] = {{0, 10 * s, 200}, {10 * s, 20 * s, 0}, {20 * s, 30 * s, 1000}, {30 * s, 90 * s, 50},
                 {90 * s, 1000 * s, 0}};
  for (const auto& w : windows) {
    const double expected = w.rate * static_cast<double>(w.to - w.from) / 1e9;
    const auto n = static_cast<double>(count_in(times, w.from, w.to));
    INFO("step from " << w.from / s << " s");
    if (w.rate == 0) {
      CHECK(n == 0);
    } else {
      CHECK(within_se(n, expected, std::sqrt(expected)));
    }
  }
  // The last step has rate 0 and no end: the process is exhausted.
  CHECK(p.next(instant_from_ns(90 * s)) == arrival_process::never);
  CHECK(p.next(instant_from_ns(500 * s)) == arrival_process::never);
}

TEST_CASE("steps: nothing arrives before the first step", "[arrivals]") {
  arrivals_config c;
  c.model = arrival_model::steps;
  c.steps = {{duration{5 * s}, 100}};
  for (std::uint64_t seed = 0; seed < 20; ++seed) {
    arrival_process p(c, rng(seed));
    CHECK(ns_since_start(p.next(instant_from_ns(0))) > 5 * s);
  }
}

TEST_CASE("steps: the boundary restart keeps the process Poisson across many short steps", "[arrivals]") {
  // 1000 steps of 10 ms at 100/s: each step alone expects one arrival, so a wrong restart rule (dropping or
  // doubling the draw that crosses a boundary) would show in the total.
  arrivals_config c;
  c.model = arrival_model::steps;
  for (std::int64_t i = 0; i < 1000; ++i) c.steps.push_back({duration{i * 10'000'000}, 100});
  c.steps.push_back({duration{10 * s}, 0});
  double total = 0;
  for (std::uint64_t seed = 0; seed < 20; ++seed) {
    arrival_process p(c, rng(100 + seed));
    total += static_cast<double>(arrivals_until(p, 20 * s).size());
  }
  const double expected = 20 * 100 * 10.0;
  CHECK(within_se(total, expected, std::sqrt(expected)));
}
