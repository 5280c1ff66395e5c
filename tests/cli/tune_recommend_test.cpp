// `squall tune`'s choices: the goodput floor that keeps a stays-open breaker from being recommended, ranges over
// integer fields, and --vary/--set paths that would overwrite each other.
#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "tests/cli/cli_harness.hpp"

using namespace squall::test;
using json = nlohmann::json;

namespace {

// storm-hour shortened to 2 minutes with both faults inside (docs/tuning.md), failure_threshold 3.
std::string storm_two_minutes() {
  return "--set duration_s=120 --set 'faults[0].from_s=20' --set 'faults[0].to_s=40' --set 'faults[1].from_s=60' "
         "--set 'faults[1].to_s=80' --set policy.breaker.failure_threshold=3";
}

const json& candidate_with(const json& tune, double open_ms) {
  for (const json& c : tune["candidates"])
    if (c["values"]["policy.breaker.open_ms"] == open_ms) return c;
  FAIL("no candidate with open_ms " << open_ms);
  static const json none;
  return none;
}

}  // namespace

TEST_CASE("tune: the goodput floor passes over a breaker that wins on margin by staying open") {
  cli_sandbox box;
  const std::string scenario = std::string(SQUALL_SOURCE_DIR) + "/scenarios/storm-hour.json";
  const std::string args = "tune '" + scenario + "' " + storm_two_minutes() +
                           " --vary policy.breaker.open_ms=41666,60000 --seeds 2 --holdout 1 --quiet";
  // storm-hour's own gates (amplification < 1.5, flaps <= 6/h, p99 < 800 ms) pass for both. The 41.7 s breaker
  // re-opens in the latency spike and stays open into the last minute: the widest amplification margin, at a
  // goodput of about 0.3 where the 60 s breaker keeps about 0.5.
  REQUIRE(box.run(args + " --goodput-floor 0 --out old").exit_code == 0);
  const json old_rule = json::parse(read_file(box.path("old/storm-hour/tune.json")));
  const json& open_41 = candidate_with(old_rule, 41666);
  const json& open_60 = candidate_with(old_rule, 60000);
  REQUIRE(open_41["passes_all"] == true);
  REQUIRE(open_60["passes_all"] == true);
  CHECK(open_41["margin"].get<double>() > open_60["margin"].get<double>());
  CHECK(open_41["metrics"]["goodput.ratio"]["mean"].get<double>() < 0.35);
  CHECK(open_60["metrics"]["goodput.ratio"]["mean"].get<double>() > 0.45);
  CHECK(old_rule["recommendation"]["id"] == open_41["id"]);
  CHECK(old_rule["goodput_floor"]["applied"] == false);

  const cli_result r = box.run(args + " --out new");  // the default floor: 0.9 of the best passing goodput
  INFO(r.out);
  REQUIRE(r.exit_code == 0);
  const json floor_rule = json::parse(read_file(box.path("new/storm-hour/tune.json")));
  CHECK(floor_rule["recommendation"]["id"] == candidate_with(floor_rule, 60000)["id"]);
  CHECK(candidate_with(floor_rule, 41666)["below_goodput_floor"] == true);
  CHECK(candidate_with(floor_rule, 41666)["rank"] == 2);
  const json& floor = floor_rule["goodput_floor"];
  CHECK(floor["applied"] == true);
  CHECK(floor["relative"] == 0.9);
  CHECK(floor["best_id"] == candidate_with(floor_rule, 60000)["id"]);
  CHECK(floor["below"] == 1);
  CHECK_THAT(read_file(box.path("new/storm-hour/tune.md")), Catch::Contains("Goodput floor: a candidate that passes"));
  CHECK_THAT(floor_rule["command"].get<std::string>(), !Catch::Contains("--goodput-floor"));
  CHECK_THAT(old_rule["command"].get<std::string>(), Catch::Contains("--goodput-floor 0"));
}

TEST_CASE("tune: a range over an integer field gives rounded, distinct integers and says so") {
  cli_sandbox box;
  write_file(box.path("s.json"), small_scenario("small", R"(["goodput.ratio > 0.1"])"));
  cli_result r = box.run("tune s.json --vary policy.breaker.failure_threshold=2..9/4 --seeds 1 --holdout 0 --quiet");
  INFO(r.out);
  REQUIRE(r.exit_code == 0);
  CHECK_THAT(r.out, Catch::Contains("note: --vary policy.breaker.failure_threshold=2..9/4: "
                                    "policy.breaker.failure_threshold takes integers") &&
                        Catch::Contains(": 2, 4, 7, 9"));
  json t = json::parse(read_file(box.path("out/small/tune.json")));
  CHECK(t["parameters"][0]["values"] == json::array({2, 4, 7, 9}));
  CHECK(t["search"]["skipped"] == 0);

  // More values than integers between the ends: the repeats go.
  r = box.run("tune s.json --vary 'dependencies.api.capacity=15..16/4' --seeds 1 --holdout 0 --quiet");
  INFO(r.out);
  REQUIRE(r.exit_code == 0);
  CHECK_THAT(r.out, Catch::Contains("repeats dropped (2 distinct): 15, 16"));
  t = json::parse(read_file(box.path("out/small/tune.json")));
  CHECK(t["parameters"][0]["values"] == json::array({15, 16}));

  // Fractional ends on an integer field are refused; a field that takes any number keeps its fractions.
  r = box.run("tune s.json --vary policy.retry.max_attempts=1.5..4/3");
  CHECK(r.exit_code == 2);
  CHECK_THAT(r.out, Catch::Contains("policy.retry.max_attempts takes integers: write the range with whole-number ends"));
  r = box.run("tune s.json --vary policy.breaker.open_ms=1000..2000/4 --seeds 1 --holdout 0 --quiet");
  REQUIRE(r.exit_code == 0);
  CHECK_THAT(r.out, !Catch::Contains("note:"));
  t = json::parse(read_file(box.path("out/small/tune.json")));
  CHECK(t["parameters"][0]["values"][1] == 1333.33333333);
}

TEST_CASE("tune: --vary and --set paths that overwrite each other, and a bad --goodput-floor, exit 2") {
  cli_sandbox box;
  write_file(box.path("s.json"), small_scenario("small", R"(["goodput.ratio > 0.1"])"));
  cli_result r = box.run(R"(tune s.json --vary 'policy.breaker.open_ms=1000,2000' --vary 'policy.breaker={"model":"consecutive","failure_threshold":4,"open_ms":500}')");
  INFO(r.out);
  CHECK(r.exit_code == 2);
  CHECK_THAT(r.out, Catch::Contains("--vary policy.breaker.open_ms and --vary policy.breaker change the same field"));

  r = box.run("tune s.json --set faults.0.rate=0.5 --vary 'faults[0].rate=0.3,0.6'");
  CHECK(r.exit_code == 2);
  CHECK_THAT(r.out, Catch::Contains("--set faults.0.rate=0.5 and --vary faults[0].rate change the same field"));

  r = box.run("tune s.json --vary 'faults[0].rate=0.3,0.6' --vary faults.0.rate=0.4,0.5");
  CHECK(r.exit_code == 2);
  CHECK_THAT(r.out, Catch::Contains("change the same field"));

  for (const char* bad : {"1.5", "-0.1", "x"}) {
    r = box.run(std::string("tune s.json --vary policy.breaker.open_ms=1000,2000 --goodput-floor ") + bad);
    INFO(bad);
    CHECK(r.exit_code == 2);
    CHECK_THAT(r.out, Catch::Contains("--goodput-floor"));
  }
  CHECK_FALSE(fs::exists(box.path("out/small/tune.json")));
}
