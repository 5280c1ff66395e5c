#pragma once
// The one history of a real run: every runtime of the run (one per thread) emits through it. It stamps each
// event with the true time since the run started (steady clock) and one sequence, under a lock, so the history
// stays ordered by (t_ns, seq) like a simulated one, whichever thread emitted.
#include <chrono>
#include <cstdint>
#include <mutex>

#include "history/event.hpp"
#include "stack/core/time.hpp"

namespace squall::net {

class real_history {
 public:
  explicit real_history(history::event_sink& sink);
  // True time since the run started.
  stack::instant true_now() const;
  std::chrono::steady_clock::time_point steady_at(stack::instant true_time) const {
    return start_ + std::chrono::duration_cast<std::chrono::steady_clock::duration>(true_time.time_since_epoch());
  }
  void emit(history::event& e);
  std::uint64_t events() const;

 private:
  const std::chrono::steady_clock::time_point start_;
  mutable std::mutex mutex_;
  history::event_sink& sink_;
  std::uint64_t seq_ = 0;
};

}  // namespace squall::net
