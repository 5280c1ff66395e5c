#pragma once
// Shared by the real-mode jobs tests: running an io_context until a condition holds, bounded in time.
#include <chrono>
#include <thread>

#include <boost/asio/io_context.hpp>

namespace squall::real_jobs_test {

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

}  // namespace squall::real_jobs_test
