#include "net/real_runtime.hpp"

#include <thread>

#include "stack/core/assert.hpp"

namespace squall::net {

real_runtime::real_runtime(boost::asio::io_context& io, real_history& history, http_sender http, sim::rng jitter,
                           sim::node_clock clock)
    : io_(io), history_(history), http_(std::move(http)), jitter_(jitter), clock_(clock), timer_(io) {}

void real_runtime::at(stack::instant when, stack::task t) { at_true(clock_.true_time(when), t); }

void real_runtime::at_true(stack::instant when, stack::task t) {
  heap_.push({when, order_++, t});
  if (!armed_ || when < armed_at_) arm(when);
}

void real_runtime::send_http(std::size_t dependency, stack::duration timeout, stack::http_handler done) {
  SQUALL_ASSERT(timeout.count() > 0, "attempt timeout must be positive");
  SQUALL_ASSERT(static_cast<bool>(http_), "this runtime has no HTTP dependencies");
  http_(dependency, timeout, done);
}

void real_runtime::arm(stack::instant due) {
  armed_ = true;
  armed_at_ = due;
  const std::uint64_t generation = ++generation_;
  timer_.expires_at(history_.steady_at(due));  // cancels an earlier wait: its handler sees a stale generation
  timer_.async_wait([this, generation](const boost::system::error_code&) { on_timer(generation); });
}

void real_runtime::on_timer(std::uint64_t generation) {
  if (generation != generation_) return;
  armed_ = false;
  // Run what is due now, including tasks that due tasks schedule for the past; later ones re-arm the timer.
  while (!heap_.empty() && heap_.top().due <= history_.true_now()) {
    const stack::task t = heap_.top().task;
    heap_.pop();
    t();
  }
  if (!heap_.empty() && (!armed_ || heap_.top().due < armed_at_)) arm(heap_.top().due);
}

void real_runtime::pause_for(stack::duration d) {
  std::this_thread::sleep_for(d);
}

}  // namespace squall::net
