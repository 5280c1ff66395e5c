// `squall sweep` over a scenario with shadow candidates: each candidate's metrics get distributions over the
// seeds in sweep.json, sweep.md and the console, the same from merged shards.
#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "tests/cli/cli_harness.hpp"

using namespace squall::test;
using nlohmann::json;

TEST_CASE("sweep of scenarios/shadow-candidates.json gives distributions for every candidate metric") {
  cli_sandbox box;
  const std::string file = std::string(SQUALL_SOURCE_DIR) + "/scenarios/shadow-candidates.json";
  const std::string args = "sweep '" + file + "' --seeds 3";
  const cli_result r = box.run(args + " --out single");
  INFO(r.out);
  REQUIRE((r.exit_code == 0 || r.exit_code == 1));
  const json sweep = json::parse(read_file(box.path("single/shadow-candidates/sweep.json")));
  const json& m = sweep["metrics"];

  // The control candidate is the enforced policy: it agrees in every seed (the noise floor is zero).
  const json& control = m["candidates.control.agreement.breaker"];
  CHECK(control["count"] == 3);
  CHECK(control["min"] == 1.0);
  CHECK(control["better"] == "higher");
  CHECK(m["candidates.control.agreement.budget"]["mean"] == 1.0);
  CHECK(m["candidates.control.agreement.breaker_decisions"]["better"].is_null());
  // The alternatives: breaker counts (lower is better) with a worst seed, budget denials where they have a budget.
  for (const char* name : {"longer-open", "failure-rate"}) {
    const json& flaps = m[std::string("candidates.") + name + ".breaker.flaps_per_hour"];
    INFO(name);
    CHECK(flaps["count"] == 3);
    CHECK(flaps["better"] == "lower");
    CHECK(flaps["worst_seed"].is_number_unsigned());
    CHECK(m[std::string("candidates.") + name + ".breaker.would_reject"]["p50"].is_number());
  }
  CHECK(m["candidates.longer-open.budget.would_deny"]["count"] == 3);
  CHECK_FALSE(m.contains("candidates.failure-rate.budget.would_deny"));  // it has no budget

  const std::string md = read_file(box.path("single/shadow-candidates/sweep.md"));
  CHECK_THAT(md, Catch::Contains("**Shadow candidates**") &&
                     Catch::Contains("| `candidates.longer-open.breaker.flaps_per_hour` |"));
  CHECK_THAT(read_file(box.path("single/shadow-candidates/sweep.html")), Catch::Contains("Shadow candidates over seeds"));
  CHECK_THAT(r.out, Catch::Contains("candidates.control.agreement.breaker"));

  // Shards keep the candidates in their seed reports: the merge gives the same distributions.
  for (const char* shard : {"1/2", "2/2"}) REQUIRE(box.run(args + " --shard " + shard + " --out shards --quiet").exit_code == r.exit_code);
  REQUIRE(box.run("merge shards --out merged --quiet").exit_code == r.exit_code);
  CHECK(read_file(box.path("merged/shadow-candidates/sweep.json")) == read_file(box.path("single/shadow-candidates/sweep.json")));
}
