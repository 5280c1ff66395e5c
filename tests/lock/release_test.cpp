// Release: owner-checked never deletes another owner's lock; blind DEL does, which the unsafe variant shows.
#include <catch2/catch.hpp>

#include "support.hpp"

namespace squall::stack::lock::test {
namespace {

TEST_CASE("release owner_checked: compare-and-delete of our own lock", "[lock][release]") {
  fake_store store;
  client a(base_config());
  acquire_now(a, store, "a");
  store.now = at_ms(1'000);
  a.lock.start_release(store.now);
  CHECK(a.lock.state() == lock_state::releasing);
  CHECK_FALSE(a.lock.believes_held(store.now));  // no side effects once letting go
  auto del = a.lock.poll_command();
  REQUIRE(del);
  CHECK(del->op == kv_op::del_if_owner);
  CHECK(del->key == "job:1");
  CHECK(del->value == "a");
  a.lock.handle_reply(store.now, store.apply(*del));
  a.collect();
  CHECK(a.lock.state() == lock_state::released);
  REQUIRE(a.count(lock_event_kind::released) == 1);
  CHECK(a.of(lock_event_kind::released)[0].deleted);
  CHECK(a.of(lock_event_kind::released)[0].token == "a");
  CHECK_FALSE(store.value("job:1"));
  CHECK_FALSE(a.lock.poll_timer());
}

// a's job outlives its 10 s lease (no renewal); b takes the key at 10.5 s; a finishes at 12 s and releases.
struct overrun {
  fake_store store;
  client a;
  client b{base_config()};
  explicit overrun(release_mode mode) : a(with_release(mode)) {
    acquire_now(a, store, "a");
    run_until(store, {&a}, at_ms(10'500));
    acquire_now(b, store, "b");
    store.now = at_ms(12'000);
    a.lock.start_release(store.now);
    exchange(a, store);
  }
  static lock_config with_release(release_mode mode) {
    lock_config c = base_config();
    c.release = mode;
    return c;
  }
};

TEST_CASE("release owner_checked never deletes another owner's lock", "[lock][release]") {
  overrun run(release_mode::owner_checked);
  REQUIRE(run.b.lock.state() == lock_state::held);
  const auto b_expiry = run.store.expires("job:1");
  CHECK(run.a.count(lock_event_kind::lost) == 1);  // the client saw its validity end at 10 s
  CHECK(run.a.lock.state() == lock_state::released);
  REQUIRE(run.a.count(lock_event_kind::release_not_owner) == 1);
  CHECK(run.a.of(lock_event_kind::release_not_owner)[0].reason == lock_reason::not_owner);
  CHECK(run.a.count(lock_event_kind::released) == 0);
  CHECK(run.store.value("job:1") == "b");
  CHECK(run.store.expires("job:1") == b_expiry);
  CHECK(run.store.log.back().cmd.op == kv_op::del_if_owner);
}

TEST_CASE("release blind deletes another owner's lock (the hazard the unsafe variant demonstrates)",
          "[lock][release]") {
  overrun run(release_mode::blind);
  CHECK(run.store.log.back().cmd.op == kv_op::del);
  REQUIRE(run.a.count(lock_event_kind::released) == 1);
  CHECK(run.a.of(lock_event_kind::released)[0].deleted);  // "deleted" - but it was b's lock
  CHECK_FALSE(run.store.value("job:1"));
  // b still believes it holds the lock, and now c can take it too: two holders at once.
  client c(base_config());
  run.store.now = at_ms(12'001);
  acquire_now(c, run.store, "c");
  CHECK(c.lock.believes_held(run.store.now));
  CHECK(run.b.lock.believes_held(run.store.now));
}

TEST_CASE("release after the validity ended, no timer in between: lost is recorded before the release",
          "[lock][release]") {
  fake_store store;
  client a(base_config());
  acquire_now(a, store, "a");
  store.now = at_ms(11'000);  // the owner never woke up at 10 s (a pause): its first input comes now
  a.lock.start_release(store.now);
  exchange(a, store);
  REQUIRE(a.events.size() == 3);
  CHECK(a.events[0].kind == lock_event_kind::acquired);
  CHECK(a.events[1].kind == lock_event_kind::lost);
  CHECK(a.events[1].reason == lock_reason::validity_expired);
  CHECK(a.events[1].at == at_ms(11'000));          // noticed now ...
  CHECK(a.events[1].valid_until == at_ms(10'000));  // ... ended then
  CHECK(a.events[2].kind == lock_event_kind::release_not_owner);  // the key had expired on the store
}

TEST_CASE("release waits for an in-flight renewal, then goes out", "[lock][release]") {
  fake_store store;
  lock_config cfg = base_config();
  cfg.renew = true;
  client a(cfg);
  acquire_now(a, store, "a");
  const duration every = renew_every(cfg);
  store.now = instant{} + every;
  a.lock.handle_timer(store.now);
  auto renew = a.lock.poll_command();
  REQUIRE(renew);
  REQUIRE(renew->op == kv_op::pexpire_if_owner);

  a.lock.start_release(store.now);
  CHECK_FALSE(a.lock.poll_command());  // one command at a time
  CHECK(a.lock.state() == lock_state::releasing);
  a.lock.handle_reply(store.now, store.apply(*renew));
  a.collect();
  CHECK(a.count(lock_event_kind::renewed) == 0);  // releasing: the extension is not counted on
  auto del = a.lock.poll_command();
  REQUIRE(del);
  CHECK(del->op == kv_op::del_if_owner);
  a.lock.handle_reply(store.now, store.apply(*del));
  a.collect();
  CHECK(a.count(lock_event_kind::released) == 1);
  CHECK_FALSE(store.value("job:1"));
  CHECK_FALSE(a.lock.poll_timer());  // no renewal after the release
}

TEST_CASE("release against an unavailable store: released without deleting, the TTL frees the key",
          "[lock][release]") {
  fake_store store;
  client a(base_config());
  acquire_now(a, store, "a");
  store.now = at_ms(1'000);
  store.down = true;
  a.lock.start_release(store.now);
  exchange(a, store);
  CHECK(a.lock.state() == lock_state::released);
  REQUIRE(a.count(lock_event_kind::released) == 1);
  CHECK_FALSE(a.of(lock_event_kind::released)[0].deleted);
  CHECK(a.of(lock_event_kind::released)[0].reason == lock_reason::store_unavailable);
  CHECK(store.count(kv_op::del_if_owner) == 1);  // sent once, not retried
  store.down = false;
  CHECK(store.value("job:1") == "a");
  store.now = at_ms(10'000);
  CHECK_FALSE(store.value("job:1"));
}

}  // namespace
}  // namespace squall::stack::lock::test
