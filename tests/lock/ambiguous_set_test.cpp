// A SET NX that timed out may have run: the next SET NX is then refused by our own key. The client asks GET.
#include <catch2/catch.hpp>

#include "support.hpp"

namespace squall::stack::lock::test {
namespace {

kv_reply timed_out() {
  kv_reply r;
  r.status = kv_status::timeout;
  return r;
}

TEST_CASE("ambiguous SET NX: it ran, the reply timed out, the retry's nil is checked with GET", "[lock][ambiguous]") {
  fake_store store;
  lock_config cfg = base_config();
  cfg.clock_drift_margin = ms(100);
  client a(cfg, {0.5});

  a.lock.start_acquire(at_ms(0), "a");
  auto first = a.lock.poll_command();
  REQUIRE(first);
  store.apply(*first);                            // the store ran it at 0 ...
  a.lock.handle_reply(at_ms(500), timed_out());  // ... but the client heard nothing within command_timeout
  CHECK(a.lock.state() == lock_state::acquiring);
  CHECK_FALSE(a.lock.believes_held(at_ms(500)));
  CHECK(a.lock.poll_timer() == at_ms(600));  // k = 1: U(0, 200 ms) at 0.5

  store.now = at_ms(600);
  a.lock.handle_timer(store.now);
  auto second = a.lock.poll_command();
  REQUIRE(second);
  CHECK(second->op == kv_op::set_nx_px);
  a.lock.handle_reply(store.now, store.apply(*second));  // nil: our own key is in the way
  auto check = a.lock.poll_command();
  REQUIRE(check);
  CHECK(check->op == kv_op::get);
  CHECK(check->key == "job:1");
  a.lock.handle_reply(store.now, store.apply(*check));
  a.collect();

  CHECK(a.lock.state() == lock_state::held);
  CHECK(a.lock.stats().ambiguous_recovered == 1);
  CHECK(a.lock.stats().contended == 0);
  REQUIRE(a.count(lock_event_kind::acquired) == 1);
  // Validity from the send of the timed-out SET NX (the earliest it can have run), not from the GET.
  CHECK(a.lock.valid_until() == at_ms(9'900));
  CHECK(a.of(lock_event_kind::acquired)[0].attempts == 2);
}

TEST_CASE("ambiguous SET NX: it did not run and another owner took the key: contention, then cleanup",
          "[lock][ambiguous]") {
  fake_store store;
  lock_config cfg = base_config();
  cfg.acquire_timeout = ms(1'000);
  client a(cfg, {0.5});
  client b(base_config());

  a.lock.start_acquire(at_ms(0), "a");
  REQUIRE(a.lock.poll_command());               // lost on the way: never reaches the store
  a.lock.handle_reply(at_ms(500), timed_out());
  store.now = at_ms(550);
  acquire_now(b, store, "b");
  REQUIRE(b.lock.state() == lock_state::held);

  run_until(store, {&a}, at_ms(3'000));
  CHECK(a.lock.stats().ambiguous_recovered == 0);
  CHECK(a.lock.stats().contended >= 1);
  CHECK(store.count(kv_op::get) == a.lock.stats().contended);  // each nil was checked
  REQUIRE(a.count(lock_event_kind::acquire_failed) == 1);
  CHECK(a.of(lock_event_kind::acquire_failed)[0].reason == lock_reason::acquire_timeout);
  // The lost SET NX might still land later, so giving up sends one compare-and-delete: it spares b's lock.
  CHECK(a.lock.stats().cleanups == 1);
  REQUIRE(store.count(kv_op::del_if_owner) == 1);
  CHECK(store.log.back().cmd.op == kv_op::del_if_owner);
  CHECK(store.log.back().cmd.value == "a");
  CHECK(store.value("job:1") == "b");
  CHECK(b.lock.believes_held(store.now));
}

TEST_CASE("plain contention (no timed-out SET NX) does not ask GET", "[lock][ambiguous]") {
  fake_store store;
  client holder(base_config());
  acquire_now(holder, store, "holder");
  lock_config cfg = base_config();
  cfg.acquire_timeout = ms(1'000);
  client b(cfg);
  acquire_now(b, store, "b");
  run_until(store, {&b}, at_ms(3'000));
  CHECK(b.lock.stats().contended >= 2);
  CHECK(store.count(kv_op::get) == 0);
  CHECK(store.count(kv_op::del_if_owner) == 0);
}

TEST_CASE("ambiguous SET NX: recovered too late to count on it, the lease is given back", "[lock][ambiguous]") {
  fake_store store;
  lock_config cfg = base_config();
  cfg.ttl = ms(1'000);
  cfg.acquire_timeout = ms(5'000);
  client a(cfg, {0.5});

  a.lock.start_acquire(at_ms(0), "a");
  auto first = a.lock.poll_command();
  REQUIRE(first);
  store.apply(*first);                              // landed at 0: expires at 1 000 on the store
  a.lock.handle_reply(at_ms(890), timed_out());     // a very slow timeout
  REQUIRE(a.lock.poll_timer() == at_ms(990));
  store.now = at_ms(990);
  a.lock.handle_timer(store.now);
  auto second = a.lock.poll_command();
  REQUIRE(second);
  a.lock.handle_reply(at_ms(995), store.apply(*second));  // nil: still our key at 990
  auto check = a.lock.poll_command();
  REQUIRE(check);
  store.now = at_ms(995);
  const kv_reply ours = store.apply(*check);
  REQUIRE(ours.value == "a");
  a.lock.handle_reply(at_ms(1'000), ours);  // at 1 000 the validity (0 + 1 s) is spent
  a.collect();
  CHECK(a.lock.state() == lock_state::failed);
  REQUIRE(a.count(lock_event_kind::acquire_failed) == 1);
  CHECK(a.of(lock_event_kind::acquire_failed)[0].reason == lock_reason::expired_before_use);
  CHECK(a.count(lock_event_kind::acquired) == 0);
  auto cleanup = a.lock.poll_command();
  REQUIRE(cleanup);
  CHECK(cleanup->op == kv_op::del_if_owner);
  CHECK(cleanup->value == "a");
  CHECK(a.lock.busy());
  a.lock.handle_reply(at_ms(1'001), store.apply(*cleanup));
  CHECK_FALSE(a.lock.busy());
  CHECK(a.lock.state() == lock_state::failed);
}

}  // namespace
}  // namespace squall::stack::lock::test
