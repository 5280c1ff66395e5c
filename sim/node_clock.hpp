#pragma once
// A node's local clock: true time plus an offset and a drift (ppm), as NTP-disciplined hosts really are.
// Faults step the offset (a jump) or change the drift from an instant on without a step (set_drift).
#include <cstdint>

#include "stack/core/time.hpp"

namespace squall::sim {

class node_clock {
 public:
  node_clock() = default;
  node_clock(stack::duration offset, double drift_ppm) : offset_(offset), drift_ppm_(drift_ppm) {}
  // Local reading at true time `t`.
  stack::instant local(stack::instant t) const;
  // True time at which the local clock reads `local_t` (inverse of local()).
  stack::instant true_time(stack::instant local_t) const;
  // Steps the offset from now on (a clock jump).
  void jump(stack::duration by) { offset_ += by; }
  // From true time `at` on, the clock drifts by `ppm`; the reading at `at` does not change.
  void set_drift(stack::instant at, double ppm);
  stack::duration offset() const { return offset_; }
  double drift_ppm() const { return drift_ppm_; }

 private:
  stack::duration offset_{0};
  double drift_ppm_ = 0.0;
};

}  // namespace squall::sim
