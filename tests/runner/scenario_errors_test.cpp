// Broken scenarios: each error names its JSON path, says what is wrong and, where it can, how to fix it.
#include <catch2/catch.hpp>

#include "runner/scenario_errors.hpp"
#include "scenario_fixtures.hpp"

namespace squall::runner {
namespace {

using nlohmann::json;
using test::has_error;
using test::parse_changed;
using test::shown;

struct broken {
  const char* what;
  std::function<void(json&)> change;
  const char* path;
  const char* message;
  const char* hint = "";
};

// Shorthands for the edits below.
json& arrivals(json& d) { return d["workload"]["arrivals"]; }
json& api(json& d) { return d["dependencies"]["api"]; }
json& breaker(json& d) { return d["policy"]["breaker"]; }
json& storm(json& d) { return d["faults"][0]; }

const std::vector<broken>& broken_scenarios() {
  static const std::vector<broken> rows{
      // unknown keys, with a did-you-mean among the keys allowed there
      {"typo in a key",
       [](json& d) {
         arrivals(d).erase("rate_per_s");
         arrivals(d)["rate_per_sec"] = 5;
       },
       "workload.arrivals", "unknown key 'rate_per_sec'", "did you mean 'rate_per_s'?"},
      {"typo in a top-level key", [](json& d) { d["sead"] = 1; }, "", "unknown key 'sead'", "did you mean 'seed'?"},
      {"prefix of a key", [](json& d) { breaker(d)["failure"] = 3; }, "policy.breaker", "unknown key 'failure'",
       "did you mean 'failure_threshold'?"},
      {"nothing like any key", [](json& d) { api(d)["colour"] = "red"; }, "dependencies.api", "unknown key 'colour'",
       "allowed keys here: capacity, queue_max, latency, errors"},
      {"key of another model", [](json& d) { d["policy"]["retry_budget"] = {{"model", "token_bucket"}, {"ratio", 0.2}}; },
       "policy.retry_budget", "'ratio' does not apply to model 'token_bucket'", "'ratio' is for model cumulative_ratio, windowed; model 'token_bucket' allows: model, mode, capacity"},
      {"key of another dist", [](json& d) { api(d)["latency"]["mean_ms"] = 3; }, "dependencies.api.latency",
       "'mean_ms' does not apply to dist 'lognormal'", "'mean_ms' is for dist exponential, normal"},
      {"key of another fault kind", [](json& d) { d["faults"][1]["rate"] = 0.5; }, "faults[1]",
       "'rate' does not apply to kind 'latency_spike'"},
      {"steps on a poisson model", [](json& d) { arrivals(d)["steps"] = json::array(); }, "workload.arrivals",
       "'steps' does not apply to model 'poisson'"},

      // enum values
      {"typo in a fault kind", [](json& d) { storm(d)["kind"] = "error_strom"; }, "faults[0].kind",
       "unknown kind 'error_strom'", "did you mean 'error_storm'?"},
      {"unknown backoff kind", [](json& d) { d["policy"]["retry"]["backoff"]["kind"] = "exponential"; },
       "policy.retry.backoff.kind", "unknown kind 'exponential'", "expected one of: none, full_jitter"},
      {"typo in expect", [](json& d) { d["expect"] = "passs"; }, "expect", "unknown expect 'passs'",
       "did you mean 'pass'?"},
      {"unknown retry_on class", [](json& d) { d["policy"]["retry"]["retry_on"] = {"5xx", "timout"}; },
       "policy.retry.retry_on[1]", "unknown error class 'timout'", "did you mean 'timeout'?"},
      {"retry_on status out of range", [](json& d) { d["policy"]["retry"]["retry_on"] = {200}; },
       "policy.retry.retry_on[0]", "must be an HTTP status from 400 to 599 (got 200)"},

      // ranges
      {"negative error rate", [](json& d) { api(d)["errors"]["rate"] = -0.5; }, "dependencies.api.errors.rate",
       "must be >= 0 and <= 1 (got -0.5)"},
      {"negative workers", [](json& d) { d["workload"]["workers"] = -5; }, "workload.workers",
       "must be >= 1 and <= 1000000 (got -5)"},
      {"zero fault rate", [](json& d) { storm(d)["rate"] = 0; }, "faults[0].rate", "must be > 0 and <= 1 (got 0)"},
      {"open_ms of zero", [](json& d) { breaker(d)["open_ms"] = 0; }, "policy.breaker.open_ms", "must be > 0"},
      {"sigma too large", [](json& d) { api(d)["latency"]["sigma"] = 6; }, "dependencies.api.latency.sigma",
       "must be >= 0 and <= 5 (got 6)"},
      {"status out of range", [](json& d) { storm(d)["status"] = 600; }, "faults[0].status",
       "must be >= 100 and <= 599 (got 600)"},
      {"seed beyond 2^53", [](json& d) { d["seed"] = 9007199254740993ULL; }, "seed",
       "must be >= 0 and <= 9007199254740992 (got 9007199254740993)"},
      {"squall version", [](json& d) { d["squall"] = 2; }, "squall", "unsupported scenario format version 2"},
      {"duration too long", [](json& d) { d["duration_s"] = 1e6; }, "duration_s", "must be > 0 and <= 604800"},
      {"time that overflows nanoseconds", [](json& d) { storm(d)["from_s"] = 1e300; }, "faults[0].from_s",
       "does not fit in 64-bit nanoseconds"},

      // cross-field rules
      {"to_s before from_s",
       [](json& d) {
         storm(d)["from_s"] = 120;
         storm(d)["to_s"] = 60;
       },
       "faults[0].to_s", "'to_s' must be greater than 'from_s' (60 <= 120)"},
      {"fault beyond the run", [](json& d) { d["faults"][1]["to_s"] = 7200; }, "faults[1].to_s",
       "'to_s' must be <= 'duration_s' (7200 > 3600)"},
      {"latency spike that changes nothing", [](json& d) { d["faults"][1]["multiplier"] = 1; }, "faults[1]",
       "a latency_spike must change latency", "'multiplier' > 1 or 'add_ms' > 0"},
      {"uniform max below min",
       [](json& d) { api(d)["latency"] = {{"dist", "uniform"}, {"min_ms", 10}, {"max_ms", 5}}; },
       "dependencies.api.latency.max_ms", "'max_ms' must be >= 'min_ms' (5 < 10)"},
      {"cap below base", [](json& d) { d["policy"]["retry"]["backoff"]["base_ms"] = 20000; }, "policy.retry.backoff.cap_ms",
       "'cap_ms' (10000) must be >= 'base_ms' (20000)"},
      {"default cap below base",
       [](json& d) {
         d["policy"]["retry"]["backoff"].erase("cap_ms");
         d["policy"]["retry"]["backoff"]["base_ms"] = 20000;
       },
       "policy.retry.backoff.cap_ms", "'cap_ms' (10000, the default) must be >= 'base_ms' (20000)"},
      {"steps not starting at 0",
       [](json& d) { arrivals(d) = json::parse(R"({"model": "steps", "steps": [{"at_s": 5, "rate_per_s": 1}]})"); },
       "workload.arrivals.steps[0].at_s", "the first step must start at 0 (got 5)"},
      {"steps out of order",
       [](json& d) {
         arrivals(d) = json::parse(
             R"({"model": "steps", "steps": [{"at_s": 0, "rate_per_s": 1}, {"at_s": 9, "rate_per_s": 2}, {"at_s": 9, "rate_per_s": 3}]})");
       },
       "workload.arrivals.steps[2].at_s", "must be greater than the previous step's at_s (9 <= 9)"},
      {"step after the run",
       [](json& d) {
         arrivals(d) = json::parse(
             R"({"model": "steps", "steps": [{"at_s": 0, "rate_per_s": 1}, {"at_s": 3600, "rate_per_s": 2}]})");
       },
       "workload.arrivals.steps[1].at_s", "must be < duration_s (3600 >= 3600)"},
      {"no steps", [](json& d) { arrivals(d) = {{"model", "steps"}, {"steps", json::array()}}; },
       "workload.arrivals.steps", "must hold at least one step"},
      {"count window smaller than minimum_calls",
       [](json& d) {
         breaker(d) = {{"model", "failure_rate"}, {"open_ms", 1000}, {"window_size", 10}, {"minimum_calls", 20}};
       },
       "policy.breaker.minimum_calls", "must be <= window_size for a count window (20 > 10)"},

      // types
      {"string for an integer", [](json& d) { d["workload"]["workers"] = "many"; }, "workload.workers",
       "expected an integer, got a string"},
      {"fraction for an integer", [](json& d) { d["workload"]["workers"] = 2.5; }, "workload.workers",
       "expected an integer, got 2.5"},
      {"string for a number", [](json& d) { d["duration_s"] = "1h"; }, "duration_s", "expected a number, got a string"},
      {"null for a string", [](json& d) { d["description"] = nullptr; }, "description", "expected a string, got null"},
      {"number for a boolean", [](json& d) { d["policy"]["retry"]["honor_retry_after"] = 1; },
       "policy.retry.honor_retry_after", "expected a boolean (true or false), got 1"},
      {"array for an object", [](json& d) { d["policy"]["retry"] = json::array(); }, "policy.retry",
       "expected an object, got an array"},
      {"object for a fault", [](json& d) { d["faults"][1] = 3; }, "faults[1]", "expected an object, got 3"},
      {"number for a gate", [](json& d) { d["gates"][0] = 1.5; }, "gates[0]", "expected a string, got 1.5"},

      // required keys
      {"missing capacity", [](json& d) { api(d).erase("capacity"); }, "dependencies.api",
       "missing required key 'capacity'"},
      {"missing workload", [](json& d) { d.erase("workload"); }, "", "missing required key 'workload'"},
      {"missing budget model", [](json& d) { d["policy"]["retry_budget"].erase("model"); }, "policy.retry_budget",
       "missing required key 'model'", "one of: cumulative_ratio, windowed, concurrency, token_bucket"},
      {"missing limit_per_s",
       [](json& d) { d["faults"][1] = {{"kind", "rate_limit"}, {"from_s", 1}, {"to_s", 2}}; }, "faults[1]",
       "missing required key 'limit_per_s'"},
      {"missing workload target with two dependencies", [](json& d) { d["dependencies"]["db"] = api(d); },
       "workload", "missing required key 'target'", "name one of: api, db"},

      // names and references
      {"target naming no dependency", [](json& d) { storm(d)["target"] = "apj"; }, "faults[0].target",
       "no dependency named 'apj'", "did you mean 'api'?"},
      {"workload target naming no dependency", [](json& d) { d["workload"]["target"] = "database"; },
       "workload.target", "no dependency named 'database'", "dependencies: api"},
      {"invalid scenario name", [](json& d) { d["name"] = "storm hour!"; }, "name", "invalid name 'storm hour!'",
       "letters, digits, '.', '_' and '-'; 1 to 64 characters"},
      {"invalid dependency name", [](json& d) { d["dependencies"]["my api"] = api(d); }, "dependencies",
       "invalid dependency name 'my api'"},
      {"no dependencies", [](json& d) { d["dependencies"] = json::object(); }, "dependencies",
       "must name at least one dependency"},

      // gates
      {"unknown gate metric", [](json& d) { d["gates"].push_back("latency.p99 < 800"); }, "gates[3]",
       "unknown metric 'latency.p99'", "did you mean 'latency_ms.p99'?"},
      {"misspelt gate metric", [](json& d) { d["gates"][0] = "retry_amplification.overal < 1.5"; }, "gates[0]",
       "unknown metric 'retry_amplification.overal'", "did you mean 'retry_amplification.overall'?"},
      {"gate metric with no close match", [](json& d) { d["gates"][1] = "throughput < 5"; }, "gates[1]",
       "unknown metric 'throughput'", "metrics are under requests, retry_amplification"},
      {"gate syntax", [](json& d) { d["gates"][2] = "latency_ms.p99 <"; }, "gates[2]", "invalid gate 'latency_ms.p99 <'",
       ""},
  };
  return rows;
}

TEST_CASE("broken scenarios: each error has its path, message and hint", "[scenario][errors]") {
  for (const broken& row : broken_scenarios()) {
    INFO("case: " << row.what);
    const parse_outcome out = parse_changed(row.change);
    INFO("errors:\n" << shown(out));
    CHECK_FALSE(out.value.has_value());
    CHECK(has_error(out, row.path, row.message, row.hint));
  }
}

TEST_CASE("a typo'd key is one error, not also a missing required key", "[scenario][errors]") {
  const parse_outcome out = parse_changed([](json& d) {
    d["dependencies"]["api"].erase("capacity");
    d["dependencies"]["api"]["capacty"] = 64;
  });
  INFO(shown(out));
  REQUIRE(out.errors.size() == 1);
  CHECK(out.errors[0].path == "dependencies.api");
  CHECK(out.errors[0].message == "unknown key 'capacty'");
  CHECK(out.errors[0].hint == "did you mean 'capacity'?");
}

TEST_CASE("every error is collected in one pass", "[scenario][errors]") {
  const parse_outcome out = parse_changed([](json& d) {
    d["sead"] = 1;
    d["workload"]["workers"] = 0;
    d["dependencies"]["api"]["latency"]["sigma"] = -1;
    d["faults"][0]["kind"] = "error_strom";
    d["faults"][1]["to_s"] = 100;
    d["policy"]["breaker"]["open_ms"] = -5;
    d["gates"].push_back("latency_ms.p98 < 1");
  });
  INFO(shown(out));
  CHECK_FALSE(out.value.has_value());
  CHECK(out.errors.size() == 7);
  CHECK(has_error(out, "", "unknown key 'sead'"));
  CHECK(has_error(out, "workload.workers", "must be >= 1"));
  CHECK(has_error(out, "dependencies.api.latency.sigma", "must be >= 0"));
  CHECK(has_error(out, "faults[0].kind", "unknown kind 'error_strom'"));
  CHECK(has_error(out, "faults[1].to_s", "'to_s' must be greater than 'from_s' (100 <= 180)"));
  CHECK(has_error(out, "policy.breaker.open_ms", "must be > 0 and <= 3600000 (got -5)"));
  CHECK(has_error(out, "gates[3]", "unknown metric 'latency_ms.p98'"));
}

TEST_CASE("errors are bounded: a flood of bad keys stops at error_sink::max_errors", "[scenario][errors]") {
  const parse_outcome out = parse_changed([](json& d) {
    for (int i = 0; i < 500; ++i) d["junk" + std::to_string(i)] = i;
  });
  REQUIRE(out.errors.size() == error_sink::max_errors + 1);
  CHECK(out.errors.back().message == "400 more errors not shown");
}

TEST_CASE("format_errors: one line per error, the document shown as (document)", "[scenario][errors]") {
  const std::vector<scenario_error> errors{
      {"", "unknown key 'sead'", "did you mean 'seed'?"},
      {"policy.breaker.open_ms", "must be > 0 (got -5)", ""},
  };
  CHECK(format_errors("s.json", errors) ==
        "s.json: (document): unknown key 'sead' (did you mean 'seed'?)\n"
        "s.json: policy.breaker.open_ms: must be > 0 (got -5)\n");
  CHECK(format_errors("", errors).starts_with("(document): unknown key"));
}

}  // namespace
}  // namespace squall::runner
