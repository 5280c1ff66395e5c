#pragma once
// A scripted harness for job_node: a fake runtime with a manual clock and a task list the test advances
// explicitly, and a job_port that records every call and lets the test decide each KV reply and when.
//
// Time: the runtime keeps a true timeline (what run_until/advance move) and the node's clock reads true time plus
// an offset that jump() steps, like sim::sim_runtime: at(when) converts `when` from the node's clock to true time
// when the task is armed, so a clock jump after arming moves what the node reads when the task runs.
#include <catch2/catch.hpp>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <deque>
#include <optional>
#include <string>
#include <vector>

#include "history/event.hpp"
#include "stack/core/kv.hpp"
#include "stack/core/time.hpp"
#include "stack/lock/lock_config.hpp"
#include "stack/worker/job_config.hpp"
#include "stack/worker/job_node.hpp"
#include "stack/worker/job_ports.hpp"
#include "stack/worker/ports.hpp"

namespace squall::stack::worker::test {

using namespace std::chrono_literals;
using history::event;
using history::event_type;

inline instant at_ms(std::int64_t ms) { return instant_from_ns(ms * 1'000'000); }

// --- runtime ---------------------------------------------------------------------------------------------------

class fake_runtime final : public runtime_port {
 public:
  struct pending_task {
    std::int64_t true_ns;
    std::uint64_t seq;
    task t;
  };

  instant now() const override { return instant{duration{true_ns_} + offset_}; }

  void at(instant when, task t) override {
    const std::int64_t true_when = std::max(ns_since_start(when) - offset_.count(), true_ns_);
    tasks_.push_back(pending_task{true_when, next_seq_++, t});
  }

  void send_http(std::size_t, duration, http_handler) override { FAIL("job_node must not send HTTP"); }

  double uniform01() override {
    ++uniform_calls;
    return uniform;
  }

  void emit(event& e) override {
    e.t_ns = ns_since_start(now());
    e.seq = events.size();
    events.push_back(e);
  }

  // Runs every task due at or before true time `t`, in (time, arming order), moving the clock to each; then
  // leaves the clock at `t`. Tasks armed while running are run too if they are due.
  void run_until(instant t) {
    const std::int64_t target = ns_since_start(t);
    for (;;) {
      auto best = tasks_.end();
      for (auto it = tasks_.begin(); it != tasks_.end(); ++it) {
        if (it->true_ns > target) continue;
        if (best == tasks_.end() || it->true_ns < best->true_ns ||
            (it->true_ns == best->true_ns && it->seq < best->seq)) {
          best = it;
        }
      }
      if (best == tasks_.end()) break;
      const pending_task p = *best;
      tasks_.erase(best);
      true_ns_ = p.true_ns;
      p.t();
    }
    true_ns_ = std::max(true_ns_, target);
  }
  void advance(duration d) { run_until(instant{duration{true_ns_} + d}); }
  // Steps the node's clock (true time does not move).
  void jump(duration by) { offset_ += by; }

  instant true_now() const { return instant{duration{true_ns_}}; }
  std::size_t pending_tasks() const { return tasks_.size(); }

  std::vector<event_type> event_types() const {
    std::vector<event_type> out;
    for (const event& e : events) out.push_back(e.type);
    return out;
  }
  std::vector<std::string> event_names() const {
    std::vector<std::string> out;
    for (const event& e : events) out.emplace_back(history::to_string(e.type));
    return out;
  }
  std::vector<event> of(event_type type) const {
    std::vector<event> out;
    for (const event& e : events)
      if (e.type == type) out.push_back(e);
    return out;
  }

  std::vector<event> events;
  double uniform = 0.5;
  std::uint64_t uniform_calls = 0;

 private:
  std::int64_t true_ns_ = 0;
  duration offset_{0};
  std::uint64_t next_seq_ = 0;
  std::vector<pending_task> tasks_;
};

// --- job port --------------------------------------------------------------------------------------------------

class scripted_port final : public job_port {
 public:
  struct kv_call {
    kv_command command;
    duration timeout;
    kv_handler done;
    instant sent_at;  // node clock
    bool answered = false;
  };
  struct requeue_call {
    job j;
    duration after;
  };
  struct work_call {
    job j;
    task done;
    instant started_at;
    bool finished = false;
  };
  struct effect_call {
    job j;
    std::uint32_t worker;
    std::int64_t fence;
    std::string resource;
    instant at;
  };

  explicit scripted_port(fake_runtime& runtime) : rt_(runtime) {}

  // job_port
  std::optional<job> receive(std::uint32_t worker) override {
    receives.push_back(worker);
    if (visible.empty()) return std::nullopt;
    const job j = visible.front();
    visible.pop_front();
    return j;
  }
  std::optional<instant> next_job_at() override { return next_visible; }
  void ack(const job& j) override {
    acks.push_back(j);
    log.push_back("ack " + std::to_string(j.key));
  }
  void requeue(const job& j, duration after) override {
    requeues.push_back({j, after});
    log.push_back("requeue " + std::to_string(j.key));
  }
  void send_kv(const kv_command& command, duration timeout, kv_handler done) override {
    kv.push_back(kv_call{command, timeout, done, rt_.now(), false});
    log.push_back(std::string(to_string(command.op)) + " " + command.key);
  }
  void work(const job& j, task done) override {
    works.push_back(work_call{j, done, rt_.now(), false});
    log.push_back("work " + std::to_string(j.key));
  }
  effect_result apply_effect(const job& j, std::uint32_t worker, std::int64_t fence,
                             const std::string& fence_resource) override {
    effects.push_back(effect_call{j, worker, fence, fence_resource, rt_.now()});
    log.push_back("effect " + std::to_string(j.key));
    return effect_answer;
  }

