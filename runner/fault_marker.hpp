#pragma once
// Marks the scenario's HTTP fault windows in the history (fault_start / fault_stop), so checkers see them in
// simulation and in real mode alike. Schedule fire with arg = (fault index << 1) | (1 for the stop).
#include <cstdint>
#include <vector>

#include "fakes/http_config.hpp"
#include "history/event.hpp"
#include "stack/worker/ports.hpp"

namespace squall::runner {

// Marks fault windows in the history so checkers can see them.
struct fault_marker {
  stack::runtime_port& rt;
  const std::vector<fakes::fault_config>& faults;

  static void fire(void* self, std::uint64_t arg) {
    auto& m = *static_cast<fault_marker*>(self);
    const std::size_t index = arg >> 1;
    history::event e;
    e.type = (arg & 1) ? history::event_type::fault_stop : history::event_type::fault_start;
    e.fault = static_cast<std::uint16_t>(index);
    e.dep = static_cast<std::uint16_t>(m.faults[index].target_index);
    m.rt.emit(e);
  }
};

}  // namespace squall::runner
