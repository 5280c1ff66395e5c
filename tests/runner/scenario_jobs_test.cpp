// The "jobs" section (worker nodes over a queue or cron, lease lock, idempotency, store, clocks) and the faults
// against job nodes and the store: valid scenarios land in the structs, broken ones name their JSON paths.
#include <chrono>

#include <catch2/catch.hpp>

#include "scenario_fixtures.hpp"
#include "stack/lock/lock_config.hpp"

namespace squall::runner {
namespace {

using namespace std::chrono_literals;
using nlohmann::json;
using test::has_error;
using test::must_parse;
using test::shown;
namespace worker = stack::worker;
namespace res = stack::resilience;

parse_outcome queue_changed(const std::function<void(json&)>& change, const std::vector<std::string>& overrides = {}) {
  return test::parse_changed_from(test::jobs_queue, change, overrides);
}

parse_outcome cron_changed(const std::function<void(json&)>& change) {
  return test::parse_changed_from(test::jobs_cron, change);
}

// Every error of `out` has a hint (custom checks must say how to fix what they report).
bool all_hinted(const parse_outcome& out) {
  for (const scenario_error& e : out.errors) {
    if (e.hint.empty()) return false;
  }
  return !out.errors.empty();
}

TEST_CASE("jobs: a queue scenario parses into the structs", "[scenario][jobs]") {
  const scenario s = must_parse(parse_scenario(test::jobs_queue));

  CHECK_FALSE(s.workload.enabled);
  CHECK(s.dependencies.empty());
  CHECK(s.faults.empty());
  CHECK_FALSE(s.policy.has_budget);
  CHECK_FALSE(s.policy.has_breaker);

  const jobs_config& j = s.jobs;
  CHECK(j.enabled);
  CHECK(j.nodes == 3);
  CHECK(j.flow.source == worker::job_source::queue);
  CHECK(j.flow.concurrency == 4);
  CHECK(j.arrivals.model == arrival_model::poisson);
  CHECK(j.arrivals.rate_per_s == 20.0);
  CHECK(j.keys == 500);
  CHECK(j.work.dist == fakes::latency_dist::constant);
  CHECK(j.work.value_ms == 200.0);
  CHECK(j.queue.visibility_timeout == 5s);
  CHECK(j.queue.max_deliveries == 3);
  CHECK(j.queue.duplicate_rate == 0.01);
  CHECK(j.queue.max_messages == 100'000);

  REQUIRE(j.flow.lock.has_value());
  const stack::lock::lock_config& lock = *j.flow.lock;
  CHECK(lock.key == "orders");
  CHECK(lock.ttl == 3s);
  CHECK(lock.renew);
  REQUIRE(lock.renew_every.has_value());
  CHECK(*lock.renew_every == 1s);
  CHECK(lock.release == stack::lock::release_mode::blind);
  CHECK(lock.fencing);
  CHECK(lock.acquire_timeout == 0s);
  CHECK(lock.command_timeout == 1s);
  CHECK_FALSE(lock.clock_drift_margin.has_value());
  CHECK(lock.backoff.kind == res::backoff_kind::equal_jitter);
  CHECK(lock.backoff.base == 20ms);
  CHECK(lock.backoff.cap == 500ms);
  stack::lock::validate(lock);  // asserts: the parser let nothing through that the lock rejects

  CHECK(j.flow.idempotency == worker::idempotency_mode::claim_first);
  CHECK(j.flow.idempotency_ttl == 1h);
  CHECK(j.store.persistence == fakes::kv_persistence::aof_always);
  CHECK(j.store.latency.dist == fakes::latency_dist::constant);
  CHECK(j.store.latency.value_ms == 1.0);
  CHECK(j.store.clock.offset() == -20ms);
  CHECK(j.store.clock.drift_ppm() == 50.0);
  CHECK(j.flow.command_timeout == 250ms);
  CHECK(j.flow.store_attempts == 5);
  CHECK(j.flow.store_backoff.kind == res::backoff_kind::full_jitter);
  CHECK(j.flow.store_backoff.base == 100ms);
  CHECK(j.flow.store_backoff.cap == 2s);
  CHECK(j.flow.requeue_delay == 500ms);
  CHECK(j.ledger.reject_stale_tokens);
  REQUIRE(j.clocks.size() == 2);
  CHECK(j.clocks[0].offset() == 0ms);
  CHECK(j.clocks[0].drift_ppm() == 0.0);
  CHECK(j.clocks[1].offset() == 1500ms);
  CHECK(j.clocks[1].drift_ppm() == -200.0);

  REQUIRE(s.node_faults.size() == 5);
  const auto& pause = s.node_faults[0];
  CHECK(pause.kind == node_fault_kind::process_pause);
  CHECK(pause.target == "n1");
  CHECK(pause.node == 1);
  CHECK(pause.from == 60s);
  CHECK(pause.to == 75s);
  const auto& jump = s.node_faults[1];
  CHECK(jump.kind == node_fault_kind::clock_jump);
  CHECK(jump.node == 2);
  CHECK(jump.jump_ms == -2000.0);
  CHECK(jump.from == 100s);
  CHECK(jump.to == 100s);
  const auto& restart = s.node_faults[2];
  CHECK(restart.kind == node_fault_kind::redis_restart);
  CHECK(restart.target == "store");  // the default for store faults
  CHECK(restart.node == -1);
  CHECK(restart.from == 150s);
  CHECK(restart.to == 151500ms);
  const auto& crash = s.node_faults[3];
  CHECK(crash.kind == node_fault_kind::worker_crash);
  CHECK(crash.node == 0);
  CHECK(crash.restart);
  CHECK(crash.from == 200s);
  CHECK(crash.to == 210s);
  const auto& partition = s.node_faults[4];
  CHECK(partition.kind == node_fault_kind::partition);
  CHECK(partition.target == "n2");
  CHECK(partition.node == 2);
  CHECK(partition.from == 220s);
  CHECK(partition.to == 240s);
}

TEST_CASE("jobs: a cron scenario parses, with defaults where keys are left out", "[scenario][jobs]") {
  const scenario s = must_parse(parse_scenario(test::jobs_cron));
  const jobs_config& j = s.jobs;
  CHECK(j.enabled);
  CHECK_FALSE(s.workload.enabled);
  CHECK(j.nodes == 2);
  CHECK(j.flow.source == worker::job_source::cron);
  CHECK(j.flow.concurrency == 1);
  CHECK(j.flow.cron_every == 60s);
  CHECK(j.flow.flock);
  CHECK(j.work.dist == fakes::latency_dist::uniform);
  CHECK(j.work.min_ms == 1000.0);
  CHECK(j.work.max_ms == 5000.0);
  CHECK(j.keys == 0);

  REQUIRE(j.flow.lock.has_value());
  const stack::lock::lock_config& lock = *j.flow.lock;
  CHECK(lock.key == "lock");
  CHECK(lock.ttl == 10s);
  CHECK_FALSE(lock.renew);
  CHECK_FALSE(lock.renew_every.has_value());
  CHECK(lock.release == stack::lock::release_mode::owner_checked);
  CHECK_FALSE(lock.fencing);
  CHECK(lock.acquire_timeout == 10s);
  CHECK(lock.command_timeout == 1s);
  REQUIRE(lock.clock_drift_margin.has_value());
  CHECK(*lock.clock_drift_margin == 100ms);
  CHECK(lock.backoff.kind == res::backoff_kind::full_jitter);
  CHECK(lock.backoff.base == 50ms);
  CHECK(lock.backoff.cap == 2s);
  stack::lock::validate(lock);

  CHECK(j.flow.idempotency == worker::idempotency_mode::check_then_act);
  CHECK(j.flow.idempotency_ttl == 24h);
  CHECK(j.store.persistence == fakes::kv_persistence::aof_everysec);
  CHECK(j.store.latency.dist == fakes::latency_dist::lognormal);
  CHECK(j.store.latency.median_ms == 0.5);
  CHECK(j.store.latency.sigma == 0.3);
  CHECK(j.store.clock.offset() == 0ms);
  CHECK(j.flow.command_timeout == 1s);
  CHECK(j.flow.store_attempts == 3);
  CHECK(j.flow.requeue_delay == 1s);
  CHECK_FALSE(j.ledger.reject_stale_tokens);
  REQUIRE(j.clocks.size() == 1);
  CHECK(j.clocks[0].drift_ppm() == 100.0);

  REQUIRE(s.node_faults.size() == 3);
  const auto& skew = s.node_faults[0];
  CHECK(skew.kind == node_fault_kind::clock_skew);
  CHECK(skew.target == "store");
  CHECK(skew.node == -1);
  CHECK(skew.from == 600s);
  CHECK(skew.to == 600s);
  CHECK(skew.offset_ms == 30000.0);
  CHECK(skew.drift_ppm == -50.0);
  const auto& unavailable = s.node_faults[1];
  CHECK(unavailable.kind == node_fault_kind::redis_unavailable);
  CHECK(unavailable.node == -1);
  CHECK(unavailable.from == 900s);
  CHECK(unavailable.to == 960s);
  const auto& crash = s.node_faults[2];
  CHECK(crash.kind == node_fault_kind::worker_crash);
  CHECK(crash.node == 1);
  CHECK_FALSE(crash.restart);
  CHECK(crash.to == crash.from);
}

TEST_CASE("jobs: the smallest jobs section takes every default", "[scenario][jobs]") {
  const scenario s = must_parse(queue_changed([](json& d) {
    d["jobs"] = {{"arrivals", {{"model", "constant"}, {"rate_per_s", 1}}},
                 {"work", {{"dist", "constant"}, {"value_ms", 1}}}};
    d["faults"] = json::array();
  }));
  const jobs_config& j = s.jobs;
  CHECK(j.nodes == 1);
  CHECK(j.flow.source == worker::job_source::queue);
  CHECK_FALSE(j.flow.lock.has_value());
  CHECK(j.flow.idempotency == worker::idempotency_mode::none);
  CHECK(j.queue.visibility_timeout == 30s);
  CHECK(j.queue.max_deliveries == 5);
  CHECK(j.queue.duplicate_rate == 0.0);
  CHECK(j.clocks.empty());
}

TEST_CASE("jobs: a workload and jobs together, HTTP and node faults each in their list", "[scenario][jobs]") {
  const scenario s = must_parse(test::parse_changed([](json& d) {
    d["jobs"] = json::parse(test::jobs_queue)["jobs"];
    d["faults"].push_back({{"kind", "process_pause"}, {"target", "n2"}, {"from_s", 10}, {"to_s", 20}});
  }));
  CHECK(s.workload.enabled);
  CHECK(s.jobs.enabled);
  CHECK(s.faults.size() == 2);
  REQUIRE(s.node_faults.size() == 1);
  CHECK(s.node_faults[0].node == 2);
  CHECK(s.node_faults[0].to == 20s);
}

TEST_CASE("jobs: storm-hour without jobs has jobs disabled and no node faults", "[scenario][jobs]") {
  const scenario s = must_parse(parse_scenario(test::storm_hour));
  CHECK(s.workload.enabled);
  CHECK_FALSE(s.jobs.enabled);
  CHECK(s.node_faults.empty());
}

struct broken {
  const char* what;
  std::function<void(json&)> change;
  const char* path;
  const char* message;
  const char* hint = "";
};

json& lock(json& d) { return d["jobs"]["lock"]; }
json& fault(json& d, std::size_t i) { return d["faults"][i]; }

const std::vector<broken>& broken_jobs() {
  static const std::vector<broken> rows{
      {"unknown key under jobs.lock",
       [](json& d) {
         lock(d).erase("ttl_ms");
         lock(d)["ttl"] = 3000;
       },
       "jobs.lock", "unknown key 'ttl'", "did you mean 'ttl_ms'?"},
      {"typo in a jobs key", [](json& d) { d["jobs"]["concurency"] = 2; }, "jobs", "unknown key 'concurency'",
       "did you mean 'concurrency'?"},
      {"wrong type of nodes", [](json& d) { d["jobs"]["nodes"] = "3"; }, "jobs.nodes",
       "expected an integer, got a string"},
      {"wrong type of renew", [](json& d) { lock(d)["renew"] = "yes"; }, "jobs.lock.renew",
       "expected a boolean (true or false), got a string"},
      {"jobs not an object", [](json& d) { d["jobs"] = json::array(); }, "jobs", "expected an object, got an array"},
      {"renew_every_ms equal to ttl_ms", [](json& d) { lock(d)["renew_every_ms"] = 3000; }, "jobs.lock.renew_every_ms",
       "must be < ttl_ms (3000 >= 3000)", "expire before it is renewed"},
      {"renew_every_ms past the validity", [](json& d) { lock(d)["renew_every_ms"] = 2980; },
       "jobs.lock.renew_every_ms", "must be < ttl_ms - clock_drift_margin_ms (2980 >= 3000 - 32)",
       "already counts as lost"},
      {"clock_drift_margin_ms not below ttl_ms", [](json& d) { lock(d)["clock_drift_margin_ms"] = 3000; },
       "jobs.lock.clock_drift_margin_ms", "must be < ttl_ms (3000 >= 3000)"},
      {"a margin that leaves no time to renew",
       [](json& d) {
         lock(d).erase("renew_every_ms");
         lock(d)["clock_drift_margin_ms"] = 2500;
       },
       "jobs.lock.clock_drift_margin_ms", "leaves no time to renew", "set renew_every_ms"},
      {"ttl_ms too short for the default margin",
       [](json& d) {
         lock(d).erase("renew_every_ms");
         lock(d)["ttl_ms"] = 2;
       },
       "jobs.lock.ttl_ms", "is too short for the default clock_drift_margin_ms", "use a longer ttl_ms"},
      {"lock key with a space", [](json& d) { lock(d)["key"] = "my lock"; }, "jobs.lock.key",
       "invalid key 'my lock'", "use letters, digits, ':', '.', '_' and '-'; 1 to 64 characters"},
      {"unknown release", [](json& d) { lock(d)["release"] = "blnd"; }, "jobs.lock.release", "unknown release 'blnd'",
       "did you mean 'blind'?"},
      {"unknown idempotency mode", [](json& d) { d["jobs"]["idempotency"]["mode"] = "claim"; },
       "jobs.idempotency.mode", "unknown mode 'claim'", "did you mean 'claim_first'?"},
      {"unknown persistence", [](json& d) { d["jobs"]["store"]["persistence"] = "aof"; }, "jobs.store.persistence",
       "unknown persistence 'aof'"},
      {"store attempts 0", [](json& d) { d["jobs"]["store"]["attempts"] = 0; }, "jobs.store.attempts",
       "must be >= 1 and <= 100 (got 0)"},
      {"duplicate_rate above 1", [](json& d) { d["jobs"]["queue"]["duplicate_rate"] = 1.5; },
       "jobs.queue.duplicate_rate", "must be >= 0 and <= 1 (got 1.5)"},
      {"clock drift beyond 1e5 ppm", [](json& d) { d["jobs"]["clocks"][1]["drift_ppm"] = 2e5; },
       "jobs.clocks[1].drift_ppm", "must be >= -100000 and <= 100000"},
      {"cron section with source queue", [](json& d) { d["jobs"]["cron"] = {{"every_s", 60}}; }, "jobs",
       "'cron' does not apply to source 'queue'", "'cron' is for source cron"},
      {"missing arrivals for queue", [](json& d) { d["jobs"].erase("arrivals"); }, "jobs",
       "missing required key 'arrivals'"},
      {"missing arrivals when source defaults to queue",
       [](json& d) {
         d["jobs"].erase("arrivals");
         d["jobs"].erase("source");
       },
       "jobs", "missing required key 'arrivals'"},
      {"missing work", [](json& d) { d["jobs"].erase("work"); }, "jobs", "missing required key 'work'"},
      {"unknown source", [](json& d) { d["jobs"]["source"] = "corn"; }, "jobs.source", "unknown source 'corn'",
       "did you mean 'cron'?"},
      {"clocks longer than nodes", [](json& d) { d["jobs"]["nodes"] = 1; }, "jobs.clocks", "holds 2 clocks for 1 node",
       "one clock per node"},
      {"process_pause on n7 with 3 nodes", [](json& d) { fault(d, 0)["target"] = "n7"; }, "faults[0].target",
       "no node 'n7': the scenario has 3 nodes", "nodes are n0 to n2"},
      {"process_pause on the store", [](json& d) { fault(d, 0)["target"] = "store"; }, "faults[0].target",
       "'process_pause' hits a job node, not the store", "name a node: n0 to n2"},
      {"process_pause without target", [](json& d) { fault(d, 0).erase("target"); }, "faults[0]",
       "missing required key 'target'", "name a node: n0 to n2"},
      {"node name with a typo", [](json& d) { fault(d, 0)["target"] = "m1"; }, "faults[0].target",
       "unknown target 'm1'", "did you mean 'n1'?"},
      {"node name with a leading zero", [](json& d) { fault(d, 0)["target"] = "n01"; }, "faults[0].target",
       "unknown target 'n01'"},
      {"process_pause without to_s", [](json& d) { fault(d, 0).erase("to_s"); }, "faults[0]",
       "missing required key 'to_s'"},
      {"process_pause ending after the run", [](json& d) { fault(d, 0)["to_s"] = 400; }, "faults[0].to_s",
       "'to_s' must be <= 'duration_s' (400 > 300)"},
      {"clock_jump of 0", [](json& d) { fault(d, 1)["jump_ms"] = 0; }, "faults[1].jump_ms", "must not be 0",
       "> 0 forward"},
      {"clock_jump with to_s", [](json& d) { fault(d, 1)["to_s"] = 120; }, "faults[1]",
       "'to_s' does not apply to kind 'clock_jump'"},
      {"clock_jump without target", [](json& d) { fault(d, 1).erase("target"); }, "faults[1]",
       "missing required key 'target'", "or \"store\""},
      {"clock_jump at the end of the run", [](json& d) { fault(d, 1)["from_s"] = 300; }, "faults[1].from_s",
       "'from_s' must be < 'duration_s' (300 >= 300)"},
      {"redis_restart without downtime_ms", [](json& d) { fault(d, 2).erase("downtime_ms"); }, "faults[2]",
       "missing required key 'downtime_ms'"},
      {"redis_restart on a node", [](json& d) { fault(d, 2)["target"] = "n0"; }, "faults[2].target",
       "'redis_restart' hits the store, not a job node", "leave it out"},
      {"worker_crash restart_after_s 0", [](json& d) { fault(d, 3)["restart_after_s"] = 0; },
       "faults[3].restart_after_s", "must be > 0"},
      {"an HTTP fault in a jobs-only scenario",
       [](json& d) { d["faults"].push_back({{"kind", "outage"}, {"from_s", 1}, {"to_s", 2}}); }, "faults[5].kind",
       "'outage' is a fault against a dependency, but the scenario has no 'dependencies'", "process_pause"},
  };
  return rows;
}

TEST_CASE("jobs: each broken jobs scenario gets its error at its path", "[scenario][jobs]") {
  for (const broken& row : broken_jobs()) {
    INFO("case: " << row.what);
    const parse_outcome out = queue_changed(row.change);
    INFO("errors:\n" << shown(out));
    CHECK_FALSE(out.value.has_value());
    CHECK(has_error(out, row.path, row.message, row.hint));
  }
}

TEST_CASE("jobs: a typo under jobs.lock is one error, not also a missing ttl_ms", "[scenario][jobs]") {
  const parse_outcome out = queue_changed([](json& d) {
    lock(d).erase("ttl_ms");
    lock(d)["ttl"] = 3000;
  });
  INFO(shown(out));
  REQUIRE(out.errors.size() == 1);
  CHECK(out.errors[0].path == "jobs.lock");
  CHECK(out.errors[0].hint == "did you mean 'ttl_ms'?");
}

TEST_CASE("jobs: arrivals with source cron are rejected with a hint", "[scenario][jobs]") {
  const parse_outcome out =
      cron_changed([](json& d) { d["jobs"]["arrivals"] = {{"model", "poisson"}, {"rate_per_s", 1}}; });
  INFO(shown(out));
  CHECK(has_error(out, "jobs", "'arrivals' does not apply to source 'cron'", "'arrivals' is for source queue"));
}

TEST_CASE("jobs: missing cron section with source cron", "[scenario][jobs]") {
  const parse_outcome out = cron_changed([](json& d) { d["jobs"].erase("cron"); });
  INFO(shown(out));
  CHECK(has_error(out, "jobs", "missing required key 'cron'"));
}

TEST_CASE("jobs: a node fault without jobs", "[scenario][jobs]") {
  const parse_outcome out = test::parse_changed([](json& d) {
    d["faults"].push_back({{"kind", "process_pause"}, {"target", "n0"}, {"from_s", 10}, {"to_s", 20}});
  });
  INFO(shown(out));
  REQUIRE(out.errors.size() == 1);
  CHECK(has_error(out, "faults[2].kind",
                  "'process_pause' is a fault against a job node or the store, but the scenario has no 'jobs'",
                  "add a \"jobs\" section"));
  CHECK(all_hinted(out));
}

TEST_CASE("jobs: an HTTP fault whose target is a node", "[scenario][jobs]") {
  const parse_outcome out = test::parse_changed([](json& d) {
    d["jobs"] = json::parse(test::jobs_queue)["jobs"];
    d["faults"][0]["target"] = "n0";
  });
  INFO(shown(out));
  REQUIRE(out.errors.size() == 1);
  CHECK(has_error(out, "faults[0].target", "no dependency named 'n0': 'error_storm' targets a dependency",
                  "dependencies: api; job nodes and the store take process_pause"));
}

TEST_CASE("jobs: a workload requires dependencies and policy, named in the error", "[scenario][jobs]") {
  const parse_outcome out = test::parse_changed([](json& d) {
    d.erase("dependencies");
    d.erase("policy");
  });
  INFO(shown(out));
  CHECK(has_error(out, "", "missing required key 'dependencies'", "the workload's requests call dependencies"));
  CHECK(has_error(out, "", "missing required key 'policy'", "resilience policy"));
}

TEST_CASE("jobs: missing workload and jobs", "[scenario][jobs]") {
  const parse_outcome out = queue_changed([](json& d) {
    d.erase("jobs");
    d["faults"] = json::array();
  });
  INFO(shown(out));
  REQUIRE(out.errors.size() == 1);
  CHECK(out.errors[0].path.empty());
  CHECK(out.errors[0].message == "missing required key 'workload' or 'jobs'");
  CHECK(out.errors[0].hint.find("\"jobs\"") != std::string::npos);
}

TEST_CASE("jobs: every error is collected in one pass", "[scenario][jobs]") {
  const parse_outcome out = queue_changed([](json& d) {
    d["jobs"]["nodes"] = 0;
    lock(d)["renew_every_ms"] = 5000;
    lock(d)["fencng"] = true;
    d["jobs"]["cron"] = {{"every_s", 60}};
    fault(d, 2).erase("downtime_ms");
    fault(d, 1)["jump_ms"] = 0;
  });
  INFO(shown(out));
  CHECK(out.errors.size() == 6);
  CHECK(has_error(out, "jobs.nodes", "must be >= 1 and <= 1000 (got 0)"));
  CHECK(has_error(out, "jobs.lock.renew_every_ms", "must be < ttl_ms (5000 >= 3000)"));
  CHECK(has_error(out, "jobs.lock", "unknown key 'fencng'", "did you mean 'fencing'?"));
  CHECK(has_error(out, "jobs", "'cron' does not apply to source 'queue'"));
  CHECK(has_error(out, "faults[2]", "missing required key 'downtime_ms'"));
  CHECK(has_error(out, "faults[1].jump_ms", "must not be 0"));
}

TEST_CASE("jobs: custom checks give hints", "[scenario][jobs]") {
  CHECK(all_hinted(queue_changed([](json& d) {
    d["jobs"]["nodes"] = 2;
    fault(d, 1)["target"] = "n2";
  })));
  CHECK(all_hinted(queue_changed([](json& d) { lock(d)["renew_every_ms"] = 4000; })));
  CHECK(all_hinted(queue_changed([](json& d) { fault(d, 2)["target"] = "n1"; })));
}

TEST_CASE("jobs: --set reaches jobs paths and goes through the same checks", "[scenario][jobs][overrides]") {
  const scenario s = must_parse(queue_changed([](json&) {},
                                              {"jobs.lock.renew=false", "jobs.nodes=5", "jobs.store.persistence=none",
                                               "jobs.idempotency.mode=check_then_act", "faults[0].target=n4"}));
  REQUIRE(s.jobs.flow.lock.has_value());
  CHECK_FALSE(s.jobs.flow.lock->renew);
  CHECK(s.jobs.nodes == 5);
  CHECK(s.jobs.store.persistence == fakes::kv_persistence::none);
  CHECK(s.jobs.flow.idempotency == worker::idempotency_mode::check_then_act);
  CHECK(s.node_faults[0].node == 4);

  const parse_outcome bad = queue_changed([](json&) {}, {"jobs.lock.ttl_ms=500", "jobs.nodes=2"});
  INFO(shown(bad));
  CHECK(has_error(bad, "jobs.lock.renew_every_ms", "must be < ttl_ms (1000 >= 500)"));
  CHECK(has_error(bad, "faults[1].target", "no node 'n2': the scenario has 2 nodes"));
  CHECK(has_error(bad, "faults[4].target", "no node 'n2'"));

  const parse_outcome cron = queue_changed([](json&) {}, {"jobs.source=cron"});
  INFO(shown(cron));
  CHECK(has_error(cron, "jobs", "'arrivals' does not apply to source 'cron'"));
  CHECK(has_error(cron, "jobs", "missing required key 'cron'"));

  const scenario added = must_parse(queue_changed([](json&) {}, {R"(jobs.lock={"ttl_ms": 60000})"}));
  CHECK(added.jobs.flow.lock->ttl == 60s);
  CHECK(added.jobs.flow.lock->key == "lock");
}

}  // namespace
}  // namespace squall::runner
