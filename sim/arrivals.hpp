#pragma once
// Open-loop arrival processes: when does the next original arrive? Independent of how fast the system
// answers, so overload shows up as queueing instead of hiding behind coordinated omission.
#include <cstdint>
#include <vector>

#include "sim/rng.hpp"
#include "stack/core/time.hpp"

namespace squall::sim {

enum class arrival_model : std::uint8_t { poisson, constant, steps };

struct rate_step {
  stack::duration at{0};  // from this time on (at_s)
  double rate_per_s = 0;
};

struct arrivals_config {
  arrival_model model = arrival_model::poisson;
  double rate_per_s = 0;            // poisson, constant
  std::vector<rate_step> steps;     // steps: sorted by at, the first at 0; arrivals within a step are poisson
};

class arrival_process {
 public:
  arrival_process(arrivals_config config, rng stream);
  // The first arrival strictly after `now` (constant: the very first call returns `now` itself); `never` if
  // none remain.
  stack::instant next(stack::instant now);
  static constexpr stack::instant never = stack::instant::max();

 private:
  double rate_at(std::int64_t t_ns, std::int64_t& step_end_ns) const;
  arrivals_config config_;
  rng rng_;
  bool first_ = true;
};

}  // namespace squall::sim
