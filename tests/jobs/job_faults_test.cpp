// Node and store faults in the job world: pauses, store restarts, crashes, partitions, clock jumps.
#include <catch2/catch.hpp>

#include "job_fixture.hpp"

namespace squall::test {

using runner::node_fault_kind;
using stack::worker::idempotency_mode;

namespace {

runner::scenario paused_holder() {
  auto s = jobs_scenario();
  s.jobs.arrivals.rate_per_s = 2;
  s.jobs.work = fakes::latency_config{.dist = fakes::latency_dist::uniform, .min_ms = 1000, .max_ms = 3000};
  s.jobs.queue.visibility_timeout = 10s;
  s.jobs.flow.idempotency = idempotency_mode::check_then_act;
  s.jobs.flow.lock = safe_lock(5s);
  s.node_faults = {fault(node_fault_kind::process_pause, 0, 30s, 70s)};
  return s;
}

}  // namespace

TEST_CASE("a pause longer than the lease duplicates the paused job's effect unless fencing refuses it", "[jobs]") {
  auto s = paused_holder();
  const auto unfenced = run_jobs(s);
  CHECK(duplicated(unfenced) > 0);
  CHECK(unfenced.at("duplicates").at("fencing_rejections").get<int>() == 0);

  s.jobs.flow.lock->fencing = true;
  s.jobs.ledger.reject_stale_tokens = true;
  const auto fenced = run_jobs(s);
  CHECK(duplicated(fenced) == 0);
  CHECK(fenced.at("duplicates").at("fencing_rejections").get<int>() > 0);
}

TEST_CASE("a pause holds the node: nothing it does happens inside the pause window", "[jobs]") {
  auto s = paused_holder();
  s.run_for = 60s;
  runner::run_options o;
  struct sink final : history::event_sink {
    int during = 0;
    void on_event(const history::event& e) override {
      const bool node0 = e.proc >= 0 && e.proc < 2 && e.type != history::event_type::process_pause &&
                         e.type != history::event_type::effect;
      if (node0 && e.t_ns > 30'000'000'000 && e.t_ns < 70'000'000'000) ++during;
    }
  } events;
  o.history = &events;
  (void)runner::simulate(s, o);
  CHECK(events.during == 0);
}

TEST_CASE("a store restart without persistence loses locks and done markers, aof_always keeps them", "[jobs]") {
  auto s = jobs_scenario();
  s.jobs.keys = 200;  // the producer repeats keys: done markers matter
  s.jobs.flow.idempotency = idempotency_mode::check_then_act;
  s.jobs.flow.lock = safe_lock();
  s.jobs.flow.store_attempts = 10;
  s.jobs.flow.store_backoff = {stack::resilience::backoff_kind::equal_jitter, 200ms, 2s};
  s.node_faults = {fault(node_fault_kind::redis_restart, -1, 40s, 42s), fault(node_fault_kind::redis_restart, -1, 80s, 82s)};
  s.jobs.store.persistence = fakes::kv_persistence::none;
  const auto lost = run_jobs(s);
  CHECK(duplicated(lost) > 0);
  s.jobs.store.persistence = fakes::kv_persistence::aof_always;
  const auto kept = run_jobs(s);
  CHECK(duplicated(kept) == 0);
  CHECK(applied(kept) > 100);
}

TEST_CASE("a crashed worker's jobs are redelivered after the visibility timeout and it restarts", "[jobs]") {
  auto s = jobs_scenario();
  // ~15 jobs in flight for 6 workers: node 1 is busy when it crashes.
  s.jobs.work = fakes::latency_config{.dist = fakes::latency_dist::uniform, .min_ms = 2000, .max_ms = 4000};
  s.jobs.queue.visibility_timeout = 5s;
  s.jobs.flow.idempotency = idempotency_mode::claim_first;
  s.jobs.flow.lock = safe_lock(20s);
  auto crash = fault(node_fault_kind::worker_crash, 1, 30s, 40s);
  crash.restart = true;
  s.node_faults = {crash};
  const auto report = run_jobs(s);
  CHECK(report.at("duplicates").at("redeliveries").get<int>() > 0);
  CHECK(duplicated(report) == 0);
  // Both workers of node 1 held a lock when it crashed: nobody could take those keys until the leases ran out.
  CHECK(report.at("duplicates").at("stale_lock_stall_s").get<double>() > 10.0);
}

TEST_CASE("a partition from the store times out the node's commands, and its jobs are requeued", "[jobs]") {
  auto s = jobs_scenario();
  s.jobs.flow.lock = safe_lock();
  s.jobs.flow.idempotency = idempotency_mode::claim_first;
  s.node_faults = {fault(node_fault_kind::partition, 2, 20s, 50s)};
  const auto report = run_jobs(s);
  CHECK(duplicated(report) == 0);
  CHECK(report.at("duplicates").at("redeliveries").get<int>() > 0);
}

TEST_CASE("a forward jump of the store clock expires held locks early", "[jobs]") {
  auto s = jobs_scenario();
  s.jobs.queue.duplicate_rate = 0.3;
  s.jobs.work = fakes::latency_config{.dist = fakes::latency_dist::uniform, .min_ms = 2000, .max_ms = 4000};
  s.jobs.flow.idempotency = idempotency_mode::check_then_act;
  s.jobs.flow.lock = safe_lock(30s);
  s.jobs.flow.lock->acquire_timeout = 10s;
  auto jump = fault(node_fault_kind::clock_jump, -1, 60s, 60s);
  jump.jump_ms = 60'000;
  s.node_faults = {jump};
  const auto report = run_jobs(s);
  CHECK(report.at("duplicates").at("lock_overlaps").get<int>() > 0);
}

}  // namespace squall::test

namespace squall::test {

TEST_CASE("fencing tokens only go backwards when the store loses its counter, and the report says so", "[jobs]") {
  auto s = jobs_scenario();
  s.jobs.keys = 20;  // few keys, many grants per key: every lock has a fence counter that matters
  s.jobs.flow.lock = safe_lock();
  s.jobs.flow.lock->fencing = true;
  s.node_faults = {fault(node_fault_kind::redis_restart, -1, 60s, 61s)};
  s.jobs.store.persistence = fakes::kv_persistence::aof_always;
  const auto kept = run_jobs(s);
  CHECK(kept.at("duplicates").at("fencing_token_regressions").get<int>() == 0);
  s.jobs.store.persistence = fakes::kv_persistence::none;
  const auto lost = run_jobs(s);
  CHECK(lost.at("duplicates").at("fencing_token_regressions").get<int>() > 0);
}

}  // namespace squall::test
