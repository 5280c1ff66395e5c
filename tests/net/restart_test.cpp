// A SIGKILL of redis-server mid-run, then a restart on the same port and dir: what the lock key and the fencing
// counter look like afterwards depends on the persistence, as in the simulated store (fakes/kv_store.hpp).
#include <catch2/catch.hpp>

#include "lock_support.hpp"

namespace squall::net::test {
namespace {

// a acquires three times with fencing (tokens 1, 2, 3) and keeps the last one; then the server is SIGKILLed and
// restarted. Returns a.
client& hold_then_kill(fixture& f) {
  auto cfg = base_config(std::chrono::milliseconds(30'000));
  cfg.fencing = true;
  client& a = f.add(cfg);
  for (int round = 1; round <= 3; ++round) {
    a.driver.acquire("a" + std::to_string(round));
    REQUIRE(f.wait([&] { return a.count(lock_event_kind::acquired) == static_cast<std::size_t>(round); }));
    REQUIRE(a.driver.lock().fence_token() == round);
    if (round < 3) {
      a.driver.release();
      REQUIRE(f.wait([&] { return a.state() == lock_state::released; }));
    }
  }
  REQUIRE(f.redis.admin({"GET", "job:1"}) == "a3");
  f.redis.kill();
  run_for(f.io, std::chrono::milliseconds(50));  // the client sees the connection close
  f.redis.restart();
  run_for(f.io, std::chrono::milliseconds(50));  // and waits out its reconnect backoff
  return a;
}

TEST_CASE("restart: with persistence none the lock key and the fencing counter are gone", "[net][restart]") {
  fixture f(redis_persistence::none);
  client& a = hold_then_kill(f);
  CHECK(f.redis.admin({"GET", "job:1"}) == "(nil)");
  CHECK(f.redis.admin({"GET", "job:1:fence"}) == "(nil)");

  auto cfg = base_config(std::chrono::milliseconds(30'000));
  cfg.fencing = true;
  client& b = f.add(cfg);
  b.driver.acquire("b");
  REQUIRE(f.wait([&] { return b.state() == lock_state::held; }));
  // Two owners at once: a still believes it holds the lock, and the fencing token went backwards.
  CHECK(a.driver.lock().believes_held(a.driver.now()));
  CHECK(b.driver.lock().fence_token() == 1);
  CHECK(b.driver.lock().fence_token() < a.driver.lock().fence_token());
}

TEST_CASE("restart: with aof_always the lock key and the fencing counter survive", "[net][restart]") {
  fixture f(redis_persistence::aof_always);
  client& a = hold_then_kill(f);
  CHECK(f.redis.admin({"GET", "job:1"}) == "a3");
  CHECK(f.redis.admin({"GET", "job:1:fence"}) == "3");
  CHECK(std::stoll(f.redis.admin({"PTTL", "job:1"})) > 20'000);  // expiries are absolute in the AOF

  auto cfg = base_config(std::chrono::milliseconds(30'000));
  cfg.fencing = true;
  cfg.acquire_timeout = std::chrono::milliseconds(300);
  client& b = f.add(cfg);
  b.driver.acquire("b1");
  REQUIRE(f.wait([&] { return b.state() == lock_state::failed; }));  // still a's

  // a's owner-checked release reaches the restarted server (its script cache is empty: EVAL fallback).
  a.driver.release();
  REQUIRE(f.wait([&] { return a.state() == lock_state::released; }));
  CHECK(a.last(lock_event_kind::released).deleted);
  cfg.acquire_timeout = std::chrono::seconds(5);
  client& c = f.add(cfg);
  c.driver.acquire("c");
  REQUIRE(f.wait([&] { return c.state() == lock_state::held; }));
  CHECK(c.driver.lock().fence_token() == 4);
}

TEST_CASE("restart: with aof_everysec a SIGKILL of the process loses no acknowledged write", "[net][restart]") {
  // Redis write()s the AOF before it replies; everysec only delays the fsync, which matters for an OS crash or
  // power loss (what the simulated store models), not for a killed process: the page cache keeps the data.
  fixture f(redis_persistence::aof_everysec);
  hold_then_kill(f);
  CHECK(f.redis.admin({"GET", "job:1"}) == "a3");
  CHECK(f.redis.admin({"GET", "job:1:fence"}) == "3");
}

}  // namespace
}  // namespace squall::net::test
