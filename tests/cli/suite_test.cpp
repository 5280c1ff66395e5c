// The example suite keeps its promises: fixed scenarios pass their gates, the ones that demonstrate a failure
// mode fail theirs, for the seeds in the files and for the next ones.
#include <catch2/catch.hpp>

#include "tests/cli/cli_harness.hpp"

using namespace squall::test;

TEST_CASE("the example suite keeps its promises across 3 seeds per scenario") {
  cli_sandbox box;
  const std::string scenarios = std::string(SQUALL_SOURCE_DIR) + "/scenarios/*.json";
  // As scripts/demo.sh runs it: JUnit and Markdown inside the --out folder, which does not exist yet.
  const auto r = box.run("run " + scenarios + " --out out --seeds 3 --junit out/gates.xml --markdown out/summary.md");
  INFO(r.out);
  CHECK(r.exit_code == 0);
  CHECK(r.out.find("expected-fail") != std::string::npos);  // the unsafe ones did fail their gates
  CHECK(r.out.find("unexpected-pass") == std::string::npos);
  CHECK(fs::exists(box.path("out/storm-hour/report.html")));
  CHECK(fs::exists(box.path("out/retry-storm-no-budget/seeds.json")));
  CHECK(fs::exists(box.path("out/gates.xml")));
  CHECK(fs::exists(box.path("out/summary.md")));
}
