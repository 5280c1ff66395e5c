#include "reports/breaker_checker.hpp"

#include <algorithm>

#include "reports/json_number.hpp"

namespace squall::reports {

breaker_checker::breaker_checker(const history::header& h, bool shadow)
    : shadow_(shadow),
      duration_ns_(h.duration_ns),
      flap_window_ns_(std::llround(h.flap_window_s * 1e9)),
      deps_(std::max<std::size_t>(1, h.dependencies.size())) {
  events_.reserve(64);
}

void breaker_checker::finish() {
  for (dep_state& d : deps_) {
    if (d.state == history::breaker_state::open) {
      time_open_ns_ += std::max<std::int64_t>(0, duration_ns_ - d.open_since_ns);
      d.open_since_ns = std::max(d.open_since_ns, duration_ns_);
    }
  }
}

nlohmann::json breaker_checker::to_json() const {
  using history::breaker_state;
  nlohmann::json kinds = {{"closed->open", by_kind_[0][1]},
                          {"open->half_open", by_kind_[1][2]},
                          {"half_open->closed", by_kind_[2][0]},
                          {"half_open->open", by_kind_[2][1]}};
  // Other transitions are unusual for the modelled breakers; show them only when they happen.
  for (int from = 0; from < 3; ++from) {
    for (int to = 0; to < 3; ++to) {
      const std::string key = std::string(to_string(static_cast<breaker_state>(from))) + "->" +
                              to_string(static_cast<breaker_state>(to));
      if (!kinds.contains(key) && by_kind_[from][to] > 0) kinds[key] = by_kind_[from][to];
    }
  }
  nlohmann::json events = nlohmann::json::array();
  for (const record& r : events_) {
    events.push_back({{"t_s", seconds_from_ns(r.t_ns)}, {"from", to_string(r.from)}, {"to", to_string(r.to)}});
  }
  const double hours = static_cast<double>(duration_ns_) / 3.6e12;
  return {{"transitions", transitions_},
          {"by_kind", std::move(kinds)},
          {"flaps", flaps_},
          {"flaps_per_hour", ratio(static_cast<double>(flaps_), hours)},
          {"time_open_s", seconds_from_ns(time_open_ns_)},
          {shadow_ ? "would_reject" : "rejected", rejected_},
          {"events", std::move(events)},
          {"events_truncated", events_truncated_}};
}

}  // namespace squall::reports
