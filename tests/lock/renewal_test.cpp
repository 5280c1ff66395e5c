// Heartbeat renewal: compare-and-extend while still owner; never extend a lock someone else holds now.
#include <catch2/catch.hpp>

#include "support.hpp"

namespace squall::stack::lock::test {
namespace {

lock_config renewing() {
  lock_config c = base_config();
  c.ttl = ms(9'000);
  c.renew = true;  // renew_every defaults to ttl / 3 = 3 s
  return c;
}

TEST_CASE("renewal: every ttl/3, validity measured from the renewal's send", "[lock][renewal]") {
  fake_store store;
  client a(renewing());
  acquire_now(a, store, "a");
  REQUIRE(a.lock.state() == lock_state::held);
  CHECK(a.lock.poll_timer() == at_ms(3'000));  // renew_every before the validity end at 9 s

  a.lock.handle_timer(at_ms(3'000));
  auto renew = a.lock.poll_command();
  REQUIRE(renew);
  CHECK(renew->op == kv_op::pexpire_if_owner);
  CHECK(renew->key == "job:1");
  CHECK(renew->value == "a");
  CHECK(renew->ttl == ms(9'000));
  store.now = at_ms(3'200);  // the store runs it at 3.2 s, the reply arrives at 3.5 s
  const kv_reply r = store.apply(*renew);
  a.lock.handle_reply(at_ms(3'500), r);
  a.collect();
  REQUIRE(a.count(lock_event_kind::renewed) == 1);
  CHECK(a.lock.valid_until() == at_ms(12'000));  // 3 s + 9 s, not 3.5 s + 9 s
  CHECK(a.of(lock_event_kind::renewed)[0].valid_until == at_ms(12'000));
  CHECK(store.expires("job:1") == at_ms(12'200));
  CHECK(a.lock.poll_timer() == at_ms(6'000));

  // Left alone for a minute, it keeps the lock the whole time.
  run_until(store, {&a}, at_ms(60'000));
  CHECK(a.lock.state() == lock_state::held);
  CHECK(a.lock.believes_held(at_ms(60'000)));
  CHECK(a.count(lock_event_kind::lost) == 0);
  CHECK(a.lock.stats().renewals == 20);  // 3 s, 6 s, ..., 60 s
  CHECK(store.value("job:1") == "a");
}

TEST_CASE("renewal never extends a lock the client no longer owns", "[lock][renewal]") {
  fake_store store;
  client a(renewing());
  acquire_now(a, store, "a");
  REQUIRE(a.lock.state() == lock_state::held);

  SECTION("the store lost the key (restart without persistence) and b took it") {
    store.now = at_ms(1'000);
    store.data.clear();
  }
  SECTION("the store's clock jumped forward past the TTL and b took it") {
    store.now = at_ms(1'000);
    store.skew = ms(20'000);
  }
  client b(renewing());
  acquire_now(b, store, "b");
  REQUIRE(b.lock.state() == lock_state::held);
  const auto b_expiry = store.expires("job:1");
  REQUIRE(b_expiry);
  const auto b_renew_time = b.lock.poll_timer();

  // a's renewal comes due at 3 s; b's at 4 s, after the check below.
  run_until(store, {&a}, at_ms(3'000));
  // b's lock is untouched: same owner, same TTL.
  CHECK(store.value("job:1") == "b");
  CHECK(store.expires("job:1") == b_expiry);
  CHECK(b.lock.poll_timer() == b_renew_time);
  CHECK(a.lock.state() == lock_state::lost);
  CHECK_FALSE(a.lock.believes_held(at_ms(3'000)));
  REQUIRE(a.count(lock_event_kind::renewal_failed) == 1);
  CHECK(a.of(lock_event_kind::renewal_failed)[0].reason == lock_reason::not_owner);
  REQUIRE(a.count(lock_event_kind::lost) == 1);
  CHECK(a.of(lock_event_kind::lost)[0].reason == lock_reason::not_owner);
  CHECK(a.count(lock_event_kind::renewed) == 0);

  // And a never tries again.
  const auto sent = a.lock.stats().commands;
  CHECK_FALSE(a.lock.poll_timer());
  run_until(store, {&a, &b}, at_ms(30'000));
  CHECK(a.lock.stats().commands == sent);
  CHECK(b.lock.state() == lock_state::held);
  CHECK(store.value("job:1") == "b");
}

TEST_CASE("renewal against a failing store: retries until the validity runs out, then lost", "[lock][renewal]") {
  fake_store store;
  client a(renewing());
  acquire_now(a, store, "a");
  store.now = at_ms(2'000);
  store.down = true;

  SECTION("down for good") {
    run_until(store, {&a}, at_ms(20'000));
    CHECK(a.lock.state() == lock_state::lost);
    REQUIRE(a.count(lock_event_kind::lost) == 1);
    const lock_event lost = a.of(lock_event_kind::lost)[0];
    CHECK(lost.reason == lock_reason::validity_expired);
    CHECK(lost.at == at_ms(9'000));
    CHECK(lost.valid_until == at_ms(9'000));
    CHECK(a.count(lock_event_kind::renewal_failed) >= 3);
    for (const auto& e : a.of(lock_event_kind::renewal_failed)) CHECK(e.reason == lock_reason::store_unavailable);
    CHECK(a.lock.stats().renewals == 0);
    // Every renewal went out while the lock was still believed held; none after.
    for (const auto& l : store.log)
      if (l.cmd.op == kv_op::pexpire_if_owner) CHECK(l.at < at_ms(9'000));
    CHECK_FALSE(a.lock.poll_timer());
  }
  SECTION("back before the validity ends: a retry renews from its own send") {
    run_until(store, {&a}, at_ms(4'000));
    CHECK(a.count(lock_event_kind::renewal_failed) >= 1);
    CHECK(a.lock.valid_until() == at_ms(9'000));
    store.down = false;
    run_until(store, {&a}, at_ms(8'000));
    CHECK(a.lock.state() == lock_state::held);
    REQUIRE(a.count(lock_event_kind::renewed) >= 1);
    const lock_event renewed = a.of(lock_event_kind::renewed)[0];
    CHECK(renewed.at > at_ms(4'000));
    CHECK(renewed.valid_until == renewed.at + ms(9'000));  // zero-latency store: sent at the reply time
    CHECK(a.count(lock_event_kind::lost) == 0);
  }
}

TEST_CASE("renewal that timed out does not extend the client's validity, even if it ran", "[lock][renewal]") {
  fake_store store;
  client a(renewing());
  acquire_now(a, store, "a");
  a.lock.handle_timer(at_ms(3'000));
  auto renew = a.lock.poll_command();
  REQUIRE(renew);
  store.now = at_ms(3'000);
  store.apply(*renew);  // ran: the store's TTL now ends at 12 s
  kv_reply lost_reply;
  lost_reply.status = kv_status::timeout;
  a.lock.handle_reply(at_ms(3'500), lost_reply);
  a.collect();
  CHECK(a.lock.valid_until() == at_ms(9'000));  // conservative: the client cannot know it ran
  REQUIRE(a.count(lock_event_kind::renewal_failed) == 1);
  CHECK(a.of(lock_event_kind::renewal_failed)[0].reason == lock_reason::store_timeout);
  CHECK(a.lock.state() == lock_state::held);
  // The retry succeeds and extends from its own send.
  store.now = at_ms(3'500);
  run_until(store, {&a}, at_ms(4'000));
  REQUIRE(a.count(lock_event_kind::renewed) == 1);
  CHECK(a.lock.valid_until() == at_ms(3'600) + ms(9'000));  // k = 1 backoff: U(0, 200 ms) at 0.5
}

TEST_CASE("a renewal answered after the validity ran out does not revive the lock", "[lock][renewal]") {
  fake_store store;
  client a(renewing());
  acquire_now(a, store, "a");
  a.lock.handle_timer(at_ms(3'000));
  auto renew = a.lock.poll_command();
  REQUIRE(renew);
  store.now = at_ms(3'000);
  const kv_reply ok = store.apply(*renew);
  REQUIRE(ok.integer == 1);
  // The reply is stuck past the validity end (9 s): lost comes first, whichever input notices it.
  SECTION("the validity timer fires before the reply") { a.lock.handle_timer(at_ms(9'000)); }
  SECTION("the reply is the first input after the validity end") {}
  a.lock.handle_reply(at_ms(9'100), ok);
  a.collect();
  CHECK(a.lock.state() == lock_state::lost);
  REQUIRE(a.count(lock_event_kind::lost) == 1);
  CHECK(a.of(lock_event_kind::lost)[0].reason == lock_reason::validity_expired);
  CHECK(a.lock.valid_until() == at_ms(9'000));
  CHECK(a.count(lock_event_kind::renewed) == 0);
  CHECK_FALSE(a.lock.believes_held(at_ms(9'100)));
  CHECK_FALSE(a.lock.poll_command());
}

}  // namespace
}  // namespace squall::stack::lock::test
