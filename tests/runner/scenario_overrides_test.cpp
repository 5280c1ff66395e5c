// "--set path=value" overrides: applied to the JSON before validation, errors naming the override.
#include <chrono>

#include <catch2/catch.hpp>

#include "scenario_fixtures.hpp"

namespace squall::runner {
namespace {

using namespace std::chrono_literals;
using test::has_error;
using test::must_parse;
using test::shown;

parse_outcome with(const std::vector<std::string>& overrides) { return parse_scenario(test::storm_hour, overrides); }

TEST_CASE("overrides set nested values, parsed as JSON", "[scenario][overrides]") {
  const scenario s = must_parse(with({"policy.breaker.failure_threshold=8", "policy.timeout_ms=250.5",
                                      "policy.retry.honor_retry_after=true", "seed=7"}));
  CHECK(s.policy.breaker.failure_threshold == 8);
  CHECK(s.policy.timeout == 250500us);
  CHECK(s.policy.retry.honor_retry_after);
  CHECK(s.seed == 7);
  CHECK(s.document["policy"]["breaker"]["failure_threshold"] == 8);
}

TEST_CASE("a value that is not JSON is a string", "[scenario][overrides]") {
  const scenario s = must_parse(with({"name=other-name", "description=a storm, hand-made", "faults[0].target=api"}));
  CHECK(s.name == "other-name");
  CHECK(s.description == "a storm, hand-made");
  CHECK(s.faults[0].target == "api");
}

TEST_CASE("a value may be a whole object or array", "[scenario][overrides]") {
  const scenario s = must_parse(with({R"(policy.retry_budget={"model": "token_bucket", "capacity": 50})",
                                      R"(gates=["goodput.ratio > 0.9"])"}));
  CHECK(s.policy.budget.model == stack::resilience::budget_model::token_bucket);
  CHECK(s.policy.budget.capacity == 50);
  CHECK(s.gates == std::vector<std::string>{"goodput.ratio > 0.9"});
}

TEST_CASE("array elements by (n) or by a bare integer segment", "[scenario][overrides]") {
  const scenario s = must_parse(with({"faults[1].multiplier=3", "faults.0.rate=0.5"}));
  CHECK(s.faults[1].multiplier == 3.0);
  CHECK(s.faults[0].rate == 0.5);
}

TEST_CASE("overrides apply in order and the last one wins", "[scenario][overrides]") {
  CHECK(must_parse(with({"seed=7", "seed=9"})).seed == 9);
}

TEST_CASE("missing parents are created as objects", "[scenario][overrides]") {
  const scenario s = must_parse(with({"reports.flap_window_s=30"}));
  CHECK(s.flap_window_s == 30.0);
  CHECK(s.document["reports"]["flap_window_s"] == 30);
}

TEST_CASE("an override goes through the same validation as the file", "[scenario][overrides]") {
  SECTION("a typo'd key gets the unknown-key error") {
    const parse_outcome out = with({"policy.breaker.failure_treshold=8"});
    INFO(shown(out));
    REQUIRE(out.errors.size() == 1);
    CHECK(has_error(out, "policy.breaker", "unknown key 'failure_treshold'", "did you mean 'failure_threshold'?"));
  }
  SECTION("a created object under a typo'd key") {
    const parse_outcome out = with({"policy.brekaer.open_ms=100"});
    INFO(shown(out));
    CHECK(has_error(out, "policy", "unknown key 'brekaer'", "did you mean 'breaker'?"));
  }
  SECTION("a string where a number belongs") {
    CHECK(has_error(with({"workload.workers=many"}), "workload.workers", "expected an integer, got a string"));
  }
  SECTION("a shorter run puts faults past its end") {
    CHECK(has_error(with({"duration_s=100"}), "faults[0].to_s", "'to_s' must be <= 'duration_s' (120 > 100)"));
  }
}

TEST_CASE("override errors name the override", "[scenario][overrides]") {
  struct row {
    const char* override_text;
    const char* path;
    const char* message;
  };
  const std::vector<row> rows{
      {"faults[5].rate=0.5", "faults[5].rate", "--set 'faults[5].rate=0.5': index 5 is out of range: 'faults' has 2 items"},
      {"faults.2=1", "faults.2", "index 2 is out of range: 'faults' has 2 items"},
      {"policy.timeout_ms", "", "--set 'policy.timeout_ms': missing '='"},
      {"=5", "", "the path before '=' is empty"},
      {"policy..timeout_ms=5", "", "empty path segment"},
      {"faults[x].rate=1", "", "bad index in 'faults[x]'"},
      {"faults[0.rate=1", "", "bad index in 'faults[0'"},
      {"seed.x=1", "seed.x", "'seed' is 42; it has no key 'x'"},
      {"policy[0]=1", "policy[0]", "'policy' is an object, not an array"},
      {"description=[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[", "description", "nests deeper than 32 levels"},
      {R"(policy.retry={"max_attempts": 1, "max_attempts": 2})", "policy.retry", "duplicate key 'max_attempts'"},
  };
  for (const row& r : rows) {
    INFO(r.override_text);
    const parse_outcome out = with({r.override_text});
    INFO(shown(out));
    CHECK_FALSE(out.value.has_value());
    CHECK(has_error(out, r.path, r.message));
  }
}

TEST_CASE("a path deeper than the nesting limit is refused", "[scenario][overrides]") {
  std::string path = "reports";
  for (int i = 0; i < scenario_max_depth; ++i) path += ".x";
  CHECK(has_error(with({path + "=1"}), "", "deeper than 32 levels"));
}

}  // namespace
}  // namespace squall::runner
