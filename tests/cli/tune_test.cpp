// `squall tune` end to end: --vary parsing and its errors, grid and random search, --jobs independence, the
// recommendation with its hold-out seeds, the no-candidate case, and the printed --set line reproducing a candidate.
#include <set>

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "tests/cli/cli_harness.hpp"

using namespace squall::test;
using json = nlohmann::json;

namespace {

constexpr const char* lenient_gates = R"(["goodput.ratio > 0.5", "latency_ms.p99 < 2000"])";
constexpr const char* two_params =
    "--vary policy.breaker.failure_threshold=3,8 --vary policy.breaker.open_ms=1000..3000/3";

json tune_json(const cli_sandbox& box, const std::string& out = "out", const std::string& name = "small") {
  return json::parse(read_file(box.path(out + "/" + name + "/tune.json")));
}

// The line after "paste after `squall run ...`:" in the console output.
std::string pasted_flags(const std::string& out) {
  const std::size_t at = out.find("paste after");
  if (at == std::string::npos) return "";
  const std::size_t begin = out.find('\n', at) + 1;
  std::string line = out.substr(begin, out.find('\n', begin) - begin);
  return line.substr(line.find_first_not_of(' '));
}

}  // namespace

TEST_CASE("tune runs the grid of --vary lists and integer ranges") {
  cli_sandbox box;
  write_file(box.path("s.json"), small_scenario("small", lenient_gates));
  const cli_result r = box.run(std::string("tune s.json ") + two_params + " --seeds 2 --holdout 2 --jobs 2");
  INFO(r.out);
  REQUIRE(r.exit_code == 0);
  const json t = tune_json(box);
  CHECK(t["search"]["kind"] == "grid");
  CHECK(t["search"]["grid_size"] == 6);
  REQUIRE(t["candidates"].size() == 6);
  CHECK(t["parameters"][0]["values"] == json::array({3, 8}));
  CHECK(t["parameters"][1]["values"] == json::array({1000, 2000, 3000}));
  CHECK(t["parameters"][1]["values"][1].is_number_integer());
  // Grid order: the first --vary changes slowest.
  CHECK(t["candidates"][1]["overrides"] == json::array({"policy.breaker.failure_threshold=3", "policy.breaker.open_ms=2000"}));
  CHECK(t["candidates"][3]["values"]["policy.breaker.failure_threshold"] == 8);
  for (const auto& c : t["candidates"]) {
    CHECK(c["seeds"] == 2);
    CHECK(c["metrics"]["goodput.ratio"]["count"] == 2);
    CHECK(c["gates"].size() == 2);
  }
  CHECK(read_file(box.path("out/small/tune.md")).find("squall tune: small") != std::string::npos);
  const std::string html = read_file(box.path("out/small/tune.html"));
  CHECK(html.find("<svg") != std::string::npos);
  CHECK(html.find("plot-chosen") != std::string::npos);
  CHECK(html.find("heat-") != std::string::npos);
}

TEST_CASE("tune: an invalid --vary value names its path and exits 2 before anything runs") {
  cli_sandbox box;
  write_file(box.path("s.json"), small_scenario("small", lenient_gates));
  cli_result r = box.run("tune s.json --vary policy.breaker.failure_threshold=0,5 --seeds 2");
  CHECK(r.exit_code == 2);
  CHECK_THAT(r.out, Catch::Contains("--vary policy.breaker.failure_threshold=0 gives no valid scenario"));
  CHECK_THAT(r.out, Catch::Contains("policy.breaker.failure_threshold:"));
  CHECK_FALSE(fs::exists(box.path("out/small/tune.json")));

  r = box.run("tune s.json --vary policy.breaker.failur_threshold=3,5");
  CHECK(r.exit_code == 2);
  CHECK_THAT(r.out, Catch::Contains("policy.breaker.failur_threshold"));
  CHECK_THAT(r.out, Catch::Contains("failure_threshold"));  // the did-you-mean hint

  r = box.run("tune s.json --vary policy.breaker.open_ms=1000..3000");
  CHECK(r.exit_code == 2);
  CHECK_THAT(r.out, Catch::Contains("needs a count"));

  r = box.run("tune s.json --vary policy.breaker.open_ms=1000,1000");
  CHECK(r.exit_code == 2);
  CHECK_THAT(r.out, Catch::Contains("listed twice"));

  r = box.run("tune s.json --vary seed=1,2");
  CHECK(r.exit_code == 2);
  CHECK_THAT(r.out, Catch::Contains("cannot be varied"));

  r = box.run("tune s.json --vary policy.breaker.open_ms=1000,2000 --set policy.breaker.open_ms=500");
  CHECK(r.exit_code == 2);
  CHECK_THAT(r.out, Catch::Contains("--set policy.breaker.open_ms=500 and --vary policy.breaker.open_ms change the "
                                    "same field"));

  r = box.run("tune s.json --vary policy.breaker.open_ms=1000,2000 --objective 'max goodput'");
  CHECK(r.exit_code == 2);
  CHECK_THAT(r.out, Catch::Contains("not a report metric"));

  r = box.run("tune s.json");
  CHECK(r.exit_code == 2);
  CHECK_THAT(r.out, Catch::Contains("--vary"));
}

