// The stack's runtime port over Asio and real time: task order, timers, node clocks, pauses, the history's stamps.
#include <catch2/catch.hpp>

#include <chrono>
#include <vector>

#include "net/real_runtime.hpp"

namespace {

using namespace std::chrono_literals;
using squall::stack::duration;
using squall::stack::instant;

struct recording_sink final : squall::history::event_sink {
  std::vector<squall::history::event> events;
  void on_event(const squall::history::event& e) override { events.push_back(e); }
};

struct fixture {
  boost::asio::io_context io;
  recording_sink sink;
  squall::net::real_history history{sink};
  squall::net::real_runtime rt{io, history, nullptr, squall::sim::rng(7)};
  std::vector<std::uint64_t> ran;

  squall::stack::task record(std::uint64_t id) {
    return {[](void* self, std::uint64_t arg) { static_cast<fixture*>(self)->ran.push_back(arg); }, this, id};
  }
  // Runs the loop until it has no work left, bounded by a deadline so a broken timer cannot hang the test.
  void run_for(duration limit) { io.run_for(limit); }
};

}  // namespace

TEST_CASE("real runtime runs tasks by due time, equal due times in the order they were scheduled") {
  fixture f;
  const instant t0 = f.rt.now();
  f.rt.at(t0 + 30ms, f.record(3));
  f.rt.at(t0 + 10ms, f.record(1));
  f.rt.at(t0 + 20ms, f.record(2));
  f.rt.at(t0 + 20ms, f.record(22));
  f.rt.at(t0 - 5ms, f.record(0));  // in the past: runs at once
  f.run_for(2s);
  REQUIRE(f.ran == std::vector<std::uint64_t>{0, 1, 2, 22, 3});
  REQUIRE(f.rt.pending_tasks() == 0);
}

TEST_CASE("real runtime does not run a task before its due time") {
  fixture f;
  const instant start = f.history.true_now();
  instant ran_at{};
  struct ctx { fixture* f; instant* at; } c{&f, &ran_at};
  f.rt.at(f.rt.now() + 40ms, squall::stack::task{[](void* self, std::uint64_t) {
    auto& x = *static_cast<ctx*>(self);
    *x.at = x.f->history.true_now();
  }, &c, 0});
  f.run_for(2s);
  REQUIRE(ran_at - start >= duration(40ms));
}

TEST_CASE("an earlier task scheduled after a later one re-arms the timer") {
  fixture f;
  const instant t0 = f.rt.now();
  f.rt.at(t0 + 300ms, f.record(2));
  f.rt.at(t0 + 5ms, f.record(1));
  f.io.run_for(150ms);  // only the early task is due within this window
  REQUIRE(f.ran == std::vector<std::uint64_t>{1});
  f.io.restart();
  f.run_for(2s);
  REQUIRE(f.ran == std::vector<std::uint64_t>{1, 2});
}

TEST_CASE("a node clock offset shows in now() and timers follow the local clock") {
  boost::asio::io_context io;
  recording_sink sink;
  squall::net::real_history history{sink};
  squall::net::real_runtime skewed{io, history, nullptr, squall::sim::rng(1), squall::sim::node_clock(duration(5s), 0)};
  const auto true_before = history.true_now();  // read first: operand order is unspecified (clang reads left first)
  const auto local = skewed.now();
  const auto true_after = history.true_now();
  REQUIRE(local - true_before >= duration(5s));
  REQUIRE(local - true_after < duration(6s));
  // 20 ms after its own (skewed) now is 20 ms of true time from now, not 5 s ago.
  bool ran = false;
  skewed.at(skewed.now() + 20ms, {[](void* self, std::uint64_t) { *static_cast<bool*>(self) = true; }, &ran, 0});
  io.run_for(10ms);
  REQUIRE_FALSE(ran);
  io.restart();
  io.run_for(2s);
  REQUIRE(ran);
}

TEST_CASE("a pause blocks the node's loop: tasks due during it run after it, the clock goes on") {
  fixture f;
  const instant t0 = f.history.true_now();
  struct ctx { fixture* f; } c{&f};
  // At 0 ms the node pauses for 80 ms; a task due at 10 ms can only run after the pause.
  f.rt.at_true(t0, {[](void* self, std::uint64_t) { static_cast<ctx*>(self)->f->rt.pause_for(80ms); }, &c, 0});
  instant late{};
  struct ctx2 { fixture* f; instant* at; } c2{&f, &late};
  f.rt.at_true(t0 + 10ms, {[](void* self, std::uint64_t) {
    auto& x = *static_cast<ctx2*>(self);
    *x.at = x.f->history.true_now();
  }, &c2, 0});
  f.run_for(2s);
  REQUIRE(late - t0 >= duration(80ms));
}

TEST_CASE("the history stamps every event with true time and one sequence, in order") {
  fixture f;
  for (int i = 0; i < 5; ++i) {
    squall::history::event e;
    e.type = squall::history::event_type::invoke;
    f.rt.emit(e);
  }
  REQUIRE(f.sink.events.size() == 5);
  for (std::size_t i = 0; i < f.sink.events.size(); ++i) {
    REQUIRE(f.sink.events[i].seq == i);
    if (i > 0) REQUIRE(f.sink.events[i].t_ns >= f.sink.events[i - 1].t_ns);
  }
  REQUIRE(f.history.events() == 5);
}
