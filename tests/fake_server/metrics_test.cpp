// The fake server's atomic histogram: buckets, the Prometheus text, and the quantile bound the status line prints.
#include <catch2/catch.hpp>

#include <array>
#include <chrono>
#include <limits>
#include <string>

#include "fakes/real/metrics.hpp"

namespace squall::test {
namespace {

using fakes::real::atomic_histogram;
using namespace std::chrono_literals;

constexpr std::array<double, 3> bounds_s{0.00001, 0.0001, 0.001};  // 10 µs, 100 µs, 1 ms

TEST_CASE("atomic_histogram: a quantile is bounded by the first bucket holding that share, +Inf beyond the last") {
  atomic_histogram h(bounds_s);
  CHECK(h.quantile_bound_s(0.99) == 0);  // nothing observed
  for (int i = 0; i < 98; ++i) h.observe(5us);
  h.observe(50us);
  h.observe(2ms);  // beyond the last bound
  CHECK(h.count() == 100);
  CHECK(h.quantile_bound_s(0.5) == 0.00001);
  CHECK(h.quantile_bound_s(0.99) == 0.0001);  // 99 of 100 are at or below 100 µs
  CHECK(h.quantile_bound_s(1.0) == std::numeric_limits<double>::infinity());
  h.observe(10us);  // a value on a bound belongs to that bucket (le)
  CHECK(h.quantile_bound_s(0.98) == 0.00001);
}

TEST_CASE("atomic_histogram: renders cumulative buckets, sum and count in the Prometheus text format") {
  atomic_histogram h(bounds_s);
  h.observe(5us);
  h.observe(500us);
  h.observe(3ms);
  std::string out;
  h.render(out, "x_seconds", "Help.");
  CHECK(out == "# HELP x_seconds Help.\n# TYPE x_seconds histogram\n"
               "x_seconds_bucket{le=\"1e-05\"} 1\nx_seconds_bucket{le=\"0.0001\"} 1\nx_seconds_bucket{le=\"0.001\"} 2\n"
               "x_seconds_bucket{le=\"+Inf\"} 3\nx_seconds_sum 0.003505\nx_seconds_count 3\n");
}

}  // namespace
}  // namespace squall::test
