// "candidates": shadow breakers and budgets beside the enforced policy, parsed as strictly as the policy, with
// errors at their JSON paths; gates may read the declared candidates' metrics.
#include <catch2/catch.hpp>

#include "scenario_fixtures.hpp"

namespace squall::runner {
namespace {

using nlohmann::json;
using test::has_error;
using test::must_parse;
using test::parse_changed;
using test::shown;
namespace res = stack::resilience;

json breaker_candidate(const std::string& name, int threshold = 8) {
  return {{"name", name},
          {"policy", {{"breaker", {{"model", "consecutive"}, {"failure_threshold", threshold}, {"open_ms", 5000}}}}}};
}

json budget_candidate(const std::string& name) {
  return {{"name", name}, {"policy", {{"retry_budget", {{"model", "token_bucket"}, {"mode", "shadow"}}}}}};
}

parse_outcome with_candidates(json candidates, std::vector<std::string> gates = {}) {
  return parse_changed([&](json& d) {
    d["candidates"] = candidates;
    if (!gates.empty()) d["gates"] = gates;
  });
}

TEST_CASE("candidates: parsed in order, never enforcing, the breaker checked like the enforced one") {
  json both = breaker_candidate("both", 3);
  both["policy"]["retry_budget"] = {{"model", "windowed"}, {"ratio", 0.1}};
  const scenario s = must_parse(with_candidates({breaker_candidate("fast-open"), budget_candidate("bucket"), both},
                                                {"candidates.fast-open.breaker.flaps_per_hour <= 6",
                                                 "candidates.bucket.budget.would_deny == 0",
                                                 "candidates.both.agreement.budget > 0.9"}));
  REQUIRE(s.candidates.size() == 3);
  CHECK(s.candidates[0].name == "fast-open");
  CHECK(s.candidates[0].policy.has_breaker);
  CHECK_FALSE(s.candidates[0].policy.has_budget);
  CHECK(s.candidates[0].policy.breaker.failure_threshold == 8);
  CHECK(s.candidates[0].policy.breaker.mode == res::policy_mode::shadow);
  // storm-hour's enforced breaker is per_request: a candidate that leaves `check` out inherits it.
  CHECK(s.candidates[0].policy.breaker.check == res::breaker_check::per_request);
  CHECK(s.candidates[1].policy.has_budget);
  CHECK(s.candidates[1].policy.budget.model == res::budget_model::token_bucket);
  CHECK(s.candidates[1].policy.budget.mode == res::policy_mode::shadow);
  CHECK(s.candidates[2].policy.has_breaker);
  CHECK(s.candidates[2].policy.budget.ratio == 0.1);
  CHECK(s.gates.size() == 3);

  const auto infos = candidate_infos(s.candidates);
  REQUIRE(infos.size() == 3);
  CHECK(infos[0].breaker_per_request);
  CHECK_FALSE(infos[1].breaker);
  CHECK(infos[1].budget);
}

TEST_CASE("candidates: without an enforced breaker a candidate keeps its own check") {
  const scenario s = must_parse(parse_changed([](json& d) {
    d["policy"].erase("breaker");
    json c = breaker_candidate("per-request");
    c["policy"]["breaker"]["check"] = "per_request";
    d["candidates"] = {breaker_candidate("default"), c};
  }));
  CHECK(s.candidates[0].policy.breaker.check == res::breaker_check::per_attempt);
  CHECK(s.candidates[1].policy.breaker.check == res::breaker_check::per_request);
}

TEST_CASE("candidates: errors name their JSON path") {
  SECTION("an unknown key in a candidate and in its policy") {
    json c = breaker_candidate("x");
    c["weight"] = 1;
    json d = breaker_candidate("y");
    d["policy"]["retry"] = json::object();
    const auto out = with_candidates({c, d});
    INFO(shown(out));
    CHECK(has_error(out, "candidates[0]", "unknown key 'weight'"));
    CHECK(has_error(out, "candidates[1].policy", "unknown key 'retry'"));
  }
  SECTION("an unknown key inside a candidate's breaker") {
    json c = breaker_candidate("x");
    c["policy"]["breaker"]["failure_treshold"] = 3;
    const auto out = with_candidates(json::array({c}));  // {c} alone copies c under clang
    INFO(shown(out));
    CHECK(has_error(out, "candidates[0].policy.breaker", "unknown key 'failure_treshold'",
                    "did you mean 'failure_threshold'?"));
  }
  SECTION("mode enforce") {
    json c = breaker_candidate("x");
    c["policy"]["breaker"]["mode"] = "enforce";
    json d = budget_candidate("y");
    d["policy"]["retry_budget"]["mode"] = "enforce";
    const auto out = with_candidates({c, d});
    INFO(shown(out));
    CHECK(has_error(out, "candidates[0].policy.breaker.mode", "a candidate never enforces"));
    CHECK(has_error(out, "candidates[1].policy.retry_budget.mode", "a candidate never enforces"));
  }
  SECTION("duplicate names, a reserved name, a name gates could not read") {
    const auto out = with_candidates({breaker_candidate("same"), budget_candidate("same"), budget_candidate("note"),
                                      budget_candidate("a.b")});
    INFO(shown(out));
    CHECK(has_error(out, "candidates[1].name", "duplicate candidate name 'same' (also candidates[0])"));
    CHECK(has_error(out, "candidates[2].name", "'note' is reserved"));
    CHECK(has_error(out, "candidates[3].name", ""));
  }
  SECTION("more than 16") {
    json many = json::array();
    for (int i = 0; i < 17; ++i) many.push_back(breaker_candidate("c" + std::to_string(i)));
    const auto out = with_candidates(many);
    INFO(shown(out));
    CHECK(has_error(out, "candidates", "at most 16 candidates (got 17)", "squall tune"));
    json sixteen = many;
    sixteen.erase(16);
    must_parse(with_candidates(sixteen));
  }
  SECTION("a candidate without a breaker or a budget, and one without a policy") {
    const auto out = with_candidates({{{"name", "empty"}, {"policy", json::object()}}, {{"name", "bare"}}});
    INFO(shown(out));
    CHECK(has_error(out, "candidates[0].policy", "a candidate needs a 'breaker', a 'retry_budget' or both"));
    CHECK(has_error(out, "candidates[1]", "missing required key 'policy'"));
  }
  SECTION("a check other than the enforced breaker's") {
    json c = breaker_candidate("x");
    c["policy"]["breaker"]["check"] = "per_attempt";
    const auto out = with_candidates(json::array({c}));  // {c} alone copies c under clang
    INFO(shown(out));
    CHECK(has_error(out, "candidates[0].policy.breaker.check", "must be 'per_request', as policy.breaker.check",
                    "leave 'check' out"));
  }
  SECTION("candidates in a jobs-only scenario") {
    const auto out = test::parse_changed_from(test::jobs_queue,
                                              [](json& d) { d["candidates"] = json::array({breaker_candidate("x")}); });
    INFO(shown(out));
    CHECK(has_error(out, "candidates", "candidates watch the workload's calls"));
  }
  SECTION("not an array, an item not an object") {
    CHECK(has_error(parse_changed([](json& d) { d["candidates"] = json::object(); }), "candidates", ""));
    CHECK(has_error(with_candidates({7}), "candidates[0]", ""));
  }
}

TEST_CASE("candidates: gates on candidates name declared candidates and metrics they have") {
  const json candidates = {breaker_candidate("fast-open"), budget_candidate("bucket")};
  const auto out = with_candidates(candidates, {"candidates.slow.breaker.flaps < 1",
                                                "candidates.bucket.breaker.flaps < 1",
                                                "candidates.fast-open.breaker.flap < 1"});
  INFO(shown(out));
  CHECK(has_error(out, "gates[0]", "unknown metric 'candidates.slow.breaker.flaps'", "fast-open, bucket"));
  CHECK(has_error(out, "gates[1]", "unknown metric 'candidates.bucket.breaker.flaps'"));
  CHECK(has_error(out, "gates[2]", "unknown metric", "did you mean 'candidates.fast-open.breaker.flaps'?"));
  const auto none = parse_changed([](json& d) { d["gates"] = {"candidates.x.breaker.flaps < 1"}; });
  CHECK(has_error(none, "gates[0]", "unknown metric", "the scenario has no \"candidates\""));
}

}  // namespace
}  // namespace squall::runner
