// Contention: nil from SET NX means another owner; wait a jittered backoff and retry until the key frees up.
#include <catch2/catch.hpp>

#include "stack/resilience/backoff.hpp"
#include "support.hpp"

namespace squall::stack::lock::test {
namespace {

TEST_CASE("contention: retries after full-jitter backoffs drawn from the injected uniform", "[lock][contention]") {
  fake_store store;
  client holder(base_config());
  acquire_now(holder, store, "holder");

  const lock_config cfg = base_config();
  client b(cfg, {0.25, 0.75, 0.5});
  store.now = at_ms(1'000);
  acquire_now(b, store, "b");
  CHECK(b.lock.state() == lock_state::acquiring);
  CHECK(b.lock.stats().contended == 1);
  // Retry k = 1: v = min(cap, 100 ms * 2) = 200 ms, U(0, v) at 0.25 = 50 ms.
  CHECK(b.lock.poll_timer() == at_ms(1'050));
  CHECK(*b.lock.poll_timer() - at_ms(1'000) == resilience::backoff_delay(cfg.backoff, 1, duration{0}, 0.25));
  b.lock.handle_timer(at_ms(1'049));  // early wake-up: nothing due, nothing sent
  CHECK_FALSE(b.lock.poll_command());

  store.now = at_ms(1'050);
  b.lock.handle_timer(store.now);
  exchange(b, store);
  // Retry k = 2: v = 400 ms, at 0.75 = 300 ms.
  CHECK(b.lock.poll_timer() == at_ms(1'350));

  // The holder lets go before the third attempt: it wins.
  store.now = at_ms(1'200);
  holder.lock.start_release(store.now);
  exchange(holder, store);
  CHECK(holder.count(lock_event_kind::released) == 1);

  run_until(store, {&b}, at_ms(2'000));
  CHECK(b.lock.state() == lock_state::held);
  REQUIRE(b.count(lock_event_kind::acquired) == 1);
  CHECK(b.of(lock_event_kind::acquired)[0].at == at_ms(1'350));
  CHECK(b.of(lock_event_kind::acquired)[0].attempts == 3);
  CHECK(store.value("job:1") == "b");
}

TEST_CASE("contention: different draws spread the retries of competing clients", "[lock][contention]") {
  fake_store store;
  client holder(base_config());
  acquire_now(holder, store, "holder");
  client b(base_config(), {0.1});
  client c(base_config(), {0.9});
  store.now = at_ms(500);
  acquire_now(b, store, "b");
  acquire_now(c, store, "c");
  REQUIRE(b.lock.poll_timer());
  REQUIRE(c.lock.poll_timer());
  CHECK(*b.lock.poll_timer() == at_ms(520));
  CHECK(*c.lock.poll_timer() == at_ms(680));
}

TEST_CASE("contention: a crashed holder's key frees at its TTL, and not before", "[lock][contention]") {
  fake_store store;
  client holder(base_config());
  acquire_now(holder, store, "holder");
  store.now = at_ms(2'000);
  holder.lock.abandon();  // crashed while holding: no release, the key stays until 10 s

  lock_config cfg = base_config();
  cfg.acquire_timeout = ms(30'000);
  client b(cfg, {0.3, 0.8, 0.55, 0.1, 0.95, 0.42});
  acquire_now(b, store, "b");
  run_until(store, {&b}, at_ms(20'000));

  REQUIRE(b.count(lock_event_kind::acquired) == 1);
  const lock_event got = b.of(lock_event_kind::acquired)[0];
  CHECK(got.at >= at_ms(10'000));
  CHECK(got.at < at_ms(11'000));  // within one capped backoff of the expiry
  CHECK(got.attempts > 3);
  CHECK(b.lock.stats().contended == static_cast<std::uint64_t>(got.attempts - 1));
  // Several of b's SET NX ran while the dead holder's key was still there, and every one was refused.
  std::size_t refused = 0;
  for (const auto& l : store.log) refused += l.cmd.op == kv_op::set_nx_px && l.cmd.value == "b" && l.at < at_ms(10'000);
  CHECK(refused >= 3);
  CHECK(refused == b.lock.stats().contended);
  CHECK(store.value("job:1") == "b");
}

}  // namespace
}  // namespace squall::stack::lock::test
