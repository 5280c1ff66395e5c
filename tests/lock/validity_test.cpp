// The validity is judged on the client's clock: ttl - elapsed - margin. Skewed clocks believe differently.
#include <catch2/catch.hpp>

#include "support.hpp"

namespace squall::stack::lock::test {
namespace {

TEST_CASE("no renewal: believes_held turns false at ttl - margin, with a lost event", "[lock][validity]") {
  fake_store store;
  lock_config cfg = base_config();
  cfg.clock_drift_margin = ms(150);
  client a(cfg);
  store.now = at_ms(1'000);
  acquire_now(a, store, "a");

  const instant end = at_ms(1'000) + ms(10'000) - ms(150);
  CHECK(a.lock.valid_until() == end);
  CHECK(a.lock.believes_held(end - duration{1}));
  CHECK_FALSE(a.lock.believes_held(end));
  CHECK(a.lock.poll_timer() == end);
  run_until(store, {&a}, at_ms(20'000));
  REQUIRE(a.count(lock_event_kind::lost) == 1);
  CHECK(a.of(lock_event_kind::lost)[0].reason == lock_reason::validity_expired);
  CHECK(a.of(lock_event_kind::lost)[0].at == end);
  CHECK(store.count(kv_op::pexpire_if_owner) == 0);  // renew = false sends nothing after the acquire
  CHECK(store.log.size() == 1);
}

TEST_CASE("the default margin is Redlock's drift: ttl / 100 + 2 ms", "[lock][validity]") {
  lock_config cfg = base_config();
  cfg.clock_drift_margin.reset();
  CHECK(drift_margin(cfg) == ms(102));
  CHECK(renew_every(cfg) == ms(3'333) + duration{333'333});
  fake_store store;
  client a(cfg);
  acquire_now(a, store, "a");
  CHECK(a.lock.valid_until() == at_ms(9'898));
}

TEST_CASE("a client whose clock runs slow believes longer than the store keeps the key", "[lock][validity]") {
  // The store's clock is the test clock; a's clock runs 10 % slow, so a's now = 0.9 x the true time.
  const auto slow = [](instant real) { return instant_from_ns(ns_since_start(real) / 10 * 9); };

  SECTION("no margin: two holders at 10.5 s") {
    fake_store store;
    client a(base_config());
    a.lock.start_acquire(slow(at_ms(0)), "a");
    a.lock.handle_reply(slow(at_ms(0)), store.apply(*a.lock.poll_command()));
    REQUIRE(a.lock.state() == lock_state::held);

    store.now = at_ms(10'500);  // the key expired on the store at 10 s
    client b(base_config());
    acquire_now(b, store, "b");
    CHECK(b.lock.believes_held(store.now));
    CHECK(a.lock.believes_held(slow(store.now)));  // 9.45 s on a's clock: a still believes
    CHECK_FALSE(a.lock.believes_held(store.now));  // it would not with an accurate clock
  }
  SECTION("a margin covering the drift: a stops believing before the store lets go") {
    lock_config cfg = base_config();
    cfg.clock_drift_margin = ms(1'100);  // 10 % of 10 s plus a little
    fake_store store;
    client a(cfg);
    a.lock.start_acquire(slow(at_ms(0)), "a");
    a.lock.handle_reply(slow(at_ms(0)), store.apply(*a.lock.poll_command()));
    CHECK(a.lock.valid_until() == at_ms(8'900));
    // The validity ends at 8.9 s on a's clock = 9.89 s true time, before the store's 10 s.
    CHECK(a.lock.believes_held(slow(at_ms(9'880))));
    CHECK_FALSE(a.lock.believes_held(slow(at_ms(9'890))));
    store.now = at_ms(9'890);
    CHECK(store.value("job:1") == "a");  // still a's on the store when a stops counting on it
  }
}

TEST_CASE("a client whose clock runs fast gives up early (safe, only wasteful)", "[lock][validity]") {
  const auto fast = [](instant real) { return instant_from_ns(ns_since_start(real) / 10 * 11); };
  fake_store store;
  client a(base_config());
  a.lock.start_acquire(fast(at_ms(0)), "a");
  a.lock.handle_reply(fast(at_ms(0)), store.apply(*a.lock.poll_command()));
  CHECK_FALSE(a.lock.believes_held(fast(at_ms(9'500))));  // 10.45 s on a's clock
  store.now = at_ms(9'500);
  CHECK(store.value("job:1") == "a");
}

}  // namespace
}  // namespace squall::stack::lock::test
