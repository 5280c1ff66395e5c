#pragma once
// The simulator's agenda: tasks ordered by (time, sequence). The sequence number breaks ties in insertion
// order, which is what makes runs reproducible. A binary heap over a flat vector: no allocation per push
// once the vector has grown, and bounded by max_size (exceeding it is a bug in the model, so it aborts).
#include <cstddef>
#include <cstdint>
#include <vector>

#include "stack/worker/ports.hpp"

namespace squall::sim {

class event_queue {
 public:
  struct entry {
    std::int64_t t_ns;
    std::uint64_t seq;
    stack::task work;
  };

  explicit event_queue(std::size_t max_size = 1u << 26) : max_size_(max_size) {}
  void push(std::int64_t t_ns, stack::task work);
  // Removes and returns the earliest entry. Precondition: !empty().
  entry pop();
  const entry& top() const { return heap_.front(); }
  bool empty() const { return heap_.empty(); }
  std::size_t size() const { return heap_.size(); }
  std::uint64_t pushed() const { return next_seq_; }

 private:
  static bool before(const entry& a, const entry& b) {
    return a.t_ns < b.t_ns || (a.t_ns == b.t_ns && a.seq < b.seq);
  }
  std::vector<entry> heap_;
  std::uint64_t next_seq_ = 0;
  std::size_t max_size_;
};

}  // namespace squall::sim
