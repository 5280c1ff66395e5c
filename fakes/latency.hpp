#pragma once
// Draws service times from a dependency's latency distribution.
#include "fakes/http_config.hpp"
#include "sim/rng.hpp"

namespace squall::fakes {

// One service time in nanoseconds (never negative).
duration draw_latency(const latency_config& config, sim::rng& rng);

}  // namespace squall::fakes
