#include "net/real_history.hpp"

namespace squall::net {

real_history::real_history(history::event_sink& sink) : start_(std::chrono::steady_clock::now()), sink_(sink) {}

stack::instant real_history::true_now() const {
  return stack::instant{std::chrono::duration_cast<stack::duration>(std::chrono::steady_clock::now() - start_)};
}

void real_history::emit(history::event& e) {
  const std::lock_guard lock(mutex_);
  // Read the clock inside the lock: events then come out in nondecreasing t_ns as well as seq.
  e.t_ns = stack::ns_since_start(true_now());
  e.seq = seq_++;
  sink_.on_event(e);
}

std::uint64_t real_history::events() const {
  const std::lock_guard lock(mutex_);
  return seq_;
}

}  // namespace squall::net
