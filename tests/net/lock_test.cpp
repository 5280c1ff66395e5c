// The stack's lease_lock, unchanged, driven over a real Redis by redis_lock_driver: acquire, contention, renewal,
// owner-checked vs blind release, fencing tokens.
#include <catch2/catch.hpp>

#include "lock_support.hpp"

namespace squall::net::test {
namespace {

TEST_CASE("lock: acquire sets the key to the owner token with the TTL, release removes it", "[net][lock]") {
  fixture f;
  client& a = f.add(base_config(std::chrono::milliseconds(10'000)));
  a.driver.acquire("token-a");
  REQUIRE(f.wait([&] { return a.count(lock_event_kind::acquired) == 1; }));
  CHECK(a.state() == lock_state::held);
  CHECK(a.driver.lock().believes_held(a.driver.now()));
  CHECK(f.redis.admin({"GET", "job:1"}) == "token-a");
  CHECK(std::stoll(f.redis.admin({"PTTL", "job:1"})) > 9'000);

  a.driver.release();
  REQUIRE(f.wait([&] { return a.count(lock_event_kind::released) == 1; }));
  CHECK(a.last(lock_event_kind::released).deleted);
  CHECK(f.redis.admin({"GET", "job:1"}) == "(nil)");
}

TEST_CASE("lock: a second client gets the lock only after the first releases it", "[net][lock]") {
  fixture f;
  client& a = f.add(base_config(std::chrono::milliseconds(10'000)));
  client& b = f.add(base_config(std::chrono::milliseconds(10'000)));
  a.driver.acquire("a");
  REQUIRE(f.wait([&] { return a.state() == lock_state::held; }));
  b.driver.acquire("b");
  run_for(f.io, std::chrono::milliseconds(300));
  CHECK(b.state() == lock_state::acquiring);
  CHECK(b.driver.lock().stats().contended >= 2);
  a.driver.release();
  REQUIRE(f.wait([&] { return b.state() == lock_state::held; }));
  CHECK(f.redis.admin({"GET", "job:1"}) == "b");
}

TEST_CASE("lock: a crashed holder's key frees at its TTL, and not before", "[net][lock]") {
  fixture f;
  client& a = f.add(base_config(std::chrono::milliseconds(500)));
  client& b = f.add(base_config(std::chrono::milliseconds(500)));
  a.driver.acquire("a");
  REQUIRE(f.wait([&] { return a.state() == lock_state::held; }));
  const auto a_sent = std::chrono::steady_clock::now();  // after a's SET NX was answered
  a.driver.abandon();  // crashed while holding: nothing is sent, the key stays until its TTL
  b.driver.acquire("b");
  REQUIRE(f.wait([&] { return b.state() == lock_state::held; }));
  // The key was set before a_sent, so its 500 ms can end a little before a_sent + 500 ms, but not much before.
  CHECK(std::chrono::steady_clock::now() - a_sent >= std::chrono::milliseconds(400));
  CHECK(b.last(lock_event_kind::acquired).attempts > 1);
}

TEST_CASE("lock: renewal keeps the lock past its TTL, and others out", "[net][lock]") {
  fixture f;
  auto cfg = base_config(std::chrono::milliseconds(600));
  cfg.renew = true;  // every 200 ms: scheduling hiccups of a few hundred ms on a busy machine are tolerated
  client& a = f.add(cfg);
  auto b_cfg = base_config(std::chrono::milliseconds(600));
  b_cfg.acquire_timeout = std::chrono::milliseconds(1200);
  client& b = f.add(b_cfg);
  a.driver.acquire("a");
  REQUIRE(f.wait([&] { return a.state() == lock_state::held; }));
  b.driver.acquire("b");
  run_for(f.io, std::chrono::milliseconds(1800));  // three TTLs
  CHECK(a.state() == lock_state::held);
  CHECK(a.driver.lock().believes_held(a.driver.now()));
  CHECK(a.count(lock_event_kind::renewed) >= 5);
  CHECK(a.count(lock_event_kind::lost) == 0);
  CHECK(f.redis.admin({"GET", "job:1"}) == "a");
  CHECK(b.state() == lock_state::failed);
  CHECK(b.count(lock_event_kind::acquire_failed) == 1);
}

// a holds without renewal, its TTL ends, b takes the key; then a (who ran on without the lock) releases.
void expired_then_release(fixture& f, stack::lock::release_mode mode, client*& a_out, client*& b_out) {
  auto cfg = base_config(std::chrono::milliseconds(150));
  cfg.release = mode;
  client& a = f.add(cfg);
  client& b = f.add(base_config(std::chrono::milliseconds(10'000)));
  a.driver.acquire("a");
  REQUIRE(f.wait([&] { return a.state() == lock_state::held; }));
  REQUIRE(f.wait([&] { return a.state() == lock_state::lost; }));  // validity over on a's clock
  b.driver.acquire("b");
  REQUIRE(f.wait([&] { return b.state() == lock_state::held; }));
  REQUIRE(f.redis.admin({"GET", "job:1"}) == "b");
  a.driver.release();
  REQUIRE(f.wait([&] { return a.state() == lock_state::released; }));
  a_out = &a;
  b_out = &b;
}

TEST_CASE("lock: an owner-checked release never deletes another owner's key", "[net][lock]") {
  fixture f;
  client* a = nullptr;
  client* b = nullptr;
  expired_then_release(f, stack::lock::release_mode::owner_checked, a, b);
  CHECK(a->count(lock_event_kind::release_not_owner) == 1);
  CHECK(f.redis.admin({"GET", "job:1"}) == "b");
}

TEST_CASE("lock: a blind release deletes another owner's key", "[net][lock]") {
  fixture f;
  client* a = nullptr;
  client* b = nullptr;
  expired_then_release(f, stack::lock::release_mode::blind, a, b);
  CHECK(a->last(lock_event_kind::released).deleted);
  CHECK(f.redis.admin({"GET", "job:1"}) == "(nil)");  // b still believes it holds the lock
  CHECK(b->driver.lock().believes_held(b->driver.now()));
}

TEST_CASE("lock: fencing tokens increase across owners", "[net][lock]") {
  fixture f;
  auto cfg = base_config(std::chrono::milliseconds(10'000));
  cfg.fencing = true;
  client& a = f.add(cfg);
  client& b = f.add(cfg);
  std::vector<std::int64_t> tokens;
  for (int round = 0; round < 3; ++round) {
    for (client* c : {&a, &b}) {
      const auto before = c->count(lock_event_kind::acquired);
      c->driver.acquire(std::string(c == &a ? "a" : "b") + std::to_string(round));
      REQUIRE(f.wait([&] { return c->count(lock_event_kind::acquired) == before + 1; }));
      tokens.push_back(c->driver.lock().fence_token());
      const auto released = c->count(lock_event_kind::released);
      c->driver.release();
      REQUIRE(f.wait([&] { return c->count(lock_event_kind::released) == released + 1; }));
    }
  }
  CHECK(tokens == std::vector<std::int64_t>{1, 2, 3, 4, 5, 6});
  CHECK(f.redis.admin({"GET", "job:1:fence"}) == "6");
}

}  // namespace
}  // namespace squall::net::test
