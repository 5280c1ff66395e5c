#pragma once
// Drives one stack::lock::lease_lock over a redis_kv in real time, the way lease_lock.hpp prescribes: after every
// input, each polled command goes to Redis with config().command_timeout, one asio timer waits for poll_timer(),
// and events are handed to the owner. For tests, benchmarks and tools that need a real lock client without a
// whole job world (the real-mode world drives its locks through job_port::send_kv instead).
//
// The lock's clock is the driver's: steady_clock time since the driver was built. Replies to commands sent before abandon() are dropped, never fed to a later acquisition.
//
// Lifetime: pending replies call back into the driver, so destroy the redis_kv first, or stop running the
// io_context before the driver goes.
#include <chrono>
#include <cstdint>
#include <functional>
#include <string>

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>

#include "net/redis_kv.hpp"
#include "stack/lock/lease_lock.hpp"

namespace squall::net {

class redis_lock_driver {
 public:
  using event_callback = std::function<void(const stack::lock::lock_event&)>;

  redis_lock_driver(boost::asio::io_context& io, redis_kv& kv, const stack::lock::lock_config& config,
                    stack::lock::uniform_source uniform, event_callback on_event);
  redis_lock_driver(const redis_lock_driver&) = delete;
  redis_lock_driver& operator=(const redis_lock_driver&) = delete;

  void acquire(std::string token);
  void release();
  void abandon();

  stack::instant now() const;
  const stack::lock::lease_lock& lock() const { return lock_; }

 private:
  static void on_reply(void* self, std::uint64_t generation, const stack::kv_reply& reply);
  void pump();

  redis_kv& kv_;
  stack::lock::lease_lock lock_;
  event_callback on_event_;
  boost::asio::steady_timer timer_;
  std::chrono::steady_clock::time_point origin_;
  std::chrono::steady_clock::time_point armed_at_ = std::chrono::steady_clock::time_point::max();
  std::uint64_t generation_ = 1;  // bumped by abandon(): older replies are stray
};

}  // namespace squall::net
