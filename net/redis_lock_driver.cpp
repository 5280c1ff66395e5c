#include "net/redis_lock_driver.hpp"

#include <utility>
#include <vector>

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
// input, which pumps again).
void redis_lock_driver::pump() {
  while (auto command = lock_.poll_command())
    kv_.send(*command, lock_.config().command_timeout, stack::worker::kv_handler{&on_reply, this, generation_});

  if (auto due = lock_.poll_timer()) {
    const auto at = origin_ + due->time_since_epoch();
    if (at != armed_at_) {
      armed_at_ = at;
      timer_.expires_at(at);
      timer_.async_wait([this](const boost::system::error_code& ec) {
        if (ec) return;  // re-armed or destroyed
        armed_at_ = steady::time_point::max();
        lock_.handle_timer(now());
        pump();
      });
    }
  } else if (armed_at_ != steady::time_point::max()) {
    armed_at_ = steady::time_point::max();
    timer_.cancel();
  }

  std::vector<stack::lock::lock_event> events;
  while (auto e = lock_.poll_event()) events.push_back(std::move(*e));
  for (const auto& e : events)
    if (on_event_) on_event_(e);
}

}  // namespace squall::net
