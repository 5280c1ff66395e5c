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
  // Nearest-rank percentiles of 4 values: p5 = 1st, p50 = 2nd, p95 = 4th; worst by the metric's direction.
  CHECK(a["metrics"]["goodput.ratio"] == json{{"mean", 0.675}, {"p5", 0.5}, {"p50", 0.6}, {"p95", 0.9}, {"min", 0.5},
                                              {"max", 0.9}, {"count", 4}, {"better", "higher"}, {"worst", 0.5},
                                              {"worst_seed", 4}});
  CHECK(a["metrics"]["latency_ms.p99"] == json{{"mean", 185.0}, {"p5", 100.0}, {"p50", 140.0}, {"p95", 300.0},
                                               {"min", 100.0}, {"max", 300.0}, {"count", 4}, {"better", "lower"},
                                               {"worst", 300.0}, {"worst_seed", 4}});
  CHECK(a["metrics"]["recovery.metastable"]["mean"] == 0.25);  // booleans as 0/1: the metastable share
  CHECK(a["metrics"]["recovery.metastable"]["worst_seed"] == 3);
  CHECK(a["metrics"]["breaker.flaps"] == json{{"mean", nullptr}, {"p5", nullptr}, {"p50", nullptr}, {"p95", nullptr},
                                              {"min", nullptr}, {"max", nullptr}, {"count", 0}, {"better", "lower"},
                                              {"worst", nullptr}, {"worst_seed", nullptr}});
  CHECK(a["metrics"].size() == squall::reports::known_metrics().size());
  REQUIRE(a["gates"].size() == 2);
  CHECK(a["gates"][0] == json{{"expr", "goodput.ratio > 0.8"}, {"passed", 1}, {"failed", 3}, {"unknown", 0},
                              {"pass_share", 0.25}, {"stability", "flaky"}});
  CHECK(a["gates"][1]["unknown"] == 1);
  // Every seed but the first failed or was unknown, each with the gates that did and its repro line.
  CHECK(a["expect"] == "pass");
  REQUIRE(a["failing_seeds"].size() == 3);
  CHECK(a["failing_seeds"][0] == json{{"seed", 2},
                                      {"verdict", "fail"},
                                      {"failed_gates", {"goodput.ratio > 0.8", "latency_ms.p99 < 150"}},
                                      {"unknown_gates", json::array()},
                                      {"repro", "squall run storm.json --seed 2"}});
  CHECK(a["failing_seeds"][1]["verdict"] == "unknown");
  CHECK(a["failing_seeds"][1]["unknown_gates"] == json::array({"latency_ms.p99 < 150"}));
  CHECK(a["unexpected_passes"].empty());
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

TEST_CASE("aggregate_seeds: gate stability, and the seeds that pass a scenario that expects to fail") {
  std::vector<json> reports;
  for (int seed = 1; seed <= 3; ++seed) {
    json r = seed_report(seed, 0.9, 1,
                         {gate("goodput.ratio > 0.5", 0.9, true), gate("goodput.ratio > 0.95", 0.9, false),
                          gate("latency_ms.p99 < 2", 1, seed != 2)});
    r["expect"] = "fail";
    reports.push_back(r);
  }
  reports[0]["gates"][1]["passed"] = true;  // seed 1 passes every gate
  reports[0]["verdict"] = "pass";
  const json a = aggregate_seeds(reports);
  CHECK(a["expect"] == "fail");
  CHECK(a["gates"][0]["stability"] == "stable");
  CHECK(a["gates"][1]["stability"] == "flaky");
  CHECK(a["gates"][2]["stability"] == "flaky");
  CHECK(a["unexpected_passes"] == json::array({json{{"seed", 1}, {"repro", "squall run storm.json --seed 1"}}}));
  CHECK(a["failing_seeds"].size() == 2);

  for (auto& r : reports) r["gates"][0]["passed"] = false;
  CHECK(aggregate_seeds(reports)["gates"][0]["stability"] == "failing");
}

