// `squall sweep` and `squall merge`: distributions over seeds, gate stability, failing seeds with repro lines,
// determinism across --jobs, and sharded sweeps merged byte-identically to a single-machine sweep.
#include <algorithm>
#include <cmath>
#include <string>
#include <vector>

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "tests/cli/cli_harness.hpp"

using namespace squall::test;
using nlohmann::json;

namespace {

// retry-storm-with-budget shortened to 200 s (its latency spike runs from 60 s to 90 s): ~0.03 s a seed.
constexpr const char* short_run = " --set duration_s=200";

struct sweep_box {
  cli_sandbox box;
  sweep_box() {
    write_file(box.path("s.json"),
               read_file(std::string(SQUALL_SOURCE_DIR) + "/scenarios/retry-storm-with-budget.json"));
  }
  cli_result sweep(const std::string& args) const { return box.run("sweep s.json" + std::string(short_run) + " " + args); }
  json result(const std::string& out) const {
    return json::parse(read_file(box.path(out + "/retry-storm-with-budget/sweep.json")));
  }
  std::string file(const std::string& out, const std::string& name) const {
    return read_file(box.path(out + "/retry-storm-with-budget/" + name));
  }
};

std::vector<double> numbers(const json& values) {
  std::vector<double> out;
  for (const auto& v : values)
    if (v.is_number()) out.push_back(v.get<double>());
  return out;
}

// Nearest rank, as docs/sweep-and-sharding.md defines it, computed independently of the implementation.
double percentile(std::vector<double> v, int p) {
  std::sort(v.begin(), v.end());
  const auto rank = static_cast<std::size_t>(std::ceil(p * static_cast<double>(v.size()) / 100.0));
  return v[std::max<std::size_t>(rank, 1) - 1];
}

// The gate `latency_ms.p99 < (median over the seeds)`: fails in about half the seeds, whatever the model's numbers.
std::string median_gate(const json& sweep) {
  return "latency_ms.p99 < " + sweep["metrics"]["latency_ms.p99"]["p50"].dump();
}

}  // namespace

TEST_CASE("sweep writes sweep.json with per-metric distributions, gate stability and failing seeds") {
  sweep_box b;
  const auto r = b.sweep("--seeds 12 --out out");
  INFO(r.out);
  CHECK(r.exit_code == 1);  // goodput.ratio > 0.9 cannot hold when 30 of 200 s are a latency spike
  CHECK(r.out.find("12 of 12 seeds failed a gate") != std::string::npos);
  CHECK(r.out.find("squall run s.json --seed 7 --set duration_s=200") != std::string::npos);
  const json s = b.result("out");
  CHECK(s["sweep"] == 1);
  CHECK(s["scenario"] == "retry-storm-with-budget");
  CHECK(s["runs"] == 12);
  CHECK(s["base_seed"] == 7);  // the scenario's seed
  CHECK(s["seeds"].front() == 7);
  CHECK(s["seeds"].back() == 18);
  CHECK(s["command"] == "squall sweep s.json --seeds 12 --seed 7 --set duration_s=200");
  CHECK(s["verdict"] == "fail");
  CHECK(s["metrics"].size() > 60);  // every known metric, with or without a value

  int checked = 0;
  for (const auto& [path, m] : s["metrics"].items()) {
    INFO(path);
    if (m["count"] == 0) {
      CHECK(m["p50"].is_null());
      continue;
    }
    REQUIRE(m["count"] == 12);
    if (s["values"].contains(path)) {  // key metrics keep every seed's value: the percentiles are nearest-rank
      const std::vector<double> v = numbers(s["values"][path]);
      REQUIRE(v.size() == 12);
      CHECK(m["p5"].get<double>() == percentile(v, 5));
      CHECK(m["p50"].get<double>() == percentile(v, 50));
      CHECK(m["p95"].get<double>() == percentile(v, 95));
      ++checked;
    }
    CHECK(m["min"].get<double>() <= m["p5"].get<double>());
    CHECK(m["p5"].get<double>() <= m["p50"].get<double>());
    CHECK(m["p50"].get<double>() <= m["p95"].get<double>());
    CHECK(m["p95"].get<double>() <= m["max"].get<double>());
    if (m["better"] == "lower") CHECK(m["worst"] == m["max"]);
    if (m["better"] == "higher") CHECK(m["worst"] == m["min"]);
    if (m["better"].is_null()) CHECK(m["worst"].is_null());
  }
  CHECK(checked >= 5);
  CHECK(s["metrics"]["goodput.ratio"]["better"] == "higher");
  CHECK(s["metrics"]["latency_ms.p99"]["better"] == "lower");
  CHECK(s["metrics"]["requests.originals"]["better"].is_null());

  REQUIRE(s["gates"].size() == 4);
  for (const auto& g : s["gates"]) {
    INFO(g.dump());
    CHECK(g["passed"].get<int>() + g["failed"].get<int>() + g["unknown"].get<int>() == 12);
    CHECK(g["stability"] == (g["passed"] == 12 ? "stable" : g["passed"] == 0 ? "failing" : "flaky"));
  }
  CHECK(s["gates"][2]["expr"] == "goodput.ratio > 0.9");
  CHECK(s["gates"][2]["stability"] == "failing");
  REQUIRE(s["failing_seeds"].size() == 12);
  CHECK(s["failing_seeds"][0]["seed"] == 7);
  CHECK(s["failing_seeds"][0]["failed_gates"] == json::array({"goodput.ratio > 0.9"}));
  CHECK(s["failing_seeds"][0]["repro"] == "squall run s.json --seed 7 --set duration_s=200");

  const std::string md = b.file("out", "sweep.md");
  CHECK(md.find("| `goodput.ratio` |") != std::string::npos);
  CHECK(md.find("| `goodput.ratio > 0.9` | failing | 0 | 12 | 0 | 0 |") != std::string::npos);
  CHECK(md.find("**Failing seeds** (12 of 12)") != std::string::npos);
  CHECK(md.find("- seed 7: `squall run s.json --seed 7 --set duration_s=200` — `goodput.ratio > 0.9`") !=
        std::string::npos);
  const std::string html = b.file("out", "sweep.html");
  CHECK(html.find("<svg") != std::string::npos);
  CHECK(html.find("class=\"plot-bar\"") != std::string::npos);  // histograms over seeds
  CHECK(html.find("breaker flaps per hour: 0 in every seed.") != std::string::npos);  // no breaker: no histogram
  CHECK(html.find("Gate stability") != std::string::npos);
  CHECK(html.find("<script") == std::string::npos);
  CHECK(html.find("http") == std::string::npos);  // self-contained
}

