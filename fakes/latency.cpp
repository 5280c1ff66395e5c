#include "fakes/latency.hpp"

#include <algorithm>
#include <cmath>

namespace squall::fakes {

duration draw_latency(const latency_config& c, sim::rng& rng) {
  double ms = 0;
  switch (c.dist) {
    case latency_dist::constant: ms = c.value_ms; break;
    case latency_dist::uniform: ms = rng.uniform(c.min_ms, c.max_ms); break;
    case latency_dist::exponential: ms = rng.exponential(c.mean_ms); break;
    case latency_dist::lognormal: ms = rng.lognormal(c.median_ms, c.sigma); break;
    case latency_dist::normal: ms = rng.normal(c.mean_ms, c.stddev_ms); break;
    case latency_dist::pareto: ms = rng.pareto(c.scale_ms, c.shape); break;
  }
  // Bounded at one hour so a heavy pareto tail cannot overflow the clock.
  ms = std::clamp(ms, 0.0, 3.6e6);
  return duration{std::llround(ms * 1e6)};
}

const char* to_string(latency_dist d) {
  switch (d) {
    case latency_dist::constant: return "constant";
    case latency_dist::uniform: return "uniform";
    case latency_dist::exponential: return "exponential";
    case latency_dist::lognormal: return "lognormal";
    case latency_dist::normal: return "normal";
    case latency_dist::pareto: return "pareto";
  }
  return "?";
}

const char* to_string(fault_kind k) {
  switch (k) {
    case fault_kind::error_storm: return "error_storm";
    case fault_kind::latency_spike: return "latency_spike";
    case fault_kind::outage: return "outage";
    case fault_kind::hang: return "hang";
    case fault_kind::rate_limit: return "rate_limit";
    case fault_kind::reset: return "reset";
  }
  return "?";
}

}  // namespace squall::fakes
