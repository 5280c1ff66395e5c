#include "net/redis_lock_driver.hpp"

#include <utility>

namespace squall::net {

using steady = std::chrono::steady_clock;

redis_lock_driver::redis_lock_driver(boost::asio::io_context& io, redis_kv& kv, const stack::lock::lock_config& config,
                                     stack::lock::uniform_source uniform, event_callback on_event)
    : kv_(kv), lock_(config, uniform), on_event_(std::move(on_event)), timer_(io), origin_(steady::now()) {}

stack::instant redis_lock_driver::now() const { return stack::instant{steady::now() - origin_}; }

void redis_lock_driver::acquire(std::string token) {
  lock_.start_acquire(now(), std::move(token));
  pump();
}

void redis_lock_driver::release() {
  lock_.start_release(now());
  pump();
}

void redis_lock_driver::abandon() {
  lock_.abandon();
  ++generation_;
  pump();
}

void redis_lock_driver::on_reply(void* self, std::uint64_t generation, const stack::kv_reply& reply) {
  auto* d = static_cast<redis_lock_driver*>(self);
  if (generation != d->generation_) return;  // sent before abandon(): not this acquisition's
  d->lock_.handle_reply(d->now(), reply);
  d->pump();
}

// Carries out the lock's outputs: commands, then the timer, then events (an event callback may start the next
// input, which pumps again; the lock's event queue keeps them in order). The timer is only moved earlier: a wake-up
// before the lock's due time is harmless (handle_timer ignores it and the pump re-arms), and it saves a cancel and
// a new wait per command in the common case where each acquisition pushes the due time later.
void redis_lock_driver::pump() {
  while (auto command = lock_.poll_command())
    kv_.send(*command, lock_.config().command_timeout, stack::worker::kv_handler{&on_reply, this, generation_});

  if (auto due = lock_.poll_timer()) {
    const auto at = origin_ + due->time_since_epoch();
    if (at < armed_at_) {
      armed_at_ = at;
      timer_.expires_at(at);
      timer_.async_wait([this](const boost::system::error_code& ec) {
        if (ec) return;  // re-armed earlier, or destroyed
        armed_at_ = steady::time_point::max();
        lock_.handle_timer(now());
        pump();
      });
    }
  }

  while (auto e = lock_.poll_event())
    if (on_event_) on_event_(*e);
}

}  // namespace squall::net