TEST_CASE("tune: combinations that are invalid only together are skipped and listed") {
  cli_sandbox box;
  write_file(box.path("s.json"), small_scenario("small", lenient_gates));
  // faults[0].to_s=45 is valid with duration_s=60 but not with duration_s=30.
  const cli_result r = box.run("tune s.json --vary duration_s=30,60 --vary 'faults[0].to_s=15,45' --seeds 1 --holdout 1");
  INFO(r.out);
  REQUIRE(r.exit_code == 0);
  const json t = tune_json(box);
  CHECK(t["search"]["skipped"] == 1);
  CHECK(t["candidates"][1]["skipped"].get<std::string>().find("faults[0].to_s") != std::string::npos);
  CHECK(t["candidates"][1]["rank"] == 4);
  CHECK_THAT(r.out, Catch::Contains("Skipped 1 of 4 candidates"));
}

TEST_CASE("tune: a grid over 10000 candidates is refused with a hint") {
  cli_sandbox box;
  write_file(box.path("s.json"), small_scenario("small", lenient_gates));
  const cli_result r = box.run(
      "tune s.json --vary policy.breaker.failure_threshold=1..100/100 --vary policy.breaker.open_ms=1000..100000/100 "
      "--vary policy.timeout_ms=100..200/2");
  CHECK(r.exit_code == 2);
  CHECK_THAT(r.out, Catch::Contains("20000 candidates"));
  CHECK_THAT(r.out, Catch::Contains("--search random --budget N"));
  const cli_result many = box.run(
      "tune s.json --vary policy.breaker.failure_threshold=1..100/100 --vary policy.breaker.open_ms=1000..100000/100 "
      "--search random --budget 10000 --seeds 1000");
  CHECK(many.exit_code == 2);
  CHECK_THAT(many.out, Catch::Contains("10000000 runs, more than 1000000"));
}

TEST_CASE("tune: random search draws the same distinct candidates every time") {
  cli_sandbox box;
  write_file(box.path("s.json"), small_scenario("small", lenient_gates));
  const std::string args =
      "tune s.json --vary policy.breaker.failure_threshold=2..9/8 --vary policy.breaker.open_ms=1000..5000/5 "
      "--search random --budget 4 --seeds 1 --holdout 1 --quiet";
  REQUIRE(box.run(args + " --out a").exit_code == 0);
  REQUIRE(box.run(args + " --out b").exit_code == 0);
  CHECK(read_file(box.path("a/small/tune.json")) == read_file(box.path("b/small/tune.json")));
  const json t = tune_json(box, "a");
  CHECK(t["search"]["kind"] == "random");
  CHECK(t["search"]["grid_size"] == 40);
  REQUIRE(t["candidates"].size() == 4);
  std::set<std::uint64_t> drawn;
  for (const auto& c : t["candidates"]) drawn.insert(c["grid_index"].get<std::uint64_t>());
  CHECK(drawn.size() == 4);
  CHECK(*drawn.rbegin() < 40);

  CHECK(box.run("tune s.json --vary policy.breaker.open_ms=1000,2000 --search random").exit_code == 2);
  CHECK(box.run("tune s.json --vary policy.breaker.open_ms=1000,2000 --budget 2").exit_code == 2);
  CHECK(box.run("tune s.json --vary policy.breaker.open_ms=1000,2000 --search best").exit_code == 2);
}

