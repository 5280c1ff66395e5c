// The worker pool's call flow (seed 004's call_with_resilience) event by event, on the real simulator with a
// scripted dependency.
#include <catch2/catch.hpp>

#include "tests/worker/pool_fixture.hpp"

using namespace squall;
using namespace squall::test;
using history::fail_reason;
using stack::worker::pool_config;
using stack::worker::worker_pool;

namespace {
std::int64_t ns(stack::duration d) { return d.count(); }
}  // namespace

TEST_CASE("a success on the first attempt: invoke, start, attempt, attempt_end, ok with end-to-end latency") {
  pool_fixture f;
  f.backend.script = [](std::size_t, stack::instant now) { return reply_after(now, 20ms, 200); };
  worker_pool pool(f.runtime, pool_config{1, 10, 0}, no_jitter_policy(3));
  f.run(pool, {5ms}, 1s);
  std::vector<event_type> types;
  for (const auto& e : f.sink.events) types.push_back(e.type);
  CHECK(types == std::vector<event_type>{event_type::invoke, event_type::start, event_type::attempt,
                                         event_type::attempt_end, event_type::ok});
  const auto ok = f.sink.of(event_type::ok).at(0);
  CHECK(ok.t_ns == ns(25ms));
  CHECK(ok.value_ns == ns(20ms));
  CHECK(f.sink.of(event_type::attempt_end).at(0).status == 200);
}

TEST_CASE("transient errors are retried after v = min(cap, base*2^k) with backoff none") {
  pool_fixture f;
  int calls = 0;
  f.backend.script = [&](std::size_t, stack::instant now) { return reply_after(now, 10ms, ++calls < 3 ? 503 : 200); };
  worker_pool pool(f.runtime, pool_config{1, 10, 0}, no_jitter_policy(3));
  f.run(pool, {0ms}, 5s);
  const auto attempts = f.sink.of(event_type::attempt);
  REQUIRE(attempts.size() == 3);
  CHECK(attempts[0].t_ns == 0);
  CHECK(attempts[1].t_ns == ns(10ms + 200ms));                  // k = 1: 100ms * 2
  CHECK(attempts[2].t_ns == ns(10ms + 200ms + 10ms + 400ms));   // k = 2: 100ms * 4
  CHECK(attempts[2].attempt == 3);
  CHECK(f.sink.of(event_type::ok).size() == 1);
  CHECK(f.sink.of(event_type::retry).at(1).value_ns == ns(400ms));
}

TEST_CASE("exhausted attempts fail, when the last attempt timed out the outcome is indeterminate (info)") {
  SECTION("503 every time: fail, reason exhausted") {
    pool_fixture f;
    f.backend.script = [](std::size_t, stack::instant now) { return reply_after(now, 1ms, 503); };
    worker_pool pool(f.runtime, pool_config{1, 10, 0}, no_jitter_policy(2));
    f.run(pool, {0ms}, 5s);
    CHECK(f.sink.of(event_type::attempt).size() == 2);
    REQUIRE(f.sink.of(event_type::fail).size() == 1);
    CHECK(f.sink.of(event_type::fail)[0].reason == fail_reason::exhausted);
  }
  SECTION("always slower than the timeout: info, and attempt_end says timeout at exactly 200 ms") {
    pool_fixture f;
    f.backend.script = [](std::size_t, stack::instant now) { return reply_after(now, 900ms, 200); };
    worker_pool pool(f.runtime, pool_config{1, 10, 0}, no_jitter_policy(2));
    f.run(pool, {0ms}, 5s);
    const auto ends = f.sink.of(event_type::attempt_end);
    REQUIRE(ends.size() == 2);
    CHECK(ends[0].result == history::attempt_result::timeout);
    CHECK(ends[0].value_ns == ns(200ms));
    CHECK(f.sink.of(event_type::info).size() == 1);
    CHECK(f.sink.of(event_type::ok).empty());
  }
}

TEST_CASE("a permanent error (400) is not retried") {
  pool_fixture f;
  f.backend.script = [](std::size_t, stack::instant now) { return reply_after(now, 1ms, 400); };
  worker_pool pool(f.runtime, pool_config{1, 10, 0}, no_jitter_policy(5));
  f.run(pool, {0ms}, 5s);
  CHECK(f.sink.of(event_type::attempt).size() == 1);
  REQUIRE(f.sink.of(event_type::fail).size() == 1);
  CHECK(f.sink.of(event_type::fail)[0].reason == fail_reason::permanent);
}

