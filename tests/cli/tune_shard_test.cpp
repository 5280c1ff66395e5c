// `squall tune --shard i/N` + `squall merge`: shards split the tuning runs (candidate x seed), the merge scores
// them, runs the hold-out and writes exactly what one machine would have; mismatched or incomplete shards exit 2.
#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "tests/cli/cli_harness.hpp"

using namespace squall::test;
using json = nlohmann::json;

namespace {

constexpr const char* gates = R"(["goodput.ratio > 0.5", "latency_ms.p99 < 2000"])";
// 2 x 3 = 6 candidates x 4 seeds = 24 tuning runs, then 3 hold-out seeds.
constexpr const char* tune_args =
    "tune s.json --vary policy.breaker.failure_threshold=3,8 --vary policy.breaker.open_ms=1000..3000/3 --seeds 4 "
    "--holdout 3 --objective 'max goodput.ratio'";

struct tune_box {
  cli_sandbox box;
  tune_box() { write_file(box.path("s.json"), small_scenario("small", gates)); }
  cli_result tune(const std::string& extra) const { return box.run(std::string(tune_args) + " " + extra); }
  std::string file(const std::string& out, const std::string& name) const {
    return read_file(box.path(out + "/small/" + name));
  }
};

}  // namespace

TEST_CASE("three tune shards merged are byte-identical to one machine's tune, hold-out included") {
  tune_box b;
  const cli_result single = b.tune("--out single --quiet --markdown single.md");
  INFO(single.out);
  REQUIRE(single.exit_code == 0);
  REQUIRE(json::parse(b.file("single", "tune.json"))["holdout"]["seeds"] == 3);
  for (int i = 1; i <= 3; ++i) {
    const std::string shard = std::to_string(i) + "/3";
    const cli_result r = b.tune("--shard " + shard + " --out shard-" + std::to_string(i) + " --jobs " +
                                std::to_string(i % 2 + 1));
    INFO(r.out);
    CHECK(r.exit_code == 0);  // a shard has no verdict: the merge gives it
    CHECK_THAT(r.out, Catch::Contains("tune shard " + shard + " of 'small': 8 of 24 runs"));
    REQUIRE(b.tune("--shard " + shard + " --out shared --quiet").exit_code == 0);
  }
  const json manifest = json::parse(b.file("shard-2", "tune-shard-2-of-3.json"));
  CHECK(manifest["cells"] == 24);
  CHECK(manifest["shard_cells"] == 8);
  CHECK(manifest["command"] == json::parse(b.file("single", "tune.json"))["command"]);
  // Cells k % 3 == 1, in order: 1, 4, 7, ...
  const std::string runs = b.file("shard-2", "tune-shard-2-of-3.runs.jsonl");
  CHECK(json::parse(runs.substr(0, runs.find('\n')))["cell"] == 1);
  CHECK_FALSE(fs::exists(b.box.path("shard-2/small/tune.json")));

  const cli_result merged = b.box.run("merge shard-1 shard-2 shard-3 --out merged --markdown merged.md --jobs 2");
  INFO(merged.out);
  CHECK(merged.exit_code == single.exit_code);
  CHECK_THAT(merged.out, Catch::Contains("Hold-out: 3 of 3 fresh seeds"));
  REQUIRE(b.box.run("merge shard-3 shard-1 shard-2 --out reordered --quiet --jobs 1").exit_code == 0);
  REQUIRE(b.box.run("merge shared --out shared --quiet").exit_code == 0);
  for (const char* name : {"tune.json", "tune.md", "tune.html"}) {
    INFO(name);
    CHECK(b.file("merged", name) == b.file("single", name));
    CHECK(b.file("reordered", name) == b.file("single", name));
    CHECK(b.file("shared", name) == b.file("single", name));
  }
  CHECK(read_file(b.box.path("merged.md")) == read_file(b.box.path("single.md")));
}

TEST_CASE("tune merge refuses shards of different tunes, a missing shard, a changed scenario and broken runs (exit 2)") {
  tune_box b;
  REQUIRE(b.tune("--shard 1/2 --out a1 --quiet").exit_code == 0);
  REQUIRE(b.tune("--shard 2/2 --out a2 --quiet").exit_code == 0);
  REQUIRE(b.tune("--goodput-floor 0.8 --shard 2/2 --out other --quiet").exit_code == 0);

  cli_result r = b.box.run("merge a1 other --out m");
  INFO(r.out);
  CHECK(r.exit_code == 2);
  CHECK_THAT(r.out, Catch::Contains("come from different tunes") && Catch::Contains("--goodput-floor: 0.9 vs 0.8"));

  r = b.box.run("merge a1 --out m");
  CHECK(r.exit_code == 2);
  CHECK_THAT(r.out, Catch::Contains("missing shard 2/2"));

  // The merge reads the scenario again (candidates, hold-out): it must be the text the shards ran.
  const std::string original = read_file(b.box.path("s.json"));
  write_file(b.box.path("s.json"), small_scenario("small", R"(["goodput.ratio > 0.6"])"));
  r = b.box.run("merge a1 a2 --out m");
  CHECK(r.exit_code == 2);
  CHECK_THAT(r.out, Catch::Contains("s.json is not the scenario the shards ran"));
  write_file(b.box.path("s.json"), original);

  const fs::path runs = b.box.path("a2/small/tune-shard-2-of-2.runs.jsonl");
  const std::string lines = read_file(runs);
  write_file(runs, lines.substr(0, lines.find('\n') + 1));
  r = b.box.run("merge a1 a2 --out m");
  CHECK(r.exit_code == 2);
  CHECK_THAT(r.out, Catch::Contains("tune-shard-2-of-2.runs.jsonl: line 2") && Catch::Contains("ends early"));
  CHECK_FALSE(fs::exists(b.box.path("m/small/tune.json")));

  write_file(runs, lines);
  r = b.box.run("merge a1 a2 --out m --quiet");
  CHECK(r.exit_code == 0);
  CHECK(fs::exists(b.box.path("m/small/tune.json")));
}

TEST_CASE("tune --shard: a malformed shard or --markdown on a shard exits 2 before running") {
  tune_box b;
  for (const char* bad : {"--shard 0/3", "--shard 4/3", "--shard x", "--shard 1/2 --markdown m.md"}) {
    const cli_result r = b.tune(std::string(bad) + " --out bad");
    INFO(bad << "\n" << r.out);
    CHECK(r.exit_code == 2);
    CHECK_FALSE(fs::exists(b.box.path("bad/small/tune-shard-1-of-2.json")));
  }
}