TEST_CASE("sweep lists exactly the seeds that fail a gate, each with a repro line that reproduces it") {
  sweep_box b;
  REQUIRE(b.sweep("--seeds 12 --out base --quiet --set 'gates=[\"latency_ms.p99 < 100000\"]'").exit_code == 0);
  const json base = b.result("base");
  CHECK(base["verdict"] == "pass");
  CHECK(base["failing_seeds"].empty());
  CHECK(base["gates"][0]["stability"] == "stable");

  const std::string gate = median_gate(base);
  const double threshold = base["metrics"]["latency_ms.p99"]["p50"].get<double>();
  const auto r = b.sweep("--seeds 12 --out tight --set 'gates=[\"" + gate + "\"]' --markdown pr.md");
  INFO(r.out);
  CHECK(r.exit_code == 1);
  const json s = b.result("tight");
  CHECK(s["verdict"] == "fail");
  CHECK(s["gates"][0]["stability"] == "flaky");
  std::vector<json> expected;
  for (std::size_t k = 0; k < 12; ++k) {
    if (s["values"]["latency_ms.p99"][k].get<double>() >= threshold) expected.push_back(s["seeds"][k]);
  }
  REQUIRE(s["failing_seeds"].size() == expected.size());
  CHECK(expected.size() >= 6);  // nearest-rank p50 of 12 is the 6th value: the 6th..12th fail
  for (std::size_t i = 0; i < expected.size(); ++i) {
    const json& f = s["failing_seeds"][i];
    CHECK(f["seed"] == expected[i]);
    CHECK(f["verdict"] == "fail");
    CHECK(f["failed_gates"] == json::array({gate}));
    const std::string repro = f["repro"];
    CHECK(repro.rfind("squall run s.json --seed " + expected[i].dump() + " --set duration_s=200 --set ", 0) == 0);
  }
  CHECK(s["gates"][0]["failed"] == expected.size());
  CHECK(read_file(b.box.path("pr.md")) == b.file("tight", "sweep.md"));

  // The first failing seed's repro line fails the same gate on its own.
  const std::string repro = s["failing_seeds"][0]["repro"];
  const auto rerun = b.box.run(repro.substr(std::string("squall ").size()) + " --out rerun --quiet");
  CHECK(rerun.exit_code == 1);
}

