// Bad input: each broken scenario exits 2 with a message naming the JSON path, and leaves no report behind.
#include <catch2/catch.hpp>

#include "tests/cli/cli_harness.hpp"

using namespace squall::test;

namespace {

std::string replace_once(std::string s, const std::string& from, const std::string& to) {
  const auto at = s.find(from);
  REQUIRE(at != std::string::npos);
  return s.replace(at, from.size(), to);
}

struct broken_case {
  const char* what;
  std::string content;
  const char* expected_in_message;
};

}  // namespace

TEST_CASE("broken scenarios exit 2, name the path, and write no report") {
  const std::string good = small_scenario();
  const std::vector<broken_case> cases = {
      {"unknown key", replace_once(good, "\"workers\"", "\"workerz\""), "workload: unknown key 'workerz'"},
      {"typo in a fault kind", replace_once(good, "\"error_storm\"", "\"eror_storm\""), "faults[0].kind"},
      {"negative rate", replace_once(good, "\"rate_per_s\": 200", "\"rate_per_s\": -200"), "workload.arrivals.rate_per_s"},
      {"to_s before from_s", replace_once(good, "\"to_s\": 15", "\"to_s\": 5"), "faults[0].to_s"},
      {"wrong type", replace_once(good, "\"workers\": 64", "\"workers\": \"many\""), "workload.workers"},
      {"missing required field", replace_once(good, "\"timeout_ms\": 200,", ""), "policy"},
      {"non-JSON", good.substr(0, good.size() / 2), "JSON"},
      {"empty file", "", "empty"},
      {"deeply nested arrays", std::string(100000, '['), "deep"},
  };
  for (const auto& c : cases) {
    cli_sandbox box;
    write_file(box.path("bad.json"), c.content);
    const auto r = box.run("run bad.json --out out --junit gates.xml");
    INFO(c.what << ": " << r.out);
    CHECK(r.exit_code == 2);
    CHECK(r.out.find(c.expected_in_message) != std::string::npos);
    CHECK_FALSE(fs::exists(box.path("out")));
    CHECK_FALSE(fs::exists(box.path("gates.xml")));
  }
}

TEST_CASE("a 100 MB file is rejected before it is read") {
  cli_sandbox box;
  {
    std::ofstream f(box.path("huge.json"));
    f << "{";
  }
  fs::resize_file(box.path("huge.json"), 100u * 1024 * 1024);  // sparse: no 100 MB written
  const auto r = box.run("run huge.json --out out");
  INFO(r.out);
  CHECK(r.exit_code == 2);
  CHECK(r.out.find("1 MiB") != std::string::npos);
  CHECK_FALSE(fs::exists(box.path("out")));
}

TEST_CASE("one broken file among good ones: nothing runs, every error is reported") {
  cli_sandbox box;
  write_file(box.path("good.json"), small_scenario("good"));
  write_file(box.path("bad.json"), replace_once(small_scenario("bad"), "\"capacity\": 16", "\"capacity\": 0"));
  const auto r = box.run("run good.json bad.json --out out");
  CHECK(r.exit_code == 2);
  CHECK(r.out.find("dependencies.api.capacity") != std::string::npos);
  CHECK_FALSE(fs::exists(box.path("out")));
}
