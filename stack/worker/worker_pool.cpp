#include "stack/worker/worker_pool.hpp"

#include <algorithm>

#include "stack/core/assert.hpp"
#include "stack/resilience/backoff.hpp"
#include "stack/resilience/classify.hpp"

namespace squall::stack::worker {

using history::event_type;
using history::fail_reason;
using resilience::policy_mode;

namespace {
history::attempt_result to_history(attempt_kind k) {
  switch (k) {
    case attempt_kind::response: return history::attempt_result::response;
    case attempt_kind::timeout: return history::attempt_result::timeout;
    case attempt_kind::reset: return history::attempt_result::reset;
    case attempt_kind::connect_failure: return history::attempt_result::connect_failure;
  }
  return history::attempt_result::response;
}

// A client that gave up on a timeout or saw a reset cannot know whether the server acted: indeterminate.
bool indeterminate(const attempt_result& r) {
  return r.kind == attempt_kind::timeout || r.kind == attempt_kind::reset;
}
}  // namespace

worker_pool::worker_pool(runtime_port& runtime, const pool_config& pool, const resilience::policy_config& policy,
                         const std::vector<candidate_policy>& candidates)
    : rt_(runtime), pool_(pool), policy_(policy), candidates_(make_candidate_lanes(candidates)) {
  SQUALL_ASSERT(pool.workers > 0, "a worker pool needs at least one worker");
  SQUALL_ASSERT(policy.retry.max_attempts >= 1, "max_attempts must be at least 1");
  if (policy.has_breaker) {
    breaker_.emplace(breaker_lane{resilience::circuit_breaker(policy.breaker),
                                  policy.breaker.mode == policy_mode::shadow, 0});
  }
  if (policy.has_budget) {
    budget_.emplace(budget_lane{resilience::retry_budget(policy.budget), policy.budget.mode == policy_mode::shadow, 0});
  }
  for (const breaker_lane& c : candidates_.breakers) {
    // Candidates are asked where the enforced breaker is, so that their decisions can be compared.
    SQUALL_ASSERT(!breaker_ || c.breaker.config().check == policy.breaker.check,
                  "a candidate breaker must be checked like the enforced one");
  }
  workers_.resize(static_cast<std::size_t>(pool.workers));
  idle_.reserve(workers_.size());
  for (std::size_t w = workers_.size(); w-- > 0;) idle_.push_back(static_cast<std::uint32_t>(w));
}

history::event worker_pool::make_event(event_type type, std::uint32_t w) const {
  history::event e;
  e.type = type;
  e.proc = static_cast<std::int32_t>(w);
  e.req = workers_[w].req.id;
  e.dep = static_cast<std::uint16_t>(pool_.dependency);
  e.attempt = static_cast<std::uint16_t>(workers_[w].attempt);
  return e;
}

void worker_pool::submit() {
  original req{++next_id_, rt_.now()};
  history::event e;
  e.type = event_type::invoke;
  e.req = req.id;
  e.dep = static_cast<std::uint16_t>(pool_.dependency);
  rt_.emit(e);
  if (waiting_.size() < pool_.queue_max || !idle_.empty()) {
    waiting_.push_back(req);
    dispatch();
  } else {
    history::event f = e;
    f.type = event_type::fail;
    f.reason = fail_reason::queue_full;
    rt_.emit(f);
  }
}

void worker_pool::start(std::uint32_t w, original req) {
  workers_[w] = slot{req, 0, policy_.retry.backoff.base};
  history::event e = make_event(event_type::start, w);
  rt_.emit(e);
  // Seed 004: the budget registers the original before the breaker is consulted.
  if (budget_) budget_->budget.on_original(rt_.now());
  for (budget_lane& lane : candidates_.budgets) lane.budget.on_original(rt_.now());
  if (!breakers_allow(w, resilience::breaker_check::per_request)) {
    finish(w, event_type::fail, fail_reason::breaker_open);
    return;
  }
  send_attempt(w);
}

// The enforced breaker first, then each candidate's, all before the call goes on or fails: a consult's events
// stand together in the history, ahead of its attempt or fail event (docs/report-format.md).
bool worker_pool::breakers_allow(std::uint32_t w, resilience::breaker_check point) {
  bool allowed = true;
  if (breaker_ && policy_.breaker.check == point) allowed = breaker_allows(*breaker_, w);
  for (breaker_lane& lane : candidates_.breakers) {
    if (lane.breaker.config().check == point) breaker_allows(lane, w);
  }
  return allowed;
}

bool worker_pool::breaker_allows(breaker_lane& lane, std::uint32_t w) {
  const auto before = lane.breaker.state();
  const bool allowed = lane.breaker.allow(rt_.now());
  if (lane.breaker.state() != before) emit_breaker_transition(lane, before);
  if (allowed) return true;
  history::event e = make_event(event_type::breaker_reject, w);
  e.shadow = lane.shadow;
  e.candidate = lane.candidate;
  rt_.emit(e);
  return lane.shadow;  // a shadow breaker only records what it would have done
}

void worker_pool::breaker_record(breaker_lane& lane, bool failure, duration latency) {
  const auto before = lane.breaker.state();
  lane.breaker.record(rt_.now(), failure, latency);
  if (lane.breaker.state() != before) emit_breaker_transition(lane, before);
}

void worker_pool::emit_breaker_transition(const breaker_lane& lane, resilience::breaker_state from) {
  history::event e;
  e.type = event_type::breaker;
  e.dep = static_cast<std::uint16_t>(pool_.dependency);
  e.from = from;
  e.to = lane.breaker.state();
  e.shadow = lane.shadow;
  e.candidate = lane.candidate;
  rt_.emit(e);
}

void worker_pool::send_attempt(std::uint32_t w) {
  slot& s = workers_[w];
  if (!breakers_allow(w, resilience::breaker_check::per_attempt)) {
    finish(w, event_type::fail, fail_reason::breaker_open);
    return;
  }
  ++s.attempt;
  if (budget_) budget_->budget.on_attempt_start(rt_.now(), (s.budget_retry & budget_->bit()) != 0);
  for (budget_lane& lane : candidates_.budgets) {
    lane.budget.on_attempt_start(rt_.now(), (s.budget_retry & lane.bit()) != 0);
  }
  history::event e = make_event(event_type::attempt, w);
  rt_.emit(e);
  rt_.send_http(pool_.dependency, policy_.timeout, http_handler{&worker_pool::on_result_thunk, this, w});
}

void worker_pool::on_result_thunk(void* self, std::uint64_t w, const attempt_result& result) {
  static_cast<worker_pool*>(self)->on_result(static_cast<std::uint32_t>(w), result);
}

void worker_pool::on_result(std::uint32_t w, const attempt_result& result) {
  slot& s = workers_[w];
  history::event e = make_event(event_type::attempt_end, w);
  e.result = to_history(result.kind);
  e.status = result.kind == attempt_kind::response ? result.status : 0;
  e.value_ns = result.latency.count();
  rt_.emit(e);

  const bool ok = result.success();
  const auto end_attempt = [&](budget_lane& lane) {
    lane.budget.on_attempt_end(rt_.now(), (s.budget_retry & lane.bit()) != 0,
                               (s.granted_after_timeout & lane.bit()) != 0, ok);
  };
  if (budget_) end_attempt(*budget_);
  for (budget_lane& lane : candidates_.budgets) end_attempt(lane);
  const bool failure = resilience::is_dependency_failure(result);
  if (breaker_) breaker_record(*breaker_, failure, result.latency);
  for (breaker_lane& lane : candidates_.breakers) breaker_record(lane, failure, result.latency);
  s.indeterminate |= indeterminate(result);

  switch (resilience::classify(policy_.retry.retry_on, result)) {
    case resilience::error_class::success:
      finish(w, event_type::ok, fail_reason::none);
      return;
    case resilience::error_class::permanent:
      finish(w, event_type::fail, fail_reason::permanent);
      return;
    case resilience::error_class::transient:
      break;
  }
  if (s.attempt >= policy_.retry.max_attempts) {
    finish(w, event_type::fail, fail_reason::exhausted);
    return;
  }
  if (!budgets_allow_retry(w, result.kind == attempt_kind::timeout)) {
    finish(w, event_type::fail, fail_reason::budget);
    return;
  }
  schedule_retry(w, result);
}

// As for breakers: the enforced budget decides first, then each candidate's, before the retry or fail event.
bool worker_pool::budgets_allow_retry(std::uint32_t w, bool after_timeout) {
  slot& s = workers_[w];
  s.budget_retry = 0;
  s.granted_after_timeout = 0;
  bool allowed = true;
  if (budget_) allowed = budget_allows_retry(*budget_, w, after_timeout);
  for (budget_lane& lane : candidates_.budgets) budget_allows_retry(lane, w, after_timeout);
  return allowed;
}

bool worker_pool::budget_allows_retry(budget_lane& lane, std::uint32_t w, bool after_timeout) {
  slot& s = workers_[w];
  if (lane.budget.try_retry(rt_.now(), after_timeout)) {
    s.budget_retry |= lane.bit();
    if (after_timeout) s.granted_after_timeout |= lane.bit();
    return true;
  }
  history::event d = make_event(event_type::budget_deny, w);
  d.shadow = lane.shadow;
  d.candidate = lane.candidate;
  rt_.emit(d);
  // A shadow budget lets the retry through without a grant: it is invisible to the budget (no refund, no
  // active-retry slot), as it would not exist if the budget were enforced.
  return lane.shadow;
}

void worker_pool::schedule_retry(std::uint32_t w, const attempt_result& result) {
  slot& s = workers_[w];
  duration delay = resilience::backoff_delay(policy_.retry.backoff, s.attempt, s.prev_delay, rt_.uniform01());
  s.prev_delay = delay;
  if (policy_.retry.honor_retry_after && result.retry_after.count() > 0) {
    delay = std::max(delay, std::min(result.retry_after, policy_.retry.retry_after_cap));
  }
  history::event e = make_event(event_type::retry, w);
  e.attempt = static_cast<std::uint16_t>(s.attempt + 1);
  e.value_ns = delay.count();
  rt_.emit(e);
  rt_.at(rt_.now() + delay, task{&worker_pool::on_retry_timer, this, w});
}

void worker_pool::on_retry_timer(void* self, std::uint64_t w) {
  static_cast<worker_pool*>(self)->send_attempt(static_cast<std::uint32_t>(w));
}

void worker_pool::finish(std::uint32_t w, event_type type, fail_reason reason) {
  // Any attempt that timed out or was reset may have been applied: the outcome is indeterminate, not a clean
  // failure (Jepsen's info), whatever ended the request afterwards.
  if (type == event_type::fail && workers_[w].indeterminate) type = event_type::info;
  history::event e = make_event(type, w);
  e.reason = reason;
  e.value_ns = (rt_.now() - workers_[w].req.arrival).count();
  rt_.emit(e);
  idle_.push_back(w);
  dispatch();
}

// Hands waiting originals to idle workers. A start can finish at once (breaker open) and free its worker
// again; the guard turns that recursion into this loop, so a long queue cannot overflow the stack.
void worker_pool::dispatch() {
  if (dispatching_) return;
  dispatching_ = true;
  while (!idle_.empty() && !waiting_.empty()) {
    const std::uint32_t w = idle_.back();
    idle_.pop_back();
    const original next = waiting_.front();
    waiting_.pop_front();
    start(w, next);
  }
  dispatching_ = false;
}

}  // namespace squall::stack::worker