TEST_CASE("Retry-After is honoured only when configured") {
  auto second_attempt_at = [](bool honor) {
    pool_fixture f;
    int calls = 0;
    f.backend.script = [&](std::size_t, stack::instant now) {
      return ++calls == 1 ? reply_after(now, 1ms, 429, 3s) : reply_after(now, 1ms, 200);
    };
    auto policy = no_jitter_policy(2);
    policy.retry.honor_retry_after = honor;
    worker_pool pool(f.runtime, pool_config{1, 10, 0}, policy);
    f.run(pool, {0ms}, 10s);
    return f.sink.of(event_type::attempt).at(1).t_ns;
  };
  CHECK(second_attempt_at(false) == ns(1ms + 200ms));
  CHECK(second_attempt_at(true) == ns(1ms + 3s));
}

TEST_CASE("the retry budget denies retries, in shadow mode it only records the denial") {
  auto run = [](stack::resilience::policy_mode mode) {
    pool_fixture f;
    f.backend.script = [](std::size_t, stack::instant now) { return reply_after(now, 1ms, 503); };
    auto policy = no_jitter_policy(3);
    policy.has_budget = true;
    policy.budget.model = stack::resilience::budget_model::cumulative_ratio;
    policy.budget.ratio = 0.2;  // one original: floor(0.2) = 0 retries allowed
    policy.budget.mode = mode;
    worker_pool pool(f.runtime, pool_config{1, 10, 0}, policy);
    f.run(pool, {0ms}, 10s);
    return f.sink;
  };
  const auto enforced = run(stack::resilience::policy_mode::enforce);
  CHECK(enforced.of(event_type::attempt).size() == 1);
  REQUIRE(enforced.of(event_type::fail).size() == 1);
  CHECK(enforced.of(event_type::fail)[0].reason == fail_reason::budget);
  CHECK_FALSE(enforced.of(event_type::budget_deny).at(0).shadow);

  const auto shadow = run(stack::resilience::policy_mode::shadow);
  CHECK(shadow.of(event_type::attempt).size() == 3);
  CHECK(shadow.of(event_type::budget_deny).size() == 2);
  CHECK(shadow.of(event_type::budget_deny).at(0).shadow);
  CHECK(shadow.of(event_type::fail).at(0).reason == fail_reason::exhausted);
}

TEST_CASE("an open breaker (per_request) fast-fails originals without an attempt") {
  pool_fixture f;
  f.backend.script = [](std::size_t, stack::instant now) { return reply_after(now, 1ms, 503); };
  auto policy = no_jitter_policy(1);
  policy.has_breaker = true;
  policy.breaker.model = stack::resilience::breaker_model::consecutive;
  policy.breaker.check = stack::resilience::breaker_check::per_request;
  policy.breaker.failure_threshold = 2;
  policy.breaker.open = 10s;
  worker_pool pool(f.runtime, pool_config{1, 10, 0}, policy);
  f.run(pool, {0ms, 10ms, 20ms, 30ms}, 1s);
  CHECK(f.sink.of(event_type::attempt).size() == 2);
  const auto transitions = f.sink.of(event_type::breaker);
  REQUIRE(transitions.size() == 1);
  CHECK(transitions[0].from == history::breaker_state::closed);
  CHECK(transitions[0].to == history::breaker_state::open);
  CHECK(transitions[0].t_ns == ns(11ms));
  const auto fails = f.sink.of(event_type::fail);
  REQUIRE(fails.size() == 4);
  CHECK(fails[2].reason == fail_reason::breaker_open);
  CHECK(fails[3].reason == fail_reason::breaker_open);
  CHECK(f.sink.of(event_type::breaker_reject).size() == 2);
}

TEST_CASE("a shadow breaker records would-rejects and transitions but lets every call through") {
  pool_fixture f;
  f.backend.script = [](std::size_t, stack::instant now) { return reply_after(now, 1ms, 503); };
  auto policy = no_jitter_policy(1);
  policy.has_breaker = true;
  policy.breaker.failure_threshold = 2;
  policy.breaker.open = 10s;
  policy.breaker.mode = stack::resilience::policy_mode::shadow;
  worker_pool pool(f.runtime, pool_config{1, 10, 0}, policy);
  f.run(pool, {0ms, 10ms, 20ms, 30ms}, 1s);
  CHECK(f.sink.of(event_type::attempt).size() == 4);
  REQUIRE(f.sink.of(event_type::breaker_reject).size() == 2);
  CHECK(f.sink.of(event_type::breaker_reject)[0].shadow);
  REQUIRE_FALSE(f.sink.of(event_type::breaker).empty());
  CHECK(f.sink.of(event_type::breaker)[0].shadow);
}