TEST_CASE("sweep of an expect fail scenario passes only when every seed fails, and names the seeds that passed") {
  sweep_box b;
  const auto all_fail = b.sweep("--seeds 12 --out all --quiet --set expect=fail");
  CHECK(all_fail.exit_code == 0);  // goodput.ratio > 0.9 fails in every seed: the failure is demonstrated
  const json s = b.result("all");
  CHECK(s["verdict"] == "expected-fail");
  CHECK(s["expect"] == "fail");
  CHECK(s["unexpected_passes"].empty());

  const std::string gate = median_gate(s);
  const auto some = b.sweep("--seeds 12 --out some --set expect=fail --set 'gates=[\"" + gate + "\"]'");
  INFO(some.out);
  CHECK(some.exit_code == 1);
  CHECK(some.out.find("unexpected pass") != std::string::npos);
  const json t = b.result("some");
  CHECK(t["verdict"] == "unexpected-pass");
  CHECK(t["unexpected_passes"].size() + t["failing_seeds"].size() == 12);
  CHECK(t["unexpected_passes"].size() >= 1);
  CHECK(t["unexpected_passes"][0]["repro"].get<std::string>().find("--seed ") != std::string::npos);
  CHECK(b.file("some", "sweep.md").find("passed although the scenario expects a failure") != std::string::npos);
}

TEST_CASE("sweep results do not depend on --jobs: --jobs 1 and --jobs 2 write identical files") {
  sweep_box b;
  REQUIRE(b.sweep("--seeds 10 --jobs 1 --out j1 --quiet").exit_code == 1);
  REQUIRE(b.sweep("--seeds 10 --jobs 2 --out j2 --quiet").exit_code == 1);
  for (const char* name : {"sweep.json", "sweep.md", "sweep.html"}) {
    INFO(name);
    CHECK(b.file("j1", name) == b.file("j2", name));
  }
}

TEST_CASE("three shards merged are byte-identical to one machine's sweep over the same seeds") {
  sweep_box b;
  REQUIRE(b.sweep("--seeds 12 --out single --quiet --markdown single.md").exit_code == 1);
  for (int i = 1; i <= 3; ++i) {
    const std::string shard = std::to_string(i) + "/3";
    const auto r = b.sweep("--seeds 12 --shard " + shard + " --out shard-" + std::to_string(i) + " --jobs " +
                           std::to_string(i % 2 + 1));
    INFO(r.out);
    CHECK(r.exit_code == 1);  // its own seeds fail goodput.ratio > 0.9 too
    CHECK(r.out.find("shard " + shard) != std::string::npos);
    // Shared folder: every shard writes its manifest and seed reports into the same place.
    REQUIRE(b.sweep("--seeds 12 --shard " + shard + " --out shared --quiet").exit_code == 1);
  }
  const json manifest = json::parse(b.file("shard-2", "shard-2-of-3.json"));
  CHECK(manifest["seed_list"] == json::array({8, 11, 14, 17}));  // k % 3 == 1 of seeds 7..18
  CHECK(fs::exists(b.box.path("shard-2/retry-storm-with-budget/seeds/8.json")));
  CHECK_FALSE(fs::exists(b.box.path("shard-2/retry-storm-with-budget/seeds/7.json")));
  CHECK_FALSE(fs::exists(b.box.path("shard-2/retry-storm-with-budget/sweep.json")));

  const auto merged = b.box.run("merge shard-1 shard-2 shard-3 --out merged --markdown merged.md");
  INFO(merged.out);
  CHECK(merged.exit_code == 1);  // the sweep's verdict, as the single-machine sweep's
  REQUIRE(b.box.run("merge shard-3 shard-1 shard-2 --out reordered --quiet").exit_code == 1);
  REQUIRE(b.box.run("merge shared --out shared --quiet").exit_code == 1);
  for (const char* name : {"sweep.json", "sweep.md", "sweep.html"}) {
    INFO(name);
    CHECK(b.file("merged", name) == b.file("single", name));
    CHECK(b.file("reordered", name) == b.file("single", name));
    CHECK(b.file("shared", name) == b.file("single", name));
  }
  CHECK(std::system(("cmp -s '" + b.box.path("single/retry-storm-with-budget/sweep.json").string() + "' '" +
                     b.box.path("merged/retry-storm-with-budget/sweep.json").string() + "'").c_str()) == 0);
  CHECK(read_file(b.box.path("merged.md")) == read_file(b.box.path("single.md")));
}

