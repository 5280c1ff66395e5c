// The job flow of seed 002 in the simulated world: what each idempotency and lock choice does to duplicates.
#include <catch2/catch.hpp>

#include "job_fixture.hpp"

namespace squall::test {

using stack::worker::idempotency_mode;

TEST_CASE("jobs without faults apply every job exactly once", "[jobs]") {
  const auto report = run_jobs(jobs_scenario());
  const auto& d = report.at("duplicates");
  CHECK(applied(report) > 500);  // ~5/s over 120 s
  CHECK(duplicated(report) == 0);
  CHECK(d.at("redeliveries").get<int>() == 0);
  CHECK(d.at("deliveries").get<std::uint64_t>() == applied(report));
}

TEST_CASE("the same scenario and seed give the same report, another seed another one", "[jobs]") {
  auto s = jobs_scenario();
  s.jobs.queue.duplicate_rate = 0.05;
  s.jobs.flow.lock = safe_lock();
  s.jobs.flow.idempotency = idempotency_mode::check_then_act;
  CHECK(run_jobs(s, 7).dump() == run_jobs(s, 7).dump());
  CHECK(run_jobs(s, 7).dump() != run_jobs(s, 8).dump());
}

TEST_CASE("redelivery after the visibility timeout duplicates check_then_act but not claim_first", "[jobs]") {
  auto s = jobs_scenario();
  s.jobs.queue.visibility_timeout = 1s;  // shorter than the slowest jobs: they are delivered again mid-run
  s.jobs.work = fakes::latency_config{.dist = fakes::latency_dist::lognormal, .median_ms = 600, .sigma = 0.6};
  s.jobs.flow.idempotency = idempotency_mode::check_then_act;
  const auto racy = run_jobs(s);
  CHECK(racy.at("duplicates").at("redeliveries").get<int>() > 0);
  CHECK(duplicated(racy) > 0);
  s.jobs.flow.idempotency = idempotency_mode::claim_first;
  const auto claimed = run_jobs(s);
  CHECK(claimed.at("duplicates").at("redeliveries").get<int>() > 0);
  CHECK(duplicated(claimed) == 0);
  CHECK(claimed.at("duplicates").at("idempotency_skips").get<int>() > 0);
}

TEST_CASE("without idempotency every spontaneous duplicate delivery is a duplicated effect", "[jobs]") {
  auto s = jobs_scenario();
  s.jobs.queue.duplicate_rate = 0.1;
  const auto report = run_jobs(s);
  CHECK(duplicated(report) > 20);
  CHECK(report.at("duplicates").at("examples").size() > 0);
}

TEST_CASE("a lease shorter than the job without renewal lets a second holder in, renewal keeps it out", "[jobs]") {
  auto s = jobs_scenario();
  s.jobs.queue.duplicate_rate = 0.2;
  s.jobs.work = fakes::latency_config{.dist = fakes::latency_dist::uniform, .min_ms = 500, .max_ms = 3000};
  s.jobs.flow.idempotency = idempotency_mode::check_then_act;
  s.jobs.flow.lock = safe_lock(1s);
  s.jobs.flow.lock->acquire_timeout = 10s;
  s.jobs.flow.lock->renew = false;
  const auto expiring = run_jobs(s);
  // The holder stops believing at ttl - margin, before the store frees the key: no overlap of beliefs, but the
  // flow does not re-check before its effect, so the second holder's effect duplicates the first one's.
  CHECK(duplicated(expiring) > 0);
  s.jobs.flow.lock->renew = true;
  const auto renewed = run_jobs(s);
  CHECK(duplicated(renewed) == 0);
  CHECK(renewed.at("duplicates").at("lock_overlaps").get<int>() == 0);
}

TEST_CASE("cron on skewed nodes runs each slot on every node, a lock runs it once", "[jobs]") {
  auto s = jobs_scenario();
  s.jobs.flow.source = stack::worker::job_source::cron;
  s.jobs.flow.cron_every = 10s;
  s.jobs.work = fakes::latency_config{.dist = fakes::latency_dist::uniform, .min_ms = 3000, .max_ms = 5000};
  s.jobs.clocks = {sim::node_clock{}, sim::node_clock{300ms, 0}, sim::node_clock{-400ms, 0}};
  const auto unlocked = run_jobs(s);
  // 12 slots of 10 s in 120 s (slot 0 at t = 0 is not fired: cron fires at the next boundary), 3 nodes each.
  CHECK(applied(unlocked) >= 30);
  CHECK(duplicated(unlocked) >= 20);
  s.jobs.flow.lock = safe_lock(30s);
  s.jobs.flow.lock->key = "cron-job";
  s.jobs.flow.lock->acquire_timeout = 0s;
  const auto locked = run_jobs(s);
  CHECK(applied(locked) >= 10);
  CHECK(duplicated(locked) == 0);
}

}  // namespace squall::test
