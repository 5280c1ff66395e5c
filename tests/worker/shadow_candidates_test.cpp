// Shadow candidates in the worker pool: they watch the same calls as the enforced policy, record their own
// decisions (tagged with their index) and change nothing the enforced policy does.
#include <catch2/catch.hpp>

#include "tests/worker/pool_fixture.hpp"

using namespace squall;
using namespace squall::test;
using stack::worker::candidate_policy;
using stack::worker::pool_config;
using stack::worker::worker_pool;
namespace res = stack::resilience;

namespace {

// A dependency that fails in [100 ms, 400 ms) and [700 ms, 750 ms) and is fine otherwise.
sim::http_reply flaky(std::size_t, stack::instant now) {
  const auto t = now.time_since_epoch();
  const bool failing = (t >= 100ms && t < 400ms) || (t >= 700ms && t < 750ms);
  return reply_after(now, 2ms, failing ? 503 : 200);
}

res::breaker_config consecutive(int threshold, stack::duration open, res::breaker_check check) {
  res::breaker_config b;
  b.model = res::breaker_model::consecutive;
  b.failure_threshold = threshold;
  b.open = open;
  b.half_open_calls = 1;
  b.check = check;
  return b;
}

std::vector<stack::duration> every_5ms_for_1s() {
  std::vector<stack::duration> out;
  for (int i = 0; i < 200; ++i) out.push_back(std::chrono::milliseconds(5 * i));
  return out;
}

// The events of one decision maker (0 the enforced policy), as (time, type, req, from, to).
struct decision {
  std::int64_t t_ns;
  event_type type;
  std::uint64_t req;
  history::breaker_state from, to;
  bool operator==(const decision&) const = default;
};
std::vector<decision> decisions_of(const recording_sink& sink, std::uint8_t candidate) {
  std::vector<decision> out;
  for (const event& e : sink.events) {
    const bool is_decision = e.type == event_type::breaker || e.type == event_type::breaker_reject ||
                             e.type == event_type::budget_deny;
    if (is_decision && e.candidate == candidate) out.push_back({e.t_ns, e.type, e.req, e.from, e.to});
  }
  return out;
}

// Every event except sequence numbers and candidates' events: what the enforced policy did.
std::vector<event> enforced_view(const recording_sink& sink) {
  std::vector<event> out;
  for (event e : sink.events) {
    if (e.candidate != 0) continue;
    e.seq = 0;
    out.push_back(e);
  }
  return out;
}

bool same_events(const std::vector<event>& a, const std::vector<event>& b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    const event& x = a[i];
    const event& y = b[i];
    if (x.t_ns != y.t_ns || x.type != y.type || x.shadow != y.shadow || x.req != y.req || x.proc != y.proc ||
        x.attempt != y.attempt || x.status != y.status || x.result != y.result || x.reason != y.reason ||
        x.from != y.from || x.to != y.to || x.value_ns != y.value_ns) {
      return false;
    }
  }
  return true;
}

}  // namespace

TEST_CASE("a control candidate identical to the enforced breaker makes the same decisions at the same moments") {
  for (const auto check : {res::breaker_check::per_attempt, res::breaker_check::per_request}) {
    INFO("check " << (check == res::breaker_check::per_request ? "per_request" : "per_attempt"));
    pool_fixture f;
    f.backend.script = flaky;
    auto policy = no_jitter_policy(2);
    policy.has_breaker = true;
    policy.breaker = consecutive(3, 50ms, check);
    candidate_policy control;
    control.has_breaker = true;
    control.breaker = policy.breaker;
    worker_pool pool(f.runtime, pool_config{8, 1000, 0}, policy, {control});
    f.run(pool, every_5ms_for_1s(), 2s);

    const auto enforced = decisions_of(f.sink, 0);
    const auto candidate = decisions_of(f.sink, 1);
    CHECK(enforced.size() > 10);  // it opened, rejected and closed again
    CHECK(candidate == enforced);
    for (const event& e : f.sink.events) {
      if (e.candidate != 0) CHECK(e.shadow);  // a candidate never enforces
    }
  }
}

