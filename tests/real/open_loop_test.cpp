// net::open_loop on a real io_context: arrivals keep their intended times when the loop falls behind, and the
// in-flight bound drops (and counts) arrivals instead of delaying them.
#include <chrono>
#include <thread>
#include <vector>

#include <boost/asio/io_context.hpp>
#include <catch2/catch.hpp>

#include "net/open_loop.hpp"

namespace {

using namespace std::chrono_literals;
using squall::net::open_loop;
using squall::net::open_loop_config;
using squall::stack::instant;

open_loop_config constant(double rate, std::chrono::milliseconds duration) {
  open_loop_config c;
  c.arrivals.model = squall::sim::arrival_model::constant;
  c.arrivals.rate_per_s = rate;
  c.duration = duration;
  return c;
}

// Runs the loop until the driver finished; bounded so a broken driver fails instead of hanging.
void run_bounded(boost::asio::io_context& io, const open_loop& loop) {
  const auto deadline = std::chrono::steady_clock::now() + 10s;
  while (!loop.finished() && std::chrono::steady_clock::now() < deadline) {
    io.restart();
    io.run_for(10ms);
  }
  REQUIRE(loop.finished());
}

}  // namespace

TEST_CASE("open loop: constant 1000/s for 0.5 s keeps intended times 1 ms apart through a 20 ms stall") {
  boost::asio::io_context io;
  std::vector<instant> intended;
  std::vector<open_loop::clock::time_point> fired_at;
  open_loop* self = nullptr;
  open_loop loop(io, constant(1000, 500ms), [&](instant t) {
    intended.push_back(t);
    fired_at.push_back(open_loop::clock::now());
    if (intended.size() == 100) std::this_thread::sleep_for(20ms);  // the callback blocks once
    self->complete();
  });
  self = &loop;
  loop.start();
  run_bounded(io, loop);
  REQUIRE(intended.size() == 500);
  for (std::size_t i = 0; i < intended.size(); ++i) {
    REQUIRE(squall::stack::ns_since_start(intended[i]) == static_cast<std::int64_t>(i) * 1'000'000);
    // Never early: an arrival fires at or after its intended time.
    REQUIRE(fired_at[i] >= loop.start_time() + intended[i].time_since_epoch());
  }
  // The arrivals due during the stall fired after it, late, with their original intended times.
  const auto stall_end = fired_at[99] + 20ms;
  for (std::size_t i = 100; i < 115; ++i) CHECK(fired_at[i] >= stall_end);
  CHECK(loop.stats().fired == 500);
  CHECK(loop.stats().dropped == 0);
  CHECK(loop.stats().late >= 15);
  CHECK(loop.stats().max_lag >= 15ms);
}

TEST_CASE("open loop: beyond max_in_flight arrivals are dropped and counted and not delayed") {
  boost::asio::io_context io;
  open_loop_config c = constant(1000, 100ms);
  c.max_in_flight = 10;
  std::vector<instant> intended;
  open_loop loop(io, c, [&](instant t) { intended.push_back(t); });  // nothing ever completes
  loop.start();
  run_bounded(io, loop);
  CHECK(intended.size() == 10);
  CHECK(loop.stats().fired == 10);
  CHECK(loop.stats().dropped == 90);
  CHECK(loop.in_flight() == 10);
  loop.complete();
  CHECK(loop.in_flight() == 9);
}

TEST_CASE("open loop: poisson arrivals follow the seed and stop at the duration") {
  const auto collect = [](std::uint64_t seed) {
    boost::asio::io_context io;
    open_loop_config c;
    c.arrivals.model = squall::sim::arrival_model::poisson;
    c.arrivals.rate_per_s = 2000;
    c.duration = 100ms;
    c.seed = seed;
    std::vector<std::int64_t> ns;
    open_loop* self = nullptr;
    open_loop loop(io, c, [&](instant t) {
      ns.push_back(squall::stack::ns_since_start(t));
      self->complete();
    });
    self = &loop;
    loop.start();
    run_bounded(io, loop);
    return ns;
  };
  const auto a = collect(7);
  CHECK(a == collect(7));
  CHECK(a != collect(8));
  REQUIRE(!a.empty());
  CHECK(std::is_sorted(a.begin(), a.end()));
  CHECK(a.back() < 100'000'000);
}
