#pragma once
// Shared by the real-Redis tests (tests/net, tests/real_jobs): running an io_context until a condition holds, bounded in time.
#include <catch2/catch.hpp>

#include <chrono>
#include <thread>

#include <boost/asio/io_context.hpp>

#include "net/managed_redis.hpp"
#include "net/redis_connection.hpp"

namespace squall::net::test {

using namespace std::chrono_literals;

// Runs `io` until done() holds or `limit` passes; returns done(). Never hangs.
template <typename Done>
bool run_until(boost::asio::io_context& io, Done done, std::chrono::milliseconds limit = 5000ms) {
  const auto deadline = std::chrono::steady_clock::now() + limit;
  while (!done() && std::chrono::steady_clock::now() < deadline) {
    io.restart();
    if (io.run_for(5ms) == 0) std::this_thread::sleep_for(1ms);
  }
  return done();
}

// Runs `io` for `d` (handlers due in that time run).
inline void run_for(boost::asio::io_context& io, std::chrono::milliseconds d) {
  const auto deadline = std::chrono::steady_clock::now() + d;
  while (std::chrono::steady_clock::now() < deadline) {
    io.restart();
    if (io.run_for(5ms) == 0) std::this_thread::sleep_for(1ms);
  }
}

// A connection config pointing at a managed server.
inline redis_connection_config config_for(const managed_redis& r) {
  redis_connection_config c;
  c.host = r.host();
  c.port = r.port();
  return c;
}

}  // namespace squall::net::test
