#pragma once
// Lock clients over a real Redis for the tests: a lease_lock with its own jitter stream, driven by
// redis_lock_driver, recording every event.
#include <catch2/catch.hpp>

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "net/managed_redis.hpp"
#include "net/redis_kv.hpp"
#include "net/redis_lock_driver.hpp"
#include "sim/rng.hpp"
#include "stack/lock/lock_config.hpp"
#include "support.hpp"

namespace squall::net::test {

using stack::lock::lock_event;
using stack::lock::lock_event_kind;
using stack::lock::lock_state;

inline stack::lock::lock_config base_config(std::chrono::milliseconds ttl) {
  stack::lock::lock_config c;
  c.key = "job:1";
  c.ttl = ttl;
  c.renew = false;
  c.acquire_timeout = std::chrono::seconds(5);
  c.backoff = {stack::resilience::backoff_kind::full_jitter, std::chrono::milliseconds(10),
               std::chrono::milliseconds(50)};
  c.command_timeout = std::chrono::seconds(1);
  return c;
}

// One lock client: its jitter, its driver and everything it said.
struct client {
  sim::rng rng;
  std::vector<lock_event> events;
  redis_lock_driver driver;

  client(boost::asio::io_context& io, redis_kv& kv, const stack::lock::lock_config& c, std::uint64_t seed)
      : rng(seed),
        driver(io, kv, c, stack::lock::uniform_source{&draw, &rng},
               [this](const lock_event& e) { events.push_back(e); }) {}

  static double draw(void* self) { return static_cast<sim::rng*>(self)->uniform01(); }
  std::size_t count(lock_event_kind k) const {
    std::size_t n = 0;
    for (const auto& e : events) n += e.kind == k ? 1 : 0;
    return n;
  }
  const lock_event& last(lock_event_kind k) const {
    for (auto it = events.rbegin(); it != events.rend(); ++it)
      if (it->kind == k) return *it;
    FAIL("no such event");
    return events.front();
  }
  lock_state state() const { return driver.lock().state(); }
};

struct fixture {
  explicit fixture(redis_persistence p = redis_persistence::none) : redis(managed_redis_config{.persistence = p}) {}
  managed_redis redis;
  boost::asio::io_context io;
  redis_kv kv{io, config_for(redis)};
  // Clients die before kv (declared later), and the loop is not run after a test ends.
  std::vector<std::unique_ptr<client>> clients;

  client& add(const stack::lock::lock_config& c) {
    clients.push_back(std::make_unique<client>(io, kv, c, clients.size() + 1));
    return *clients.back();
  }
  bool wait(const std::function<bool()>& done, std::chrono::milliseconds limit = std::chrono::milliseconds(5000)) {
    return run_until(io, done, limit);
  }
};

}  // namespace squall::net::test
