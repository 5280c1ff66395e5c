// Multi-seed aggregation: per-metric mean/min/max, gate pass shares, the worst seed and its Markdown.
#include <catch2/catch.hpp>

#include "reports/aggregate.hpp"
#include "reports/gates.hpp"

using nlohmann::json;
using squall::reports::aggregate_seeds;

namespace {
json seed_report(int seed, double goodput, double p99, std::vector<json> gates) {
  std::string verdict = "pass";
  for (const auto& g : gates) {
    if (g["value"].is_null()) {
      verdict = "unknown";
    } else if (!g["passed"].get<bool>() && verdict == "pass") {
      verdict = "fail";
    }
  }
  return {{"scenario", "storm"},
          {"seed", seed},
          {"repro", "squall run storm.json --seed " + std::to_string(seed)},
          {"goodput", {{"ratio", goodput}}},
          {"latency_ms", {{"p99", p99}}},
          {"recovery", {{"metastable", seed == 3}}},
          {"gates", gates},
          {"verdict", verdict}};
}
json gate(const char* expr, std::optional<double> value, bool passed) {
  return {{"expr", expr}, {"value", value ? json(*value) : json(nullptr)}, {"passed", passed}};
}
}  // namespace

TEST_CASE("aggregate_seeds: mean/min/max per metric, gate shares, worst seed") {
  const std::vector<json> reports = {
      seed_report(1, 0.9, 100, {gate("goodput.ratio > 0.8", 0.9, true), gate("latency_ms.p99 < 150", 100, true)}),
      seed_report(2, 0.7, 200, {gate("goodput.ratio > 0.8", 0.7, false), gate("latency_ms.p99 < 150", 200, false)}),
      seed_report(3, 0.6, 140, {gate("goodput.ratio > 0.8", 0.6, false), gate("latency_ms.p99 < 150", std::nullopt, false)}),
      seed_report(4, 0.5, 300, {gate("goodput.ratio > 0.8", 0.5, false), gate("latency_ms.p99 < 150", 300, false)}),
  };
  const json a = aggregate_seeds(reports);
  CHECK(a["scenario"] == "storm");
  CHECK(a["runs"] == 4);
  CHECK(a["seeds"] == json::array({1, 2, 3, 4}));
  CHECK(a["verdicts"] == json{{"pass", 1}, {"fail", 2}, {"unknown", 1}});
  CHECK(a["metrics"]["goodput.ratio"] == json{{"mean", 0.675}, {"min", 0.5}, {"max", 0.9}, {"count", 4}});
  CHECK(a["metrics"]["latency_ms.p99"] == json{{"mean", 185.0}, {"min", 100.0}, {"max", 300.0}, {"count", 4}});
  CHECK(a["metrics"]["recovery.metastable"]["mean"] == 0.25);  // booleans as 0/1: the metastable share
  CHECK(a["metrics"]["breaker.flaps"] == json{{"mean", nullptr}, {"min", nullptr}, {"max", nullptr}, {"count", 0}});
  CHECK(a["metrics"].size() == squall::reports::known_metrics().size());
  REQUIRE(a["gates"].size() == 2);
  CHECK(a["gates"][0] == json{{"expr", "goodput.ratio > 0.8"}, {"passed", 1}, {"failed", 3}, {"unknown", 0},
                              {"pass_share", 0.25}});
  CHECK(a["gates"][1]["unknown"] == 1);
  // Seeds 2 and 4 both failed two gates; seed 4 has the lower goodput.
  CHECK(a["worst"]["seed"] == 4);
  CHECK(a["worst"]["failed_gates"] == 2);
  CHECK(a["worst_repro"] == "squall run storm.json --seed 4");

  const std::string md = squall::reports::render_seeds_markdown(a);
  INFO(md);
  CHECK_THAT(md, Catch::Contains("#### storm over 4 seeds"));
  CHECK_THAT(md, Catch::Contains("Verdicts: 1 pass, 2 fail, 1 unknown."));
  CHECK_THAT(md, Catch::Contains("| `goodput.ratio` | 0.675 | 0.5 | 0.9 |"));
  CHECK_THAT(md, Catch::Contains("| `goodput.ratio > 0.8` | 1 / 4 | 0.25 |"));
  CHECK_THAT(md, Catch::Contains("Worst seed: 4 (2 failed gates, goodput 0.5). Repro: `squall run storm.json --seed 4`"));
}

TEST_CASE("aggregate_seeds: ties on failed gates and goodput keep the first seed, and empty input") {
  const std::vector<json> reports = {
      seed_report(5, 0.8, 1, {gate("goodput.ratio > 0.9", 0.8, false)}),
      seed_report(6, 0.8, 1, {gate("goodput.ratio > 0.9", 0.8, false)}),
  };
  CHECK(aggregate_seeds(reports)["worst"]["seed"] == 5);
  const json empty = aggregate_seeds({});
  CHECK(empty["runs"] == 0);
  CHECK(empty["worst"].is_null());
  CHECK_NOTHROW(squall::reports::render_seeds_markdown(empty));
}