  // Test controls.
  void push(std::uint64_t key, std::uint64_t message = 0, std::uint64_t delivery = 0, std::uint32_t round = 1) {
    visible.push_back(job{key, message == 0 ? key * 10 : message, delivery == 0 ? key * 100 : delivery, round});
  }

  // Answers the i-th send_kv (each exactly once).
  void answer(std::size_t i, const kv_reply& reply) {
    REQUIRE(i < kv.size());
    REQUIRE_FALSE(kv[i].answered);
    kv[i].answered = true;
    const kv_handler h = kv[i].done;  // the handler may send more commands (kv grows)
    REQUIRE(h.fn != nullptr);
    h.fn(h.self, h.arg, reply);
  }
  void ok(std::size_t i, std::string value = {}, std::int64_t integer = 0) {
    answer(i, kv_reply{kv_status::ok, std::move(value), integer});
  }
  void nil(std::size_t i) { answer(i, kv_reply{kv_status::nil, {}, 0}); }
  void unavailable(std::size_t i) { answer(i, kv_reply{kv_status::unavailable, {}, 0}); }
  void timed_out(std::size_t i) { answer(i, kv_reply{kv_status::timeout, {}, 0}); }

  // The job's work ends now.
  void finish_work(std::size_t i) {
    REQUIRE(i < works.size());
    REQUIRE_FALSE(works[i].finished);
    works[i].finished = true;
    works[i].done();
  }

  std::size_t unanswered() const {
    return static_cast<std::size_t>(std::count_if(kv.begin(), kv.end(), [](const kv_call& c) { return !c.answered; }));
  }
  std::vector<kv_op> ops() const {
    std::vector<kv_op> out;
    for (const kv_call& c : kv) out.push_back(c.command.op);
    return out;
  }

  std::deque<job> visible;                 // handed out by receive, front first
  std::optional<instant> next_visible;     // what next_job_at answers
  std::vector<std::uint32_t> receives;     // worker of every receive call
  std::vector<kv_call> kv;
  std::vector<job> acks;
  std::vector<requeue_call> requeues;
  std::vector<work_call> works;
  std::vector<effect_call> effects;
  effect_result effect_answer = effect_result::applied;
  // Every send_kv ("<op> <key>"), work, effect, ack and requeue in call order.
  std::vector<std::string> log;

 private:
  fake_runtime& rt_;
};

// --- configurations --------------------------------------------------------------------------------------------

// A lease lock with deterministic backoff (200 ms, 400 ms, 800 ms ...) and a 1 s wait budget: under contention
// SET NX goes out at 0, 200 ms and 600 ms, and the acquisition fails on the third nil.
inline lock::lock_config test_lock() {
  lock::lock_config c;
  c.key = "lock";
  c.ttl = 10s;
  c.renew = true;
  c.acquire_timeout = 1s;
  c.backoff = resilience::backoff_config{resilience::backoff_kind::none, 100ms, 2s};
  c.command_timeout = 500ms;
  return c;
}

// Queue flow with deterministic store backoff: retries of a store command go out 200 ms, then 400 ms after the
// failed answer. Timeouts differ from the lock's so each command's origin shows.
inline job_flow_config queue_flow() {
  job_flow_config c;
  c.source = job_source::queue;
  c.concurrency = 1;
  c.idempotency_ttl = 1h;
  c.command_timeout = 750ms;
  c.store_attempts = 3;
  c.store_backoff = resilience::backoff_config{resilience::backoff_kind::none, 100ms, 2s};
  c.requeue_delay = 1500ms;
  return c;
}

inline job_flow_config cron_flow(duration every = 10s) {
  job_flow_config c = queue_flow();
  c.source = job_source::cron;
  c.cron_every = every;
  return c;
}

// One node (node 0, workers from first_worker) over the fake runtime and the scripted port.
struct node_fixture {
  fake_runtime rt;
  scripted_port port{rt};
  std::optional<job_node> node;

  explicit node_fixture(const job_flow_config& config, std::uint32_t first_worker = 0) {
    node.emplace(rt, port, config, 0, first_worker);
  }
  job_node& n() { return *node; }
  const job_node_stats& stats() const { return node->stats(); }
};

}  // namespace squall::stack::worker::test

// Readable failure messages for the enums the tests compare.
namespace Catch {
template <>
struct StringMaker<squall::stack::kv_op> {
  static std::string convert(squall::stack::kv_op op) { return squall::stack::to_string(op); }
};
template <>
struct StringMaker<squall::history::event_type> {
  static std::string convert(squall::history::event_type t) { return squall::history::to_string(t); }
};
}  // namespace Catch
