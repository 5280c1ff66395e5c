#include "sim/node_clock.hpp"

#include <cmath>

namespace squall::sim {

stack::instant node_clock::local(stack::instant t) const {
  const auto since = stack::ns_since_start(t);
  const auto drift = static_cast<std::int64_t>(std::llround(static_cast<double>(since) * drift_ppm_ * 1e-6));
  return t + offset_ + stack::duration{drift};
}

stack::instant node_clock::true_time(stack::instant local_t) const {
  const auto shifted = stack::ns_since_start(local_t - offset_);
  const auto t = static_cast<std::int64_t>(std::llround(static_cast<double>(shifted) / (1.0 + drift_ppm_ * 1e-6)));
  return stack::instant_from_ns(t);
}

void node_clock::set_drift(stack::instant at, double ppm) {
  const stack::instant before = local(at);
  drift_ppm_ = ppm;
  offset_ += before - local(at);
}

}  // namespace squall::sim
