#pragma once
// Breaker transitions, flaps and time open, for enforcing breakers or (shadow = true) for shadow-mode ones,
// which record decisions without enforcing them. One instance per mode; state is tracked per dependency.
// Bounded: one small state per header dependency plus the first 2000 transitions for the report and charts.
#include <cmath>
#include <cstdint>
#include <stdexcept>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "history/event.hpp"

namespace squall::reports {

class breaker_checker {
 public:
  static constexpr std::size_t events_max = 2000;

  breaker_checker(const history::header& h, bool shadow);

  void on_event(const history::event& e) {
    if (e.shadow != shadow_) return;
    if (e.type == history::event_type::breaker_reject) {
      ++rejected_;
    } else if (e.type == history::event_type::breaker) {
      transition(e);
    }
  }

  // Accounts for a breaker still open at the end of the run. Call once, after the last event.
  void finish();
  nlohmann::json to_json() const;

 private:
  struct dep_state {
    history::breaker_state state = history::breaker_state::closed;
    std::int64_t open_since_ns = 0;
    std::int64_t last_closed_ns = -1;  // when it last entered closed; -1 before any such transition
  };
  struct record {
    std::int64_t t_ns;
    history::breaker_state from;
    history::breaker_state to;
  };

  void transition(const history::event& e) {
    if (e.dep >= deps_.size()) {
      throw std::out_of_range("breaker event for dependency #" + std::to_string(e.dep) + " but the header lists " +
                              std::to_string(deps_.size()));
    }
    dep_state& d = deps_[e.dep];
    ++transitions_;
    ++by_kind_[static_cast<int>(e.from)][static_cast<int>(e.to)];
    if (d.state == history::breaker_state::open && e.to != history::breaker_state::open) {
      time_open_ns_ += e.t_ns - d.open_since_ns;
    }
    if (e.to == history::breaker_state::open) {
      if (d.state != history::breaker_state::open) d.open_since_ns = e.t_ns;
      if (d.last_closed_ns >= 0 && e.t_ns - d.last_closed_ns <= flap_window_ns_) ++flaps_;
    } else if (e.to == history::breaker_state::closed) {
      d.last_closed_ns = e.t_ns;
    }
    d.state = e.to;
    if (events_.size() < events_max) {
      events_.push_back({e.t_ns, e.from, e.to});
    } else {
      events_truncated_ = true;
    }
  }

  bool shadow_;
  std::int64_t duration_ns_;
  std::int64_t flap_window_ns_;
  std::vector<dep_state> deps_;
  std::uint64_t transitions_ = 0;
  std::uint64_t by_kind_[3][3] = {};
  std::uint64_t flaps_ = 0;
  std::int64_t time_open_ns_ = 0;
  std::uint64_t rejected_ = 0;
  std::vector<record> events_;
  bool events_truncated_ = false;
};

}  // namespace squall::reports
