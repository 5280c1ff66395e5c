// Valid scenarios land in the config structs with the right values and units.
#include <chrono>
#include <cmath>

#include <catch2/catch.hpp>

#include "scenario_fixtures.hpp"

namespace squall::runner {
namespace {

using namespace std::chrono_literals;
using test::parse_changed;
using test::must_parse;
using test::shown;
namespace res = stack::resilience;

TEST_CASE("the storm-hour scenario of DESIGN.md parses into the structs", "[scenario]") {
  const scenario s = must_parse(parse_scenario(test::storm_hour));

  CHECK(s.name == "storm-hour");
  CHECK(s.description.starts_with("1000 rps"));
  CHECK(s.seed == 42);
  CHECK(s.run_for == 3600s);
  CHECK(s.expect == "pass");
  CHECK(s.flap_window_s == 60.0);

  CHECK(s.workload.arrivals.model == arrival_model::poisson);
  CHECK(s.workload.arrivals.rate_per_s == 1000.0);
  CHECK(s.workload.workers == 256);
  CHECK(s.workload.queue_max == 1'000'000);
  CHECK(s.workload.target == "api");
  CHECK(s.workload.target_index == 0);

  REQUIRE(s.dependencies.size() == 1);
  const auto& api = s.dependencies[0];
  CHECK(api.name == "api");
  CHECK(api.capacity == 64);
  CHECK(api.queue_max == 100'000);
  CHECK(api.latency.dist == fakes::latency_dist::lognormal);
  CHECK(api.latency.median_ms == 20.0);
  CHECK(api.latency.sigma == 0.5);
  CHECK(api.errors.rate == 0.01);
  CHECK(api.errors.status == 503);
  CHECK(api.errors.latency_ms == 1.0);

  REQUIRE(s.faults.size() == 2);
  CHECK(s.faults[0].kind == fakes::fault_kind::error_storm);
  CHECK(s.faults[0].target == "api");
  CHECK(s.faults[0].target_index == 0);
  CHECK(s.faults[0].from == 60s);
  CHECK(s.faults[0].to == 120s);
  CHECK(s.faults[0].rate == 0.8);
  CHECK(s.faults[0].status == 503);
  CHECK(s.faults[0].retry_after_s == 0.0);
  CHECK(s.faults[1].kind == fakes::fault_kind::latency_spike);
  CHECK(s.faults[1].from == 180s);
  CHECK(s.faults[1].to == 240s);
  CHECK(s.faults[1].multiplier == 5.0);
  CHECK(s.faults[1].add_ms == 0.0);

  const res::policy_config& p = s.policy;
  CHECK(p.timeout == 200ms);
  CHECK(p.retry.max_attempts == 3);
  CHECK(p.retry.backoff.kind == res::backoff_kind::full_jitter);
  CHECK(p.retry.backoff.base == 100ms);
  CHECK(p.retry.backoff.cap == 10s);
  CHECK(p.retry.retry_on.any_5xx);
  CHECK(p.retry.retry_on.too_many_requests);
  CHECK(p.retry.retry_on.timeout);
  CHECK(p.retry.retry_on.reset);
  CHECK(p.retry.retry_on.connect_failure);
  CHECK(p.retry.retry_on.statuses.none());
  CHECK_FALSE(p.retry.honor_retry_after);
  CHECK(p.retry.retry_after_cap == 60s);
  CHECK(p.has_budget);
  CHECK(p.budget.model == res::budget_model::cumulative_ratio);
  CHECK(p.budget.mode == res::policy_mode::enforce);
  CHECK(p.budget.ratio == 0.2);
  CHECK(p.has_breaker);
  CHECK(p.breaker.model == res::breaker_model::consecutive);
  CHECK(p.breaker.failure_threshold == 5);
  CHECK(p.breaker.open == 15s);
  CHECK(p.breaker.half_open_calls == 3);
  CHECK(p.breaker.check == res::breaker_check::per_request);

  CHECK(s.gates == std::vector<std::string>{"retry_amplification.overall < 1.5", "breaker.flaps_per_hour <= 6",
                                            "latency_ms.p99 < 800"});
  CHECK(s.document == test::storm_hour_json());
}

TEST_CASE("optional sections may be left out", "[scenario]") {
  const scenario s = must_parse(parse_changed([](nlohmann::json& d) {
    d.erase("faults");
    d.erase("gates");
    d.erase("seed");
    d.erase("description");
    d["policy"].erase("retry_budget");
    d["policy"].erase("breaker");
    d["dependencies"]["api"].erase("errors");
  }));
  CHECK(s.faults.empty());
  CHECK(s.gates.empty());
  CHECK(s.seed == 1);
  CHECK(s.description.empty());
  CHECK_FALSE(s.policy.has_budget);
  CHECK_FALSE(s.policy.has_breaker);
  CHECK(s.dependencies[0].errors.rate == 0.0);
  CHECK(s.dependencies[0].errors.status == 503);
  CHECK(s.dependencies[0].errors.latency_ms == 1.0);
}

TEST_CASE("every arrival model", "[scenario]") {
  SECTION("constant") {
    const scenario s = must_parse(parse_changed([](nlohmann::json& d) {
      d["workload"]["arrivals"] = {{"model", "constant"}, {"rate_per_s", 12.5}};
    }));
    CHECK(s.workload.arrivals.model == arrival_model::constant);
    CHECK(s.workload.arrivals.rate_per_s == 12.5);
  }
  SECTION("steps") {
    const scenario s = must_parse(parse_changed([](nlohmann::json& d) {
      d["workload"]["arrivals"] = nlohmann::json::parse(
          R"({"model": "steps", "steps": [{"at_s": 0, "rate_per_s": 100}, {"at_s": 600.5, "rate_per_s": 0}]})");
    }));
    CHECK(s.workload.arrivals.model == arrival_model::steps);
    REQUIRE(s.workload.arrivals.steps.size() == 2);
    CHECK(s.workload.arrivals.steps[0].at == 0s);
    CHECK(s.workload.arrivals.steps[0].rate_per_s == 100.0);
    CHECK(s.workload.arrivals.steps[1].at == 600500ms);
    CHECK(s.workload.arrivals.steps[1].rate_per_s == 0.0);
  }
}

TEST_CASE("every latency distribution", "[scenario]") {
  using fakes::latency_dist;
  struct row {
    const char* latency;
    latency_dist dist;
    std::function<bool(const fakes::latency_config&)> check;
  };
  const std::vector<row> rows{
      {R"({"dist": "constant", "value_ms": 7})", latency_dist::constant,
       [](const auto& l) { return l.value_ms == 7.0; }},
      {R"({"dist": "uniform", "min_ms": 2, "max_ms": 9})", latency_dist::uniform,
       [](const auto& l) { return l.min_ms == 2.0 && l.max_ms == 9.0; }},
      {R"({"dist": "uniform", "min_ms": 4, "max_ms": 4})", latency_dist::uniform,
       [](const auto& l) { return l.min_ms == 4.0 && l.max_ms == 4.0; }},
      {R"({"dist": "exponential", "mean_ms": 30})", latency_dist::exponential,
       [](const auto& l) { return l.mean_ms == 30.0; }},
      {R"({"dist": "normal", "mean_ms": 0, "stddev_ms": 3})", latency_dist::normal,
       [](const auto& l) { return l.mean_ms == 0.0 && l.stddev_ms == 3.0; }},
      {R"({"dist": "pareto", "scale_ms": 5, "shape": 1.5})", latency_dist::pareto,
       [](const auto& l) { return l.scale_ms == 5.0 && l.shape == 1.5; }},
  };
  for (const row& r : rows) {
    INFO(r.latency);
    const scenario s = must_parse(parse_changed(
        [&](nlohmann::json& d) { d["dependencies"]["api"]["latency"] = nlohmann::json::parse(r.latency); }));
    CHECK(s.dependencies[0].latency.dist == r.dist);
    CHECK(r.check(s.dependencies[0].latency));
  }
}

TEST_CASE("every fault kind, with its defaults", "[scenario]") {
  using fakes::fault_kind;
  struct row {
    const char* fault;
    fault_kind kind;
    std::function<bool(const fakes::fault_config&)> check;
  };
  const std::vector<row> rows{
      {R"({"kind": "error_storm", "from_s": 1, "to_s": 2})", fault_kind::error_storm,
       [](const auto& f) { return f.rate == 1.0 && f.status == 503 && f.latency_ms == 1.0 && f.retry_after_s == 0.0; }},
      {R"({"kind": "error_storm", "from_s": 1, "to_s": 2, "status": 500, "retry_after_s": 3})", fault_kind::error_storm,
       [](const auto& f) { return f.status == 500 && f.retry_after_s == 3.0; }},
      {R"({"kind": "latency_spike", "from_s": 1, "to_s": 2, "add_ms": 50})", fault_kind::latency_spike,
       [](const auto& f) { return f.multiplier == 1.0 && f.add_ms == 50.0; }},
      {R"({"kind": "outage", "from_s": 1, "to_s": 2})", fault_kind::outage, [](const auto&) { return true; }},
      {R"({"kind": "hang", "from_s": 1, "to_s": 2, "rate": 0.25})", fault_kind::hang,
       [](const auto& f) { return f.rate == 0.25; }},
      {R"({"kind": "rate_limit", "from_s": 1, "to_s": 2, "limit_per_s": 100})", fault_kind::rate_limit,
       [](const auto& f) { return f.limit_per_s == 100.0 && f.retry_after_s == 1.0; }},
      {R"({"kind": "reset", "from_s": 0, "to_s": 3600})", fault_kind::reset,
       [](const auto& f) { return f.rate == 1.0 && f.from == 0s && f.to == 3600s; }},
  };
  for (const row& r : rows) {
    INFO(r.fault);
    // One dependency: the target may be left out.
    const scenario s = must_parse(
        parse_changed([&](nlohmann::json& d) { d["faults"] = nlohmann::json::array({nlohmann::json::parse(r.fault)}); }));
    REQUIRE(s.faults.size() == 1);
    CHECK(s.faults[0].kind == r.kind);
    CHECK(s.faults[0].target == "api");
    CHECK(r.check(s.faults[0]));
  }
}

TEST_CASE("every retry budget model, with its defaults", "[scenario]") {
  using res::budget_model;
  struct row {
    const char* budget;
    budget_model model;
    std::function<bool(const res::budget_config&)> check;
  };
  const std::vector<row> rows{
      {R"({"model": "windowed", "ratio": 0.1, "mode": "shadow"})", budget_model::windowed,
       [](const auto& b) {
         return b.ratio == 0.1 && b.ttl == 10s && b.min_per_s == 10.0 && b.mode == res::policy_mode::shadow;
       }},
      {R"({"model": "windowed", "ratio": 0.1, "ttl_s": 30, "min_per_s": 0})", budget_model::windowed,
       [](const auto& b) { return b.ttl == 30s && b.min_per_s == 0.0; }},
      {R"({"model": "concurrency"})", budget_model::concurrency,
       [](const auto& b) { return b.budget_percent == 20.0 && b.min_retry_concurrency == 3; }},
      {R"({"model": "concurrency", "budget_percent": 50, "min_retry_concurrency": 0})", budget_model::concurrency,
       [](const auto& b) { return b.budget_percent == 50.0 && b.min_retry_concurrency == 0; }},
      {R"({"model": "token_bucket"})", budget_model::token_bucket,
       [](const auto& b) {
         return b.capacity == 500 && b.retry_cost == 5 && b.timeout_retry_cost == 10 && b.success_increment == 1;
       }},
      {R"({"model": "token_bucket", "capacity": 9, "retry_cost": 2, "timeout_retry_cost": 3, "success_increment": 0})",
       budget_model::token_bucket,
       [](const auto& b) {
         return b.capacity == 9 && b.retry_cost == 2 && b.timeout_retry_cost == 3 && b.success_increment == 0;
       }},
  };
  for (const row& r : rows) {
    INFO(r.budget);
    const scenario s = must_parse(
        parse_changed([&](nlohmann::json& d) { d["policy"]["retry_budget"] = nlohmann::json::parse(r.budget); }));
    CHECK(s.policy.has_budget);
    CHECK(s.policy.budget.model == r.model);
    CHECK(r.check(s.policy.budget));
  }
}

TEST_CASE("failure_rate breaker: defaults, and minimum_calls defaulting to window_size", "[scenario]") {
  SECTION("defaults") {
    const scenario s = must_parse(parse_changed([](nlohmann::json& d) {
      d["policy"]["breaker"] = {{"model", "failure_rate"}, {"open_ms", 2500}};
    }));
    const auto& b = s.policy.breaker;
    CHECK(b.model == res::breaker_model::failure_rate);
    CHECK(b.mode == res::policy_mode::enforce);
    CHECK(b.check == res::breaker_check::per_attempt);
    CHECK(b.open == 2500ms);
    CHECK(b.half_open_calls == 3);
    CHECK(b.window == res::breaker_window::count);
    CHECK(b.window_size == 100);
    CHECK(b.minimum_calls == 100);
    CHECK(b.failure_rate_threshold == 50.0);
    CHECK(b.slow_call == 0ns);
    CHECK(b.slow_call_rate_threshold == 100.0);
  }
  SECTION("time window, every field set") {
    const scenario s = must_parse(parse_changed([](nlohmann::json& d) {
      d["policy"]["breaker"] = nlohmann::json::parse(R"({"model": "failure_rate", "open_ms": 1000, "mode": "shadow",
          "window": "time", "window_size": 30, "minimum_calls": 500, "failure_rate_threshold": 25,
          "slow_call_ms": 750, "slow_call_rate_threshold": 80, "half_open_calls": 10})");
    }));
    const auto& b = s.policy.breaker;
    CHECK(b.mode == res::policy_mode::shadow);
    CHECK(b.window == res::breaker_window::time);
    CHECK(b.window_size == 30);
    CHECK(b.minimum_calls == 500);  // a time window may need more calls than it has seconds
    CHECK(b.failure_rate_threshold == 25.0);
    CHECK(b.slow_call == 750ms);
    CHECK(b.slow_call_rate_threshold == 80.0);
    CHECK(b.half_open_calls == 10);
  }
  SECTION("minimum_calls follows a custom window_size") {
    const scenario s = must_parse(parse_changed([](nlohmann::json& d) {
      d["policy"]["breaker"] = {{"model", "failure_rate"}, {"open_ms", 1000}, {"window_size", 20}};
    }));
    CHECK(s.policy.breaker.minimum_calls == 20);
  }
}

TEST_CASE("retry fields: retry_on, Retry-After, backoff kinds", "[scenario]") {
  const scenario s = must_parse(parse_changed([](nlohmann::json& d) {
    auto& retry = d["policy"]["retry"];
    retry["retry_on"] = nlohmann::json::parse(R"(["timeout", 409, 429.0])");
    retry["honor_retry_after"] = true;
    retry["retry_after_cap_ms"] = 5000;
    retry["backoff"] = {{"kind", "decorrelated"}, {"base_ms", 50}};
  }));
  const auto& r = s.policy.retry;
  CHECK(r.retry_on.timeout);
  CHECK_FALSE(r.retry_on.any_5xx);  // listing classes replaces the default list
  CHECK_FALSE(r.retry_on.too_many_requests);
  CHECK(r.retry_on.statuses.test(409));
  CHECK(r.retry_on.statuses.test(429));
  CHECK(r.retry_on.statuses.count() == 2);
  CHECK(r.honor_retry_after);
  CHECK(r.retry_after_cap == 5s);
  CHECK(r.backoff.kind == res::backoff_kind::decorrelated);
  CHECK(r.backoff.cap == 10s);
}

TEST_CASE("dependencies are kept in name order and targets resolve to their index", "[scenario]") {
  const scenario s = must_parse(parse_changed([](nlohmann::json& d) {
    d["dependencies"]["zeta"] = d["dependencies"]["api"];
    d["dependencies"]["alpha"] = d["dependencies"]["api"];
    d["dependencies"]["alpha"]["capacity"] = 8;
    d["workload"]["target"] = "zeta";
    d["faults"][1]["target"] = "alpha";
  }));
  REQUIRE(s.dependencies.size() == 3);
  CHECK(s.dependencies[0].name == "alpha");
  CHECK(s.dependencies[0].capacity == 8);
  CHECK(s.dependencies[1].name == "api");
  CHECK(s.dependencies[2].name == "zeta");
  CHECK(s.workload.target == "zeta");
  CHECK(s.workload.target_index == 2);
  CHECK(s.faults[0].target_index == 1);
  CHECK(s.faults[1].target == "alpha");
  CHECK(s.faults[1].target_index == 0);
}

TEST_CASE("numbers: integral floats are integers, durations round to the nanosecond", "[scenario]") {
  const scenario s = must_parse(parse_changed([](nlohmann::json& d) {
    d["workload"]["workers"] = 3.0;
    d["policy"]["retry"]["backoff"]["base_ms"] = 0.0000019;  // 1.9 ns: rounds up, where truncation would not
    d["policy"]["timeout_ms"] = 0.5;
    d["duration_s"] = 3600.0;
    d["seed"] = 9007199254740992ULL;  // 2^53, the largest seed
    d["expect"] = "fail";
    d["reports"] = {{"flap_window_s", 90}};
  }));
  CHECK(s.workload.workers == 3);
  CHECK(s.policy.retry.backoff.base == 2ns);
  CHECK(s.policy.timeout == 500us);
  CHECK(s.run_for == 3600s);
  CHECK(s.seed == 9007199254740992ULL);
  CHECK(s.expect == "fail");
  CHECK(s.flap_window_s == 90.0);
}

}  // namespace
}  // namespace squall::runner
