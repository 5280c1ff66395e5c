// fakes::draw_latency: each distribution's parameters, never negative, bounded at one hour.
#include <catch2/catch.hpp>

#include <cmath>
#include <string>

#include "fakes/latency.hpp"
#include "tests/sim/moments.hpp"

using namespace squall::fakes;
using squall::sim::rng;
using squall::test::moments;
using squall::test::within_se;

namespace {

constexpr int draws = 100'000;

double draw_ms(const latency_config& c, rng& r) { return static_cast<double>(draw_latency(c, r).count()) / 1e6; }

}  // namespace

TEST_CASE("constant latency is exact to the nanosecond", "[latency]") {
  latency_config c;
  c.dist = latency_dist::constant;
  c.value_ms = 12.3456789;
  rng r(1);
  CHECK(draw_latency(c, r).count() == 12'345'679);
  c.value_ms = -5;  // clamped
  CHECK(draw_latency(c, r).count() == 0);
}

TEST_CASE("uniform, exponential, normal, lognormal and pareto latencies", "[latency]") {
  rng r(2);
  SECTION("uniform") {
    latency_config c;
    c.dist = latency_dist::uniform;
    c.min_ms = 5;
    c.max_ms = 15;
    moments m;
    bool in_range = true;
    for (int i = 0; i < draws; ++i) {
      const double x = draw_ms(c, r);
      in_range = in_range && x >= 5 && x <= 15;
      m.add(x);
    }
    CHECK(in_range);
    CHECK(within_se(m.mean, 10, std::sqrt(100.0 / 12 / draws)));
  }
  SECTION("exponential") {
    latency_config c;
    c.dist = latency_dist::exponential;
    c.mean_ms = 7;
    moments m;
    for (int i = 0; i < draws; ++i) m.add(draw_ms(c, r));
    CHECK(within_se(m.mean, 7, 7 / std::sqrt(draws)));
  }
  SECTION("lognormal") {
    latency_config c;  // the default: lognormal, median 20 ms, sigma 0.5
    int below = 0;
    for (int i = 0; i < draws; ++i) below += draw_ms(c, r) < 20 ? 1 : 0;
    CHECK(within_se(static_cast<double>(below) / draws, 0.5, std::sqrt(0.25 / draws)));
  }
  SECTION("normal, truncated at 0") {
    latency_config c;
    c.dist = latency_dist::normal;
    c.mean_ms = 0;
    c.stddev_ms = 10;
    int zero = 0;
    double lowest = 1;
    for (int i = 0; i < draws; ++i) {
      const double x = draw_ms(c, r);
      lowest = std::min(lowest, x);
      zero += x == 0 ? 1 : 0;
    }
    CHECK(lowest == 0);
    // Half the mass is below 0 and lands on 0 (plus a sliver that rounds to 0 ns).
    CHECK(within_se(static_cast<double>(zero) / draws, 0.5, std::sqrt(0.25 / draws)));
    c.mean_ms = 50;
    c.stddev_ms = 5;
    moments m;
    for (int i = 0; i < draws; ++i) m.add(draw_ms(c, r));
    CHECK(within_se(m.mean, 50, 5 / std::sqrt(draws)));
  }
  SECTION("pareto") {
    latency_config c;
    c.dist = latency_dist::pareto;
    c.scale_ms = 4;
    c.shape = 3;
    moments m;
    double lowest = 1e9;
    for (int i = 0; i < draws; ++i) {
      const double x = draw_ms(c, r);
      lowest = std::min(lowest, x);
      m.add(x);
    }
    CHECK(lowest >= 4);
    CHECK(within_se(m.mean, 6, std::sqrt(12.0 / draws)));  // mean 3·4/2, variance 16·3/(4·1)
  }
}

TEST_CASE("a heavy tail is bounded at one hour", "[latency]") {
  latency_config c;
  c.dist = latency_dist::pareto;
  c.scale_ms = 1000;
  c.shape = 0.05;  // P(X > 1 h) = 3600^-0.05 ≈ 0.66
  rng r(3);
  int capped = 0;
  bool bounded = true;
  for (int i = 0; i < 10'000; ++i) {
    const auto d = draw_latency(c, r);
    bounded = bounded && d.count() <= 3'600'000'000'000;
    capped += d.count() == 3'600'000'000'000 ? 1 : 0;
  }
  CHECK(bounded);
  const double p = std::pow(3600.0, -0.05);
  CHECK(within_se(capped / 10'000.0, p, std::sqrt(p * (1 - p) / 10'000)));
}

TEST_CASE("names of distributions and fault kinds", "[latency]") {
  CHECK(std::string(to_string(latency_dist::constant)) == "constant");
  CHECK(std::string(to_string(latency_dist::uniform)) == "uniform");
  CHECK(std::string(to_string(latency_dist::exponential)) == "exponential");
  CHECK(std::string(to_string(latency_dist::lognormal)) == "lognormal");
  CHECK(std::string(to_string(latency_dist::normal)) == "normal");
  CHECK(std::string(to_string(latency_dist::pareto)) == "pareto");
  CHECK(std::string(to_string(fault_kind::error_storm)) == "error_storm");
  CHECK(std::string(to_string(fault_kind::latency_spike)) == "latency_spike");
  CHECK(std::string(to_string(fault_kind::outage)) == "outage");
  CHECK(std::string(to_string(fault_kind::hang)) == "hang");
  CHECK(std::string(to_string(fault_kind::rate_limit)) == "rate_limit");
  CHECK(std::string(to_string(fault_kind::reset)) == "reset");
}
