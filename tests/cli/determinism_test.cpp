// Same scenario + seed ⇒ byte-identical history and report; another seed ⇒ another history.
#include <catch2/catch.hpp>

#include "tests/cli/cli_harness.hpp"

using namespace squall::test;

TEST_CASE("the same scenario and seed give byte-identical history.jsonl and report.json") {
  cli_sandbox box;
  write_file(box.path("s.json"), small_scenario());
  REQUIRE(box.run("run s.json --out a --history a.jsonl --quiet").exit_code == 0);
  REQUIRE(box.run("run s.json --out b --history b.jsonl --quiet").exit_code == 0);
  const std::string history_a = read_file(box.path("a.jsonl"));
  CHECK(history_a.size() > 100000);  // a real history, not an empty file
  CHECK(history_a == read_file(box.path("b.jsonl")));
  CHECK(read_file(box.path("a/small/report.json")) == read_file(box.path("b/small/report.json")));
  CHECK(read_file(box.path("a/small/report.html")) == read_file(box.path("b/small/report.html")));
}

TEST_CASE("parallel runs do not change results: --jobs 1 and --jobs 2 write the same reports") {
  cli_sandbox box;
  write_file(box.path("s.json"), small_scenario());
  REQUIRE(box.run("run s.json --out a --seeds 4 --jobs 1 --quiet").exit_code == 0);
  REQUIRE(box.run("run s.json --out b --seeds 4 --jobs 2 --quiet").exit_code == 0);
  CHECK(read_file(box.path("a/small/seeds.json")) == read_file(box.path("b/small/seeds.json")));
}

TEST_CASE("a different seed gives a different history") {
  cli_sandbox box;
  write_file(box.path("s.json"), small_scenario());
  REQUIRE(box.run("run s.json --out a --history a.jsonl --quiet --seed 1").exit_code == 0);
  REQUIRE(box.run("run s.json --out b --history b.jsonl --quiet --seed 2").exit_code == 0);
  CHECK(read_file(box.path("a.jsonl")) != read_file(box.path("b.jsonl")));
}