TEST_CASE("nearest_rank: the value at rank ceil(p * n / 100), closed-form cases") {
  using squall::reports::nearest_rank;
  std::vector<double> one_to_20, one_to_100;
  for (int i = 1; i <= 20; ++i) one_to_20.push_back(i);
  for (int i = 1; i <= 100; ++i) one_to_100.push_back(i);
  // n = 20: p5 -> rank 1, p50 -> rank 10, p95 -> rank 19.
  CHECK(nearest_rank(one_to_20, 5) == 1);
  CHECK(nearest_rank(one_to_20, 50) == 10);
  CHECK(nearest_rank(one_to_20, 95) == 19);
  CHECK(nearest_rank(one_to_20, 100) == 20);
  // n = 100: the p-th value.
  CHECK(nearest_rank(one_to_100, 5) == 5);
  CHECK(nearest_rank(one_to_100, 50) == 50);
  CHECK(nearest_rank(one_to_100, 95) == 95);
  CHECK(nearest_rank(one_to_100, 1) == 1);
  // n = 3: ranks ceil(0.15) = 1, ceil(1.5) = 2, ceil(2.85) = 3.
  CHECK(nearest_rank({10, 20, 30}, 5) == 10);
  CHECK(nearest_rank({10, 20, 30}, 50) == 20);
  CHECK(nearest_rank({10, 20, 30}, 95) == 30);
  // An even count takes the lower middle value, never an average: p50 of {1, 2, 3, 4} is 2.
  CHECK(nearest_rank({1, 2, 3, 4}, 50) == 2);
  // n = 200: p5 -> rank 10, p95 -> rank 190 (exact: integer arithmetic, no floating-point ceil).
  std::vector<double> two_hundred;
  for (int i = 1; i <= 200; ++i) two_hundred.push_back(i * 0.5);
  CHECK(nearest_rank(two_hundred, 5) == 5.0);
  CHECK(nearest_rank(two_hundred, 95) == 95.0);
  // One value is every percentile.
  CHECK(nearest_rank({7}, 5) == 7);
  CHECK(nearest_rank({7}, 95) == 7);
  CHECK_THROWS(nearest_rank({}, 50));
  CHECK_THROWS(nearest_rank({1}, 0));
  CHECK_THROWS(nearest_rank({1}, 101));
}

TEST_CASE("metric directions: lower is better unless listed, and the neutral metrics have no worst") {
  using squall::reports::direction_of;
  using squall::reports::metric_direction;
  CHECK(direction_of("goodput.ratio") == metric_direction::higher_is_better);
  CHECK(direction_of("recovery.recovered") == metric_direction::higher_is_better);
  CHECK(direction_of("latency_ms.p99") == metric_direction::lower_is_better);
  CHECK(direction_of("duplicates.effects_duplicated") == metric_direction::lower_is_better);
  CHECK(direction_of("requests.originals") == metric_direction::neither);
  CHECK(direction_of("duplicates.fencing_rejections") == metric_direction::neither);
  const json a = aggregate_seeds({seed_report(1, 0.9, 5, {}), seed_report(2, 0.8, 9, {})});
  CHECK(a["metrics"]["requests.originals"]["worst"].is_null());
}

TEST_CASE("seed_digest keeps what aggregate_seeds reads: the same aggregate from digests as from reports") {
  std::vector<json> reports = {
      seed_report(1, 0.9, 100, {gate("goodput.ratio > 0.8", 0.9, true)}),
      seed_report(2, 0.7, 200, {gate("goodput.ratio > 0.8", 0.7, false)}),
  };
  reports[1]["checker_errors"] = json::array({{{"section", "breaker"}, {"reason", "boom"}}});
  for (auto& r : reports) {
    r["timeline"] = json::array({1, 2, 3});  // dropped
    r["breaker"] = {{"flaps", 2}, {"transitions", 4}, {"events", json::array({"x"})}, {"by_kind", {{"closed->open", 2}}}};
    r["expect"] = "pass";
  }
  std::vector<json> digests;
  for (const auto& r : reports) digests.push_back(squall::reports::seed_digest(r));
  CHECK(aggregate_seeds(digests) == aggregate_seeds(reports));
  CHECK_FALSE(digests[0].contains("timeline"));
  CHECK_FALSE(digests[0]["breaker"].contains("events"));
  CHECK(digests[0]["breaker"]["by_kind"]["closed->open"] == 2);
  CHECK(digests[1]["checker_errors"].size() == 1);
  CHECK(aggregate_seeds(digests)["failing_seeds"][0]["verdict"] == "unknown");  // a checker error is unknown
}