TEST_CASE("tune results do not depend on --jobs: byte-identical tune.json") {
  cli_sandbox box;
  write_file(box.path("s.json"), small_scenario("small", R"(["goodput.ratio > 0.8", "breaker.flaps_per_hour <= 200"])"));
  const std::string args = std::string("tune s.json ") + two_params + " --seeds 3 --holdout 2 --quiet";
  const int a = box.run(args + " --jobs 1 --out a").exit_code;
  const int b = box.run(args + " --jobs 2 --out b").exit_code;
  const int c = box.run(args + " --jobs 5 --out c").exit_code;
  CHECK(a == b);
  CHECK(a == c);
  const std::string ja = read_file(box.path("a/small/tune.json"));
  CHECK(ja.size() > 1000);
  CHECK(ja == read_file(box.path("b/small/tune.json")));
  CHECK(ja == read_file(box.path("c/small/tune.json")));
  CHECK(read_file(box.path("a/small/tune.html")) == read_file(box.path("b/small/tune.html")));
}

TEST_CASE("tune: the recommendation passes every gate and the hold-out seeds are counted") {
  cli_sandbox box;
  write_file(box.path("s.json"), small_scenario("small", lenient_gates));
  const cli_result r = box.run(std::string("tune s.json ") + two_params + " --seeds 2 --holdout 3 --objective 'max goodput.ratio'");
  INFO(r.out);
  REQUIRE(r.exit_code == 0);
  const json t = tune_json(box);
  REQUIRE(t["recommendation"].is_object());
  const auto id = t["recommendation"]["id"].get<std::size_t>();
  const json& c = t["candidates"][id - 1];
  CHECK(c["passes_all"] == true);
  CHECK(c["rank"] == 1);
  for (const auto& g : c["gates"]) CHECK(g["pass_share"] == 1.0);
  CHECK(t["holdout"]["seeds"] == 3);
  CHECK(t["holdout"]["first_seed"] == 5 + 2);  // after the tuning seeds 5 and 6
  CHECK(t["holdout"]["passed"] == 3);
  CHECK(t["verdict"] == "pass");
  CHECK_THAT(r.out, Catch::Contains("Hold-out: 3 of 3 fresh seeds (7..9, not used for tuning) passed every gate"));
  CHECK_THAT(read_file(box.path("out/small/tune.md")), Catch::Contains("Hold-out: 3 of 3 fresh seeds"));
  CHECK_THAT(r.out, Catch::Contains("or into the scenario:"));
  CHECK_THAT(r.out, Catch::Contains(R"({"policy":{"breaker":{)"));
}

TEST_CASE("tune: when no candidate passes it says so, shows the closest one and exits 1") {
  cli_sandbox box;
  write_file(box.path("s.json"), small_scenario("small", R"(["latency_ms.p99 < 1"])"));
  const cli_result r = box.run(std::string("tune s.json ") + two_params + " --seeds 2");
  INFO(r.out);
  CHECK(r.exit_code == 1);
  CHECK_THAT(r.out, Catch::Contains("No candidate passes every gate in every tuning seed."));
  CHECK_THAT(r.out, Catch::Contains("Closest candidate: #"));
  CHECK_THAT(r.out, Catch::Contains("--set policy.breaker.failure_threshold="));
  const json t = tune_json(box);
  CHECK(t["recommendation"].is_null());
  CHECK(t["closest"].is_object());
  CHECK(t["holdout"].is_null());
  CHECK(t["verdict"] == "no-candidate-passes");
}

TEST_CASE("tune: the printed --set line reproduces the candidate with squall run") {
  cli_sandbox box;
  write_file(box.path("s.json"), small_scenario("small", lenient_gates));
  const cli_result r = box.run(std::string("tune s.json ") + two_params + " --seeds 2 --holdout 1 --set duration_s=40");
  INFO(r.out);
  REQUIRE(r.exit_code == 0);
  const std::string flags = pasted_flags(r.out);
  CHECK_THAT(flags, Catch::StartsWith("--set duration_s=40 --set policy.breaker.failure_threshold="));
  const json t = tune_json(box);
  const auto id = t["recommendation"]["id"].get<std::size_t>();
  const json& c = t["candidates"][id - 1];
  REQUIRE(box.run("run s.json --seeds 2 --out rerun --quiet " + flags).exit_code == 0);
  const json seeds = json::parse(read_file(box.path("rerun/small/seeds.json")));
  CHECK(seeds["metrics"]["goodput.ratio"]["mean"] == c["metrics"]["goodput.ratio"]["mean"]);
  CHECK(seeds["metrics"]["latency_ms.p99"]["max"] == c["metrics"]["latency_ms.p99"]["worst"]);
}
