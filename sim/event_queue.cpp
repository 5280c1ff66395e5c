#include "sim/event_queue.hpp"

#include "stack/core/assert.hpp"

namespace squall::sim {

void event_queue::push(std::int64_t t_ns, stack::task work) {
  SQUALL_ASSERT(heap_.size() < max_size_, "event queue exceeded its bound");
  entry e{t_ns, next_seq_++, work};
  // Sift up with a hole instead of swaps.
  std::size_t i = heap_.size();
  heap_.push_back(e);
  while (i > 0) {
    std::size_t parent = (i - 1) / 2;
    if (!before(e, heap_[parent])) break;
    heap_[i] = heap_[parent];
    i = parent;
  }
  heap_[i] = e;
}

event_queue::entry event_queue::pop() {
  SQUALL_ASSERT(!heap_.empty(), "pop from an empty event queue");
  entry result = heap_.front();
  entry last = heap_.back();
  heap_.pop_back();
  const std::size_t n = heap_.size();
  if (n == 0) return result;
  std::size_t i = 0;
  while (true) {
    std::size_t child = 2 * i + 1;
    if (child >= n) break;
    if (child + 1 < n && before(heap_[child + 1], heap_[child])) ++child;
    if (!before(heap_[child], last)) break;
    heap_[i] = heap_[child];
    i = child;
  }
  heap_[i] = last;
  return result;
}

}  // namespace squall::sim
