// sim::simulator: the virtual clock moves only to the next task; run_until stops at its end.
#include <catch2/catch.hpp>

#include <cstdint>
#include <vector>

#include "sim/simulator.hpp"

using squall::sim::simulator;
using squall::stack::instant_from_ns;
using squall::stack::task;

namespace {

struct recorder {
  simulator& sim;
  std::vector<std::pair<std::int64_t, std::uint64_t>> runs;  // (now at run, tag)
  static void fire(void* self, std::uint64_t tag) {
    auto& r = *static_cast<recorder*>(self);
    r.runs.emplace_back(r.sim.now_ns(), tag);
  }
  task make(std::uint64_t tag) { return task{&recorder::fire, this, tag}; }
};

// A task that schedules a follow-up `gap` later, `count` times.
struct chain {
  simulator& sim;
  std::int64_t gap;
  int remaining;
  std::vector<std::int64_t> times;
  static void fire(void* self, std::uint64_t) {
    auto& c = *static_cast<chain*>(self);
    c.times.push_back(c.sim.now_ns());
    if (--c.remaining > 0) c.sim.at(instant_from_ns(c.sim.now_ns() + c.gap), task{&chain::fire, &c, 0});
  }
};

}  // namespace

TEST_CASE("the clock starts at zero and runs tasks in time order", "[simulator]") {
  simulator sim;
  CHECK(sim.now_ns() == 0);
  recorder r{sim, {}};
  sim.at(instant_from_ns(300), r.make(3));
  sim.at(instant_from_ns(100), r.make(1));
  sim.at(instant_from_ns(200), r.make(2));
  sim.at(instant_from_ns(100), r.make(4));  // same time as tag 1, later: runs after it
  CHECK(sim.pending() == 4);
  sim.run_until(instant_from_ns(1000));
  const std::vector<std::pair<std::int64_t, std::uint64_t>> expected = {{100, 1}, {100, 4}, {200, 2}, {300, 3}};
  CHECK(r.runs == expected);
  CHECK(sim.tasks_run() == 4);
  CHECK(sim.pending() == 0);
  CHECK(sim.now_ns() == 1000);  // with nothing left the clock still advances to the end
}

TEST_CASE("run_until stops at its end and leaves later tasks queued", "[simulator]") {
  simulator sim;
  recorder r{sim, {}};
  sim.at(instant_from_ns(10), r.make(1));
  sim.at(instant_from_ns(50), r.make(2));   // exactly at the end: runs
  sim.at(instant_from_ns(51), r.make(3));   // after the end: stays
  sim.at(instant_from_ns(500), r.make(4));
  sim.run_until(instant_from_ns(50));
  REQUIRE(r.runs.size() == 2);
  CHECK(r.runs.back() == std::make_pair(std::int64_t{50}, std::uint64_t{2}));
  CHECK(sim.now_ns() == 50);
  CHECK(sim.pending() == 2);

  sim.run_until(instant_from_ns(100));
  CHECK(r.runs.size() == 3);
  CHECK(sim.now_ns() == 100);  // not 51: the clock stops at the end
  CHECK(sim.pending() == 1);

  // An end earlier than now does not move the clock back.
  sim.run_until(instant_from_ns(20));
  CHECK(sim.now_ns() == 100);
  CHECK(sim.pending() == 1);

  sim.run_until(instant_from_ns(1000));
  CHECK(r.runs.size() == 4);
  CHECK(r.runs.back().first == 500);
}

TEST_CASE("tasks scheduled while running are run in the same call", "[simulator]") {
  simulator sim;
  chain c{sim, 7, 5, {}};
  sim.at(instant_from_ns(3), task{&chain::fire, &c, 0});
  sim.run_until(instant_from_ns(1000));
  CHECK(c.times == std::vector<std::int64_t>{3, 10, 17, 24, 31});

  // A task scheduled for "now" from inside a task runs after every task already queued for now.
  simulator sim2;
  recorder r{sim2, {}};
  struct spawner {
    simulator& sim;
    recorder& r;
    static void fire(void* self, std::uint64_t) {
      auto& s = *static_cast<spawner*>(self);
      s.sim.at(s.sim.now(), s.r.make(99));
    }
  } s{sim2, r};
  sim2.at(instant_from_ns(5), task{&spawner::fire, &s, 0});
  sim2.at(instant_from_ns(5), r.make(1));
  sim2.run_until(instant_from_ns(5));
  const std::vector<std::pair<std::int64_t, std::uint64_t>> expected = {{5, 1}, {5, 99}};
  CHECK(r.runs == expected);
}

TEST_CASE("the progress callback fires every progress_every tasks", "[simulator]") {
  simulator sim;
  chain c{sim, 1, 10, {}};
  sim.at(instant_from_ns(0), task{&chain::fire, &c, 0});
  std::vector<std::uint64_t> at_tasks;
  sim.run_until(instant_from_ns(100), [&] { at_tasks.push_back(sim.tasks_run()); }, 3);
  CHECK(at_tasks == std::vector<std::uint64_t>{3, 6, 9});

  // progress_every = 0 means "never" (it used to divide by zero).
  simulator sim2;
  chain c2{sim2, 1, 4, {}};
  sim2.at(instant_from_ns(0), task{&chain::fire, &c2, 0});
  int calls = 0;
  sim2.run_until(instant_from_ns(100), [&] { ++calls; }, 0);
  CHECK(calls == 0);
  CHECK(sim2.tasks_run() == 4);
}