TEST_CASE("merge refuses mismatched shards, a missing shard or seed report and folders without shards (exit 2)") {
  sweep_box b;
  REQUIRE(b.sweep("--seeds 6 --shard 1/2 --out a1 --quiet").exit_code == 1);
  REQUIRE(b.sweep("--seeds 6 --shard 2/2 --out a2 --quiet").exit_code == 1);
  REQUIRE(b.sweep("--seeds 8 --shard 2/2 --out seeds8 --quiet").exit_code == 1);
  REQUIRE(b.sweep("--seeds 6 --shard 2/2 --out other-set --quiet --set workload.workers=1000").exit_code == 1);
  REQUIRE(b.sweep("--seeds 6 --shard 2/3 --out three --quiet").exit_code == 1);
  REQUIRE(b.box.run("merge a1 a2 --out ok --quiet").exit_code == 1);  // the good pair merges

  struct bad_case {
    const char* args;
    const char* message;
  };
  for (const bad_case& c : {bad_case{"a1 seeds8", "--seeds: 6 vs 8"},
                            bad_case{"a1 other-set", "--set"},
                            bad_case{"a1 three", "shard count: 1/2 vs 2/3"},
                            bad_case{"a1", "missing shard 2/2"},
                            bad_case{"a1 a2 a2copy", "appears twice"},
                            bad_case{"a1 a2 empty", "empty: no shard manifest"},
                            bad_case{"a1 nowhere", "nowhere: no such directory"}}) {
    if (std::string(c.args).find("a2copy") != std::string::npos) fs::copy(b.box.path("a2"), b.box.path("a2copy"), fs::copy_options::recursive);
    if (std::string(c.args).find("empty") != std::string::npos) fs::create_directories(b.box.path("empty"));
    const auto r = b.box.run(std::string("merge ") + c.args + " --out bad");
    INFO(c.args << "\n" << r.out);
    CHECK(r.exit_code == 2);
    CHECK(r.out.find(c.message) != std::string::npos);
    CHECK_FALSE(fs::exists(b.box.path("bad/retry-storm-with-budget/sweep.json")));
  }

  // A seed report that is gone, or that is another seed's, is named.
  fs::rename(b.box.path("a2/retry-storm-with-budget/seeds/8.json"), b.box.path("8.json"));
  const auto missing = b.box.run("merge a1 a2 --out bad");
  INFO(missing.out);
  CHECK(missing.exit_code == 2);
  CHECK(missing.out.find("seeds/8.json: missing; shard 2/2") != std::string::npos);
  fs::copy_file(b.box.path("a2/retry-storm-with-budget/seeds/10.json"), b.box.path("a2/retry-storm-with-budget/seeds/8.json"));
  const auto wrong = b.box.run("merge a1 a2 --out bad");
  CHECK(wrong.exit_code == 2);
  CHECK(wrong.out.find("not the report of seed 8") != std::string::npos);
  write_file(b.box.path("a2/retry-storm-with-budget/seeds/8.json"), "{\"seed\": 8,");
  const auto corrupt = b.box.run("merge a1 a2 --out bad");
  CHECK(corrupt.exit_code == 2);
  CHECK(corrupt.out.find("not valid JSON") != std::string::npos);
  CHECK(b.box.run("merge --out bad").exit_code == 2);  // no folders at all
}

TEST_CASE("sweep --shard syntax errors exit 2 before running anything") {
  sweep_box b;
  for (const char* bad : {"0/3", "4/3", "a/b", "3", "1/0", "-1/3", "1/3/4", "/3", "1/", "2/1001", " 1/3"}) {
    const auto r = b.sweep(std::string("--seeds 4 --out out --shard '") + bad + "'");
    INFO(bad << "\n" << r.out);
    CHECK(r.exit_code == 2);
    CHECK(r.out.find("--shard") != std::string::npos);
    CHECK(r.out.find("i/N") != std::string::npos);
  }
  CHECK_FALSE(fs::exists(b.box.path("out/retry-storm-with-budget")));
  const auto md = b.sweep("--seeds 4 --shard 1/2 --markdown x.md");
  CHECK(md.exit_code == 2);
  CHECK(md.out.find("squall merge") != std::string::npos);
  CHECK(b.sweep("--seeds 0").exit_code == 2);
  CHECK(b.box.run("sweep missing.json").exit_code == 2);
  const auto help = b.box.run("sweep --help");
  CHECK(help.exit_code == 0);
  CHECK(help.out.find("--shard") != std::string::npos);
}
