#include "sim/simulator.hpp"

#include "stack/core/assert.hpp"

namespace squall::sim {

void simulator::at(stack::instant when, stack::task work) {
  const std::int64_t t = stack::ns_since_start(when);
  SQUALL_ASSERT(t >= now_ns_, "task scheduled in the past");
  queue_.push(t, work);
}

void simulator::run_until(stack::instant end, const std::function<void()>& progress,
                          std::uint64_t progress_every) {
  const std::int64_t end_ns = stack::ns_since_start(end);
  while (!queue_.empty() && queue_.top().t_ns <= end_ns) {
    event_queue::entry e = queue_.pop();
    now_ns_ = e.t_ns;
    e.work();
    ++tasks_run_;
    if (progress && progress_every != 0 && tasks_run_ % progress_every == 0) progress();
  }
  if (now_ns_ < end_ns) now_ns_ = end_ns;
}

}  // namespace squall::sim
