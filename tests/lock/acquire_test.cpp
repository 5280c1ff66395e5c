// Acquiring: the commands on the wire, the validity measured from the send, fencing, the wait budget, crashes.
#include <catch2/catch.hpp>

#include "support.hpp"

namespace squall::stack::lock::test {
namespace {

TEST_CASE("acquire: SET key token NX PX ttl, then held until ttl - margin after the send", "[lock][acquire]") {
  fake_store store;
  lock_config cfg = base_config();
  cfg.clock_drift_margin = ms(200);
  client a(cfg);

  a.lock.start_acquire(at_ms(0), "w1:1");
  CHECK(a.lock.state() == lock_state::acquiring);
  CHECK(a.lock.busy());
  auto cmd = a.lock.poll_command();
  REQUIRE(cmd);
  CHECK(cmd->op == kv_op::set_nx_px);
  CHECK(cmd->key == "job:1");
  CHECK(cmd->value == "w1:1");
  CHECK(cmd->ttl == ms(10'000));
  CHECK_FALSE(a.lock.poll_command());  // one command at a time
  CHECK_FALSE(a.lock.believes_held(at_ms(0)));

  store.now = at_ms(0);
  const kv_reply r = store.apply(*cmd);
  a.lock.handle_reply(at_ms(30), r);  // the reply is 30 ms late: the validity still counts from the send
  a.collect();
  CHECK(a.lock.state() == lock_state::held);
  CHECK_FALSE(a.lock.busy());
  REQUIRE(a.events.size() == 1);
  CHECK(a.events[0].kind == lock_event_kind::acquired);
  CHECK(a.events[0].token == "w1:1");
  CHECK(a.events[0].fence == 0);
  CHECK(a.events[0].attempts == 1);
  CHECK(a.events[0].at == at_ms(30));
  CHECK(a.events[0].valid_until == at_ms(9'800));
  CHECK(a.lock.valid_until() == at_ms(9'800));
  CHECK(a.lock.fence_token() == 0);
  CHECK(a.lock.believes_held(at_ms(9'799)));
  CHECK_FALSE(a.lock.believes_held(at_ms(9'800)));
  CHECK(a.lock.poll_timer() == at_ms(9'800));  // no renewal: the only wake-up is the validity end
  CHECK(store.value("job:1") == "w1:1");
  CHECK(store.expires("job:1") == at_ms(10'000));
}

TEST_CASE("acquire with fencing: INCR <key>:fence after the SET NX, token in the event", "[lock][acquire][fencing]") {
  fake_store store;
  lock_config cfg = base_config();
  cfg.fencing = true;
  client a(cfg);

  a.lock.start_acquire(at_ms(0), "w1:1");
  auto set = a.lock.poll_command();
  REQUIRE(set);
  a.lock.handle_reply(at_ms(0), store.apply(*set));
  // The key is ours but the token is not known yet: not usable.
  CHECK(a.lock.state() == lock_state::acquiring);
  CHECK_FALSE(a.lock.believes_held(at_ms(1)));
  auto incr = a.lock.poll_command();
  REQUIRE(incr);
  CHECK(incr->op == kv_op::incr);
  CHECK(incr->key == "job:1:fence");
  a.lock.handle_reply(at_ms(2), store.apply(*incr));
  a.collect();
  CHECK(a.lock.state() == lock_state::held);
  CHECK(a.lock.fence_token() == 1);
  REQUIRE(a.count(lock_event_kind::acquired) == 1);
  CHECK(a.of(lock_event_kind::acquired)[0].fence == 1);
  CHECK(a.lock.believes_held(at_ms(2)));
  CHECK(a.lock.valid_until() == at_ms(10'000));  // from the SET NX's send, not the INCR's
}

TEST_CASE("acquire: the wait budget runs out while another owner holds the key", "[lock][acquire]") {
  fake_store store;
  client holder(base_config());
  acquire_now(holder, store, "holder");
  REQUIRE(holder.lock.state() == lock_state::held);

  lock_config cfg = base_config();
  cfg.acquire_timeout = ms(1'000);
  client b(cfg, {0.9});
  store.now = at_ms(100);
  acquire_now(b, store, "b");
  run_until(store, {&b}, at_ms(5'000));

  CHECK(b.lock.state() == lock_state::failed);
  REQUIRE(b.count(lock_event_kind::acquire_failed) == 1);
  const lock_event failed = b.of(lock_event_kind::acquire_failed)[0];
  CHECK(failed.reason == lock_reason::acquire_timeout);
  CHECK(failed.attempts > 1);
  CHECK(failed.attempts == static_cast<int>(b.lock.stats().set_attempts));
  CHECK(b.count(lock_event_kind::acquired) == 0);
  // Every SET NX started inside the budget, and the holder's lock was never touched.
  for (const auto& l : store.log) CHECK(l.at < at_ms(1'100));
  CHECK(failed.at < at_ms(1'100));
  CHECK(store.count(kv_op::del_if_owner) == 0);  // never won, nothing to give back
  CHECK(store.value("job:1") == "holder");
  CHECK_FALSE(b.lock.poll_timer());
  CHECK_FALSE(b.lock.busy());
}

TEST_CASE("acquire: a store that keeps refusing fails the acquisition as unavailable", "[lock][acquire]") {
  fake_store store;
  store.down = true;
  client a(base_config());
  acquire_now(a, store, "a");
  run_until(store, {&a}, at_ms(10'000));
  REQUIRE(a.count(lock_event_kind::acquire_failed) == 1);
  CHECK(a.of(lock_event_kind::acquire_failed)[0].reason == lock_reason::store_unavailable);
  CHECK(a.lock.stats().store_failures == a.lock.stats().set_attempts);
  CHECK(a.lock.stats().set_attempts > 2);
  CHECK(store.count(kv_op::del_if_owner) == 0);  // a refused SET did not run: nothing to clean up
}

TEST_CASE("acquire: acquire_timeout 0 tries exactly once", "[lock][acquire]") {
  fake_store store;
  client holder(base_config());
  acquire_now(holder, store, "holder");
  lock_config cfg = base_config();
  cfg.acquire_timeout = duration{0};
  client b(cfg);
  acquire_now(b, store, "b");
  CHECK(b.lock.state() == lock_state::failed);
  CHECK(b.lock.stats().set_attempts == 1);
  REQUIRE(b.count(lock_event_kind::acquire_failed) == 1);
  CHECK(b.of(lock_event_kind::acquire_failed)[0].reason == lock_reason::acquire_timeout);
}

TEST_CASE("abandon: a crashed owner sends nothing more and its key lives out its TTL", "[lock][acquire]") {
  fake_store store;
  client a(base_config());
  acquire_now(a, store, "a");
  REQUIRE(a.lock.state() == lock_state::held);

  // Crash with a command in flight: its late reply is dropped, not misread.
  store.now = at_ms(1'000);
  a.lock.start_release(store.now);
  auto del = a.lock.poll_command();
  REQUIRE(del);
  a.lock.abandon();
  CHECK(a.lock.state() == lock_state::idle);
  CHECK_FALSE(a.lock.busy());
  CHECK_FALSE(a.lock.poll_command());
  CHECK_FALSE(a.lock.poll_timer());
  CHECK_FALSE(a.lock.believes_held(at_ms(1'000)));
  kv_reply late;
  late.status = kv_status::ok;
  late.integer = 1;
  a.lock.handle_reply(at_ms(1'010), late);
  CHECK(a.lock.stats().stray_replies == 1);
  a.collect();
  CHECK(a.count(lock_event_kind::released) == 0);
  CHECK(store.value("job:1") == "a");  // the release never reached the store

  // A fresh acquisition on the same client works after the crash.
  store.now = at_ms(10'000);
  acquire_now(a, store, "a:2");
  CHECK(a.lock.state() == lock_state::held);
  CHECK(store.value("job:1") == "a:2");
}

}  // namespace
}  // namespace squall::stack::lock::test
