// Fencing tokens: INCR in the same store; strictly increasing across acquisitions, including takeovers.
#include <catch2/catch.hpp>

#include <vector>

#include "support.hpp"

namespace squall::stack::lock::test {
namespace {

lock_config fenced() {
  lock_config c = base_config();
  c.fencing = true;
  return c;
}

TEST_CASE("fencing tokens strictly increase across successive acquisitions", "[lock][fencing]") {
  fake_store store;
  client a(fenced());
  client b(fenced());
  std::vector<std::int64_t> tokens;

  // Clean hand-offs: a, b, a again on the same client object.
  for (int round = 0; round < 3; ++round) {
    client& c = round % 2 == 0 ? a : b;
    acquire_now(c, store, "owner" + std::to_string(round));
    REQUIRE(c.lock.state() == lock_state::held);
    tokens.push_back(c.lock.fence_token());
    store.now += ms(100);
    c.lock.start_release(store.now);
    exchange(c, store);
  }
  // A takeover: a's lease expires while its job runs; b's token is larger, so a ledger can refuse a's writes.
  acquire_now(a, store, "a:late");
  const std::int64_t stale = a.lock.fence_token();
  tokens.push_back(stale);
  run_until(store, {&a}, store.now + ms(10'500));
  REQUIRE(a.lock.state() == lock_state::lost);
  acquire_now(b, store, "b:late");
  REQUIRE(b.lock.state() == lock_state::held);
  tokens.push_back(b.lock.fence_token());

  REQUIRE(tokens.size() == 5);
  for (std::size_t i = 1; i < tokens.size(); ++i) CHECK(tokens[i] > tokens[i - 1]);
  CHECK(tokens.front() == 1);
  CHECK(b.lock.fence_token() > stale);
  CHECK(a.lock.fence_token() == stale);  // a keeps reporting the token it acquired with
  CHECK(a.of(lock_event_kind::lost)[0].fence == stale);
}

TEST_CASE("fencing: a timed-out INCR is retried, the skipped number keeps tokens increasing", "[lock][fencing]") {
  fake_store store;
  client a(fenced());
  a.lock.start_acquire(at_ms(0), "a");
  auto set = a.lock.poll_command();
  REQUIRE(set);
  a.lock.handle_reply(at_ms(0), store.apply(*set));
  auto incr = a.lock.poll_command();
  REQUIRE(incr);
  store.apply(*incr);  // counted to 1, the reply is lost
  kv_reply timed_out;
  timed_out.status = kv_status::timeout;
  a.lock.handle_reply(at_ms(500), timed_out);
  CHECK(a.lock.state() == lock_state::acquiring);
  CHECK_FALSE(a.lock.believes_held(at_ms(500)));
  store.now = at_ms(500);
  run_until(store, {&a}, at_ms(1'000));
  CHECK(a.lock.state() == lock_state::held);
  CHECK(a.lock.fence_token() == 2);
  CHECK(store.count(kv_op::incr) == 2);
  CHECK(store.count(kv_op::set_nx_px) == 1);  // the key was already ours: no new SET NX
}

TEST_CASE("fencing: INCR failing until the validity ends gives the lease back", "[lock][fencing]") {
  fake_store store;
  lock_config cfg = fenced();
  cfg.ttl = ms(2'000);
  client a(cfg);
  a.lock.start_acquire(at_ms(0), "a");
  auto set = a.lock.poll_command();
  REQUIRE(set);
  a.lock.handle_reply(at_ms(0), store.apply(*set));
  store.down = true;
  exchange(a, store);
  run_until(store, {&a}, at_ms(5'000));
  CHECK(a.lock.state() == lock_state::failed);
  REQUIRE(a.count(lock_event_kind::acquire_failed) == 1);
  CHECK(a.of(lock_event_kind::acquire_failed)[0].reason == lock_reason::store_unavailable);
  CHECK(a.of(lock_event_kind::acquire_failed)[0].at < at_ms(2'000));
  CHECK(a.count(lock_event_kind::acquired) == 0);
  CHECK(a.lock.stats().cleanups == 1);  // the key is ours on the store: compare-and-delete it
  CHECK(store.log.back().cmd.op == kv_op::del_if_owner);
}

}  // namespace
}  // namespace squall::stack::lock::test
