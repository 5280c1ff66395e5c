// Property test: histogram quantiles against exact nearest-rank quantiles of the same samples.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <functional>
#include <vector>

#include "reports/latency_histogram.hpp"

using squall::reports::latency_histogram;

namespace {

// splitmix64: a tiny deterministic generator, so the test draws the same samples on every platform.
struct splitmix {
  std::uint64_t state;
  std::uint64_t next() {
    std::uint64_t z = (state += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
  }
  double uniform() { return static_cast<double>(next() >> 11) * 0x1.0p-53; }  // [0, 1)
  double normal() {  // Box-Muller
    const double u1 = 1.0 - uniform();
    const double u2 = uniform();
    return std::sqrt(-2.0 * std::log(u1)) * std::cos(6.283185307179586 * u2);
  }
};

double exact_quantile(const std::vector<std::int64_t>& sorted, double q) {
  auto rank = static_cast<std::size_t>(std::ceil(q * static_cast<double>(sorted.size())));
  rank = std::clamp<std::size_t>(rank, 1, sorted.size());
  return static_cast<double>(sorted[rank - 1]);
}

}  // namespace

TEST_CASE("latency histogram quantiles are within 1 % of the exact sample quantiles") {
  struct distribution {
    const char* name;
    std::function<std::int64_t(splitmix&)> draw;
  };
  const std::vector<distribution> distributions = {
      {"uniform 1 ns .. 1 s", [](splitmix& r) { return static_cast<std::int64_t>(1 + r.uniform() * 1e9); }},
      {"lognormal median 20 ms sigma 0.5",
       [](splitmix& r) { return static_cast<std::int64_t>(20e6 * std::exp(0.5 * r.normal())); }},
      {"lognormal median 1 ms sigma 2 (heavy tail)",
       [](splitmix& r) { return static_cast<std::int64_t>(1e6 * std::exp(2.0 * r.normal())); }},
      {"exponential mean 5 ms",
       [](splitmix& r) { return static_cast<std::int64_t>(-5e6 * std::log(1.0 - r.uniform())); }},
      {"pareto alpha 1.2 from 100 us",
       [](splitmix& r) { return static_cast<std::int64_t>(1e5 / std::pow(1.0 - r.uniform(), 1 / 1.2)); }},
      {"small integers 0 .. 999", [](splitmix& r) { return static_cast<std::int64_t>(r.next() % 1000); }},
      {"bimodal 1 ms / 200 ms timeouts",
       [](splitmix& r) { return r.uniform() < 0.9 ? static_cast<std::int64_t>(1e6 + r.uniform() * 1e5)
                                                   : static_cast<std::int64_t>(200e6 + r.uniform() * 1e3); }},
      {"huge values near 2^62", [](splitmix& r) { return static_cast<std::int64_t>((1ull << 62) + (r.next() >> 3)); }},
  };
  const double qs[] = {0.0, 0.001, 0.1, 0.5, 0.9, 0.99, 0.999, 0.9999, 1.0};
  std::uint64_t seed = 1;
  for (const distribution& d : distributions) {
    for (const std::size_t n : {std::size_t{1}, std::size_t{7}, std::size_t{1000}, std::size_t{200000}}) {
      splitmix rng{seed++};
      latency_histogram h;
      std::vector<std::int64_t> samples;
      double sum = 0;
      for (std::size_t i = 0; i < n; ++i) {
        const std::int64_t v = d.draw(rng);
        samples.push_back(v);
        h.record(v);
        sum += static_cast<double>(v);
      }
      std::sort(samples.begin(), samples.end());
      INFO(d.name << ", n = " << n);
      CHECK(h.count() == n);
      CHECK(h.max() == static_cast<std::uint64_t>(samples.back()));
      CHECK(h.min() == static_cast<std::uint64_t>(samples.front()));
      CHECK(h.mean() == Approx(sum / static_cast<double>(n)).epsilon(1e-12));
      for (const double q : qs) {
        INFO("q = " << q);
        const double exact = exact_quantile(samples, q);
        const double estimate = h.quantile(q);
        CHECK(std::fabs(estimate - exact) <= 0.01 * exact);
      }
    }
  }
}

TEST_CASE("latency histogram buckets tile the value range without gaps") {
  // Each bucket starts where the previous one ends, and index_of maps both ends of a bucket back to it.
  std::uint64_t expected_lower = 0;
  for (int i = 0; i < latency_histogram::bucket_count; ++i) {
    INFO(i);
    REQUIRE(latency_histogram::lower_of(i) == expected_lower);
    const std::uint64_t last = expected_lower + latency_histogram::width_of(i) - 1;
    CHECK(latency_histogram::index_of(expected_lower) == i);
    CHECK(latency_histogram::index_of(last) == i);
    // Relative width bound that the 1 % guarantee rests on.
    if (latency_histogram::width_of(i) > 1) {  // width-1 buckets are exact
      CHECK(static_cast<double>(latency_histogram::width_of(i)) / static_cast<double>(expected_lower) <= 1.0 / 128);
    }
    expected_lower = last + 1;
  }
  CHECK(expected_lower - 1 >= static_cast<std::uint64_t>(INT64_MAX));
}

TEST_CASE("latency histogram: empty, negative and single values") {
  latency_histogram h;
  CHECK(h.quantile(0.5) == 0);
  CHECK(h.mean() == 0);
  h.record(-5);  // clamps to 0: a latency cannot be negative
  CHECK(h.quantile(1.0) == 0);
  latency_histogram one;
  one.record(123456789);
  CHECK(one.quantile(0.5) == 123456789.0);  // clamped to the observed min/max
}