TEST_CASE("originals wait FIFO for a worker, beyond queue_max they fail with queue_full") {
  pool_fixture f;
  f.backend.script = [](std::size_t, stack::instant now) { return reply_after(now, 100ms, 200); };
  worker_pool pool(f.runtime, pool_config{1, 1, 0}, no_jitter_policy(1));
  f.run(pool, {0ms, 1ms, 2ms}, 1s);
  const auto starts = f.sink.of(event_type::start);
  REQUIRE(starts.size() == 2);
  CHECK(starts[1].req == 2);
  CHECK(starts[1].t_ns == ns(100ms));  // waited for the only worker
  const auto fails = f.sink.of(event_type::fail);
  REQUIRE(fails.size() == 1);
  CHECK(fails[0].req == 3);
  CHECK(fails[0].reason == fail_reason::queue_full);
  const auto oks = f.sink.of(event_type::ok);
  REQUIRE(oks.size() == 2);
  CHECK(oks[1].value_ns == ns(200ms - 1ms));  // end-to-end latency includes the wait for a worker
}

TEST_CASE("events are stamped with the simulated time and a strictly increasing sequence") {
  pool_fixture f;
  f.backend.script = [](std::size_t, stack::instant now) { return reply_after(now, 3ms, 503); };
  worker_pool pool(f.runtime, pool_config{2, 10, 0}, no_jitter_policy(3));
  f.run(pool, {0ms, 0ms, 1ms}, 5s);
  for (std::size_t i = 1; i < f.sink.events.size(); ++i) {
    CHECK(f.sink.events[i].seq == f.sink.events[i - 1].seq + 1);
    CHECK(f.sink.events[i].t_ns >= f.sink.events[i - 1].t_ns);
  }
}

TEST_CASE("an earlier timeout keeps the outcome indeterminate even when a later attempt fails cleanly") {
  SECTION("timeout, then 503 until attempts run out: info, not fail") {
    pool_fixture f;
    int calls = 0;
    f.backend.script = [&](std::size_t, stack::instant now) {
      return ++calls == 1 ? reply_after(now, 900ms, 200) : reply_after(now, 1ms, 503);
    };
    worker_pool pool(f.runtime, pool_config{1, 10, 0}, no_jitter_policy(3));
    f.run(pool, {0ms}, 5s);
    CHECK(f.sink.of(event_type::fail).empty());
    REQUIRE(f.sink.of(event_type::info).size() == 1);
    CHECK(f.sink.of(event_type::info)[0].reason == fail_reason::exhausted);
  }
  SECTION("a timeout that retry_on does not cover ends the request as info/permanent") {
    pool_fixture f;
    f.backend.script = [](std::size_t, stack::instant now) { return reply_after(now, 900ms, 200); };
    auto policy = no_jitter_policy(3);
    policy.retry.retry_on.timeout = false;
    worker_pool pool(f.runtime, pool_config{1, 10, 0}, policy);
    f.run(pool, {0ms}, 5s);
    CHECK(f.sink.of(event_type::attempt).size() == 1);
    REQUIRE(f.sink.of(event_type::info).size() == 1);
    CHECK(f.sink.of(event_type::info)[0].reason == fail_reason::permanent);
  }
}

TEST_CASE("a shadow token bucket refunds only retries it granted") {
  // Bucket of 10 tokens, 5 per retry, nothing for first-try successes. Four requests fail at once: two retries
  // are granted (bucket empty), two are denied but run anyway (shadow). The granted ones fail again, the denied
  // ones succeed. A later failure must still be denied: the ungranted successes must not refund anything.
  pool_fixture f;
  int calls = 0;
  f.backend.script = [&](std::size_t, stack::instant now) {
    ++calls;
    const bool ok = calls == 7 || calls == 8 || calls == 10;
    return reply_after(now, 1ms, ok ? 200 : 503);
  };
  auto policy = no_jitter_policy(2);
  policy.has_budget = true;
  policy.budget.model = stack::resilience::budget_model::token_bucket;
  policy.budget.mode = stack::resilience::policy_mode::shadow;
  policy.budget.capacity = 10;
  policy.budget.retry_cost = 5;
  policy.budget.success_increment = 0;
  worker_pool pool(f.runtime, pool_config{4, 10, 0}, policy);
  f.run(pool, {0ms, 0ms, 0ms, 0ms, 1s}, 10s);
  REQUIRE(calls == 10);
  const auto denials = f.sink.of(event_type::budget_deny);
  REQUIRE(denials.size() == 3);
  CHECK(denials[0].req == 3);
  CHECK(denials[1].req == 4);
  CHECK(denials[2].req == 5);
}
