// The CLI contract: exit codes, files written (and not written), help, check, validate.
#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "tests/cli/cli_harness.hpp"

using namespace squall::test;
using nlohmann::json;

TEST_CASE("run: exit 0 when every gate passes, reports written") {
  cli_sandbox box;
  write_file(box.path("s.json"), small_scenario("small", R"(["requests.originals > 1000"])"));
  const auto r = box.run("run s.json --out out --quiet");
  INFO(r.out);
  CHECK(r.exit_code == 0);
  CHECK(fs::exists(box.path("out/small/report.json")));
  CHECK(fs::exists(box.path("out/small/report.md")));
  CHECK(fs::exists(box.path("out/small/report.html")));
  const json report = json::parse(read_file(box.path("out/small/report.json")));
  CHECK(report["gates"][0]["passed"] == true);
  CHECK(report["requests"]["originals"].get<double>() > 1000);
}

TEST_CASE("run: exit 1 when a gate fails, and JUnit has one testcase per gate with a failure") {
  cli_sandbox box;
  write_file(box.path("s.json"), small_scenario("small", R"(["requests.originals > 1000", "goodput.ratio > 1.5"])"));
  const auto r = box.run("run s.json --out out --junit gates.xml --markdown summary.md");
  INFO(r.out);
  CHECK(r.exit_code == 1);
  const std::string junit = read_file(box.path("gates.xml"));
  CHECK(junit.find("goodput.ratio &gt; 1.5") != std::string::npos);
  CHECK(junit.find("<failure") != std::string::npos);
  std::size_t cases = 0;
  for (std::size_t at = junit.find("<testcase"); at != std::string::npos; at = junit.find("<testcase", at + 1)) ++cases;
  CHECK(cases == 2);
  CHECK(read_file(box.path("summary.md")).find("small") != std::string::npos);
  CHECK(r.out.find("repro: squall run s.json --seed 5") != std::string::npos);
}

TEST_CASE("run: a scenario expected to fail passes the suite when its gates fail, and fails it when they pass") {
  cli_sandbox box;
  std::string failing = small_scenario("demo", R"(["goodput.ratio > 1.5"])");
  failing.insert(failing.find("\"seed\""), "\"expect\": \"fail\", ");
  write_file(box.path("demo.json"), failing);
  CHECK(box.run("run demo.json --out out --quiet").exit_code == 0);

  std::string passing = small_scenario("demo2", R"(["goodput.ratio > 0.1"])");
  passing.insert(passing.find("\"seed\""), "\"expect\": \"fail\", ");
  write_file(box.path("demo2.json"), passing);
  const auto r = box.run("run demo2.json --out out");
  INFO(r.out);
  CHECK(r.exit_code == 1);
  CHECK(r.out.find("unexpected-pass") != std::string::npos);
}

TEST_CASE("run --set overrides fields through the same validation") {
  cli_sandbox box;
  write_file(box.path("s.json"), small_scenario());
  CHECK(box.run("run s.json --out out --quiet --set duration_s=20").exit_code == 0);
  const json report = json::parse(read_file(box.path("out/small/report.json")));
  CHECK(report["duration_s"].get<double>() == 20.0);
  CHECK(report["repro"].get<std::string>().find("--set duration_s=20") != std::string::npos);

  const auto bad = box.run("run s.json --out out2 --set policy.breaker.open_ms=-5");
  CHECK(bad.exit_code == 2);
  CHECK(bad.out.find("policy.breaker.open_ms") != std::string::npos);
  CHECK_FALSE(fs::exists(box.path("out2")));
}

TEST_CASE("run --seeds K aggregates K seeds and names the worst seed's repro") {
  cli_sandbox box;
  write_file(box.path("s.json"), small_scenario("small", R"(["requests.originals > 1000"])"));
  const auto r = box.run("run s.json --out out --seeds 3 --jobs 2");
  INFO(r.out);
  CHECK(r.exit_code == 0);
  const json seeds = json::parse(read_file(box.path("out/small/seeds.json")));
  CHECK(seeds.dump().find("--seed") != std::string::npos);
  CHECK(r.out.find("3 seeds") != std::string::npos);
}

TEST_CASE("validate: ok files exit 0, a broken one exits 2 naming the path") {
  cli_sandbox box;
  write_file(box.path("good.json"), small_scenario());
  std::string broken = small_scenario();
  broken.replace(broken.find("\"capacity\": 16"), 14, "\"capacity\": -3");
  write_file(box.path("bad.json"), broken);
  CHECK(box.run("validate good.json").exit_code == 0);
  const auto r = box.run("validate good.json bad.json");
  CHECK(r.exit_code == 2);
  CHECK(r.out.find("dependencies.api.capacity") != std::string::npos);
}

TEST_CASE("usage errors exit 2, --help exits 0 and teaches by example") {
  cli_sandbox box;
  CHECK(box.run("").exit_code == 2);
  CHECK(box.run("frobnicate").exit_code == 2);
  CHECK(box.run("run missing.json").exit_code == 2);
  CHECK(box.run("run --seeds 0 x.json").exit_code == 2);
  const auto help = box.run("run --help");
  CHECK(help.exit_code == 0);
  CHECK(help.out.find("Examples:") != std::string::npos);
  CHECK(help.out.find("--junit") != std::string::npos);
}

TEST_CASE("check: a recorded history gives back the same report, --gates replaces the gates") {
  cli_sandbox box;
  write_file(box.path("s.json"), small_scenario("small", R"(["requests.originals > 1000"])"));
  REQUIRE(box.run("run s.json --out run --history h.jsonl --quiet").exit_code == 0);
  REQUIRE(box.run("check h.jsonl --out checked --quiet").exit_code == 0);
  CHECK(read_file(box.path("checked/report.json")) == read_file(box.path("run/small/report.json")));

  const auto gated = box.run("check h.jsonl --gates 'goodput.ratio > 1.5'");
  CHECK(gated.exit_code == 1);
  CHECK(gated.out.find("\"goodput.ratio > 1.5\"") != std::string::npos);

  write_file(box.path("corrupt.jsonl"), read_file(box.path("h.jsonl")).substr(0, 2000) + "\n{not json\n");
  const auto corrupt = box.run("check corrupt.jsonl");
  CHECK(corrupt.exit_code == 2);
  CHECK(corrupt.out.find("line") != std::string::npos);
}

TEST_CASE("unusable output paths are refused before running (exit 2)") {
  cli_sandbox box;
  write_file(box.path("s.json"), small_scenario());
  fs::create_directories(box.path("adir"));
  const auto history = box.run("run s.json --out out --history adir");
  CHECK(history.exit_code == 2);
  CHECK(history.out.find("is a directory") != std::string::npos);
  const auto junit = box.run("run s.json --out out --junit nowhere/gates.xml");
  CHECK(junit.exit_code == 2);
  CHECK(junit.out.find("does not exist") != std::string::npos);
  write_file(box.path("afile"), "x");
  const auto out = box.run("run s.json --out afile/sub");
  CHECK(out.exit_code == 2);
  CHECK_FALSE(fs::exists(box.path("out/small/report.json")));
}

TEST_CASE("run: --set may come before the scenario files and be repeated") {
  cli_sandbox box;
  write_file(box.path("s.json"), small_scenario());
  const auto r = box.run("run --set duration_s=20 --set seed=9 s.json --out out --quiet");
  INFO(r.out);
  CHECK(r.exit_code == 0);
  const auto report = nlohmann::json::parse(read_file(box.path("out/small/report.json")));
  CHECK(report["duration_s"].get<double>() == 20.0);
  CHECK(report["seed"] == 9);
}
