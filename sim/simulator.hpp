#pragma once
// The virtual clock and its agenda. Time only moves when the next task is taken from the queue.
#include <cstdint>
#include <functional>

#include "sim/event_queue.hpp"
#include "stack/core/time.hpp"

namespace squall::sim {

class simulator {
 public:
  stack::instant now() const { return stack::instant_from_ns(now_ns_); }
  std::int64_t now_ns() const { return now_ns_; }
  // Schedules work at `when`; a time in the past is a bug in the model.
  void at(stack::instant when, stack::task work);
  // Runs tasks until the queue is empty or the next task is later than `end` (the clock stops at `end`).
  // `progress` (optional) is called every `progress_every` tasks (0: never) so a caller can report on long runs.
  void run_until(stack::instant end, const std::function<void()>& progress = {},
                 std::uint64_t progress_every = 1u << 20);
  std::uint64_t tasks_run() const { return tasks_run_; }
  std::size_t pending() const { return queue_.size(); }

 private:
  event_queue queue_;
  std::int64_t now_ns_ = 0;
  std::uint64_t tasks_run_ = 0;
};

}  // namespace squall::sim