TEST_CASE("candidates change nothing the enforced policy does, jitter draws included") {
  const auto run = [](const std::vector<candidate_policy>& candidates) {
    pool_fixture f;
    f.backend.script = flaky;
    auto policy = no_jitter_policy(3);
    policy.retry.backoff.kind = res::backoff_kind::full_jitter;  // draws randomness at every retry
    policy.retry.backoff.base = 5ms;
    policy.has_breaker = true;
    policy.breaker = consecutive(5, 30ms, res::breaker_check::per_attempt);
    policy.has_budget = true;
    policy.budget.model = res::budget_model::token_bucket;
    policy.budget.capacity = 40;
    worker_pool pool(f.runtime, pool_config{8, 1000, 0}, policy, candidates);
    f.run(pool, every_5ms_for_1s(), 3s);
    return f.sink;
  };
  candidate_policy eager;  // opens at the first failure and stays open: rejects far more than the enforced one
  eager.has_breaker = true;
  eager.breaker = consecutive(1, 500ms, res::breaker_check::per_attempt);
  eager.has_budget = true;
  eager.budget.model = res::budget_model::cumulative_ratio;
  eager.budget.ratio = 0.01;
  candidate_policy budget_only;
  budget_only.has_budget = true;
  budget_only.budget.model = res::budget_model::concurrency;
  budget_only.budget.min_retry_concurrency = 0;
  budget_only.budget.budget_percent = 1;

  const auto alone = run({});
  const auto watched = run({eager, budget_only});
  CHECK(same_events(enforced_view(alone), enforced_view(watched)));
  CHECK_FALSE(decisions_of(watched, 1).empty());
  CHECK_FALSE(decisions_of(watched, 2).empty());
  CHECK(decisions_of(watched, 1).size() > decisions_of(watched, 0).size());
}

TEST_CASE("a candidate budget registers every original and is asked at every retry decision") {
  // No enforced budget: 10 originals one after the other, each failing 3 times, make 20 retry decisions. A
  // cumulative_ratio candidate of 0.2 grants a retry only while retries < int(0.2 * originals): one at the 5th
  // original, one at the 10th, and would deny the other 18, while every retry still goes out.
  pool_fixture f;
  f.backend.script = [](std::size_t, stack::instant now) { return reply_after(now, 1ms, 503); };
  std::vector<stack::duration> arrivals;
  for (int i = 0; i < 10; ++i) arrivals.push_back(std::chrono::seconds(i));
  candidate_policy ratio;
  ratio.has_budget = true;
  ratio.budget.model = res::budget_model::cumulative_ratio;
  ratio.budget.ratio = 0.2;
  worker_pool pool(f.runtime, pool_config{1, 100, 0}, no_jitter_policy(3), {ratio});
  f.run(pool, arrivals, 20s);
  CHECK(f.sink.of(event_type::attempt).size() == 30);
  CHECK(f.sink.of(event_type::retry).size() == 20);
  const auto denials = f.sink.of(event_type::budget_deny);
  REQUIRE(denials.size() == 18);
  for (const event& d : denials) {
    CHECK(d.candidate == 1);
    CHECK(d.shadow);
  }
  // The 5th and the 10th originals had their first retry granted.
  int denied_of_5th = 0;
  for (const event& d : denials) denied_of_5th += d.req == 5 ? 1 : 0;
  CHECK(denied_of_5th == 1);
}

TEST_CASE("a candidate's decisions follow the enforced one's at the same consult, before the attempt or fail") {
  pool_fixture f;
  f.backend.script = flaky;
  auto policy = no_jitter_policy(1);
  policy.has_breaker = true;
  policy.breaker = consecutive(2, 100ms, res::breaker_check::per_attempt);
  candidate_policy twin;
  twin.has_breaker = true;
  twin.breaker = policy.breaker;
  worker_pool pool(f.runtime, pool_config{4, 1000, 0}, policy, {twin});
  f.run(pool, every_5ms_for_1s(), 2s);
  const auto& ev = f.sink.events;
  int pairs = 0;
  for (std::size_t i = 0; i + 2 < ev.size(); ++i) {
    if (ev[i].type != event_type::breaker_reject || ev[i].candidate != 0) continue;
    // enforced reject, then the twin's reject for the same request, then the enforced policy fails the call
    CHECK(ev[i + 1].type == event_type::breaker_reject);
    CHECK(ev[i + 1].candidate == 1);
    CHECK(ev[i + 1].req == ev[i].req);
    CHECK(ev[i + 2].type == event_type::fail);
    ++pairs;
  }
  CHECK(pairs > 0);
}
