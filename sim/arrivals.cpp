#include "sim/arrivals.hpp"

#include <cmath>
#include <limits>

namespace squall::sim {

arrival_process::arrival_process(arrivals_config config, rng stream) : config_(std::move(config)), rng_(stream) {}

// The rate in force at t and when it stops being in force.
double arrival_process::rate_at(std::int64_t t_ns, std::int64_t& step_end_ns) const {
  step_end_ns = std::numeric_limits<std::int64_t>::max();
  if (config_.model != arrival_model::steps) return config_.rate_per_s;
  double rate = 0;
  for (std::size_t i = 0; i < config_.steps.size(); ++i) {
    if (config_.steps[i].at.count() > t_ns) {
      step_end_ns = config_.steps[i].at.count();
      break;
    }
    rate = config_.steps[i].rate_per_s;
  }
  return rate;
}

stack::instant arrival_process::next(stack::instant now) {
  std::int64_t t = stack::ns_since_start(now);
  if (config_.model == arrival_model::constant) {
    if (!(config_.rate_per_s > 0)) return never;  // 1e9 / 0 would be infinite (and llround of it undefined)
    const auto gap = static_cast<std::int64_t>(std::llround(1e9 / config_.rate_per_s));
    if (first_) {
      first_ = false;
      return now;
    }
    return stack::instant_from_ns(t + std::max<std::int64_t>(gap, 1));
  }
  first_ = false;
  // Poisson with a piecewise-constant rate: draw at the current rate; if the draw crosses into the next step,
  // restart from the boundary (memorylessness makes this exact).
  while (true) {
    std::int64_t step_end = 0;
    const double rate = rate_at(t, step_end);
    if (rate <= 0) {
      if (step_end == std::numeric_limits<std::int64_t>::max()) return never;
      t = step_end;
      continue;
    }
    const double gap_ns = rng_.exponential(1e9 / rate);
    // Compare before converting: a tiny rate can draw a gap beyond the int64 clock.
    if (gap_ns < static_cast<double>(step_end - t)) {
      const auto candidate = t + std::max<std::int64_t>(1, std::llround(gap_ns));
      if (candidate < step_end) return stack::instant_from_ns(candidate);
    }
    if (step_end == std::numeric_limits<std::int64_t>::max()) return never;
    t = step_end;
  }
}

}  // namespace squall::sim
