// squall tune's search space (--vary parsing, the grid, random draws, snippets) and scoring (margins, ranking,
// objectives), as pure functions.
#include <cmath>
#include <limits>
#include <set>

#include <catch2/catch.hpp>

#include "runner/tune_result.hpp"
#include "runner/tune_score.hpp"
#include "runner/tune_space.hpp"

namespace squall::runner {
namespace {

using json = nlohmann::json;

tune_param must_vary(const std::string& text) {
  vary_parse p = parse_vary(text);
  INFO(text << " -> " << p.error);
  REQUIRE(p.value);
  return *p.value;
}

std::string vary_error(const std::string& text) {
  vary_parse p = parse_vary(text);
  REQUIRE_FALSE(p.value);
  return p.error;
}

TEST_CASE("vary lists are JSON values, else strings, as --set reads them", "[tune]") {
  const tune_param p = must_vary("policy.breaker.failure_threshold=3,5, 8 ,13");
  CHECK(p.path == "policy.breaker.failure_threshold");
  CHECK(p.values == std::vector<json>{3, 5, 8, 13});
  CHECK(must_vary("policy.retry.backoff.kind=full_jitter,none").values == std::vector<json>{"full_jitter", "none"});
  CHECK(must_vary("policy.retry.honor_retry_after=true,false").values == std::vector<json>{true, false});
  CHECK(must_vary("policy.retry_budget.ratio=0.1,0.25").values == std::vector<json>{0.1, 0.25});
}

TEST_CASE("commas inside brackets, braces and strings do not split a vary list", "[tune]") {
  const tune_param p = must_vary(R"(policy.retry_budget={"model": "windowed", "ratio": 0.1},{"model": "token_bucket"})");
  REQUIRE(p.values.size() == 2);
  CHECK(p.values[0] == json({{"model", "windowed"}, {"ratio", 0.1}}));
  CHECK(p.values[1] == json({{"model", "token_bucket"}}));
  CHECK(must_vary(R"(x=[1,2],"a,b")").values == std::vector<json>{json::array({1, 2}), "a,b"});
}

TEST_CASE("integer ranges stay integers when the ends and the step are integral", "[tune]") {
  const tune_param p = must_vary("policy.breaker.open_ms=5000..60000/6");
  CHECK(p.values == std::vector<json>{5000, 16000, 27000, 38000, 49000, 60000});
  for (const json& v : p.values) CHECK(v.is_number_integer());
  CHECK(must_vary("x=10..0/3").values == std::vector<json>{10, 5, 0});
  CHECK(must_vary("x=-4..4/5").values == std::vector<json>{-4, -2, 0, 2, 4});
}

TEST_CASE("fractional ranges give doubles with the last value exactly B", "[tune]") {
  const tune_param p = must_vary("policy.retry_budget.ratio=0.1..0.5/5");
  REQUIRE(p.values.size() == 5);
  CHECK(p.values[0].get<double>() == 0.1);
  CHECK(p.values[2].get<double>() == 0.3);  // 12 significant digits, not 0.30000000000000004
  CHECK(p.values[4].get<double>() == 0.5);
  for (const json& v : p.values) CHECK(v.is_number_float());
  const tune_param q = must_vary("x=5000..60000/4");  // a step of 18333.33: doubles
  CHECK(q.values[1].is_number_float());
  CHECK(q.values[1].get<double>() == Approx(23333.3333333));
  CHECK(q.values[3].get<double>() == 60000.0);
}

TEST_CASE("malformed vary options say what to write", "[tune]") {
  CHECK_THAT(vary_error("policy.breaker.failure_threshold"), Catch::Contains("missing '='"));
  CHECK_THAT(vary_error("=3,5"), Catch::Contains("path before '=' is empty"));
  CHECK_THAT(vary_error("x="), Catch::Contains("no values"));
  CHECK_THAT(vary_error("x=3,,5"), Catch::Contains("empty value"));
  CHECK_THAT(vary_error("x=3,5,3"), Catch::Contains("listed twice"));
  CHECK_THAT(vary_error("x=1..5"), Catch::Contains("needs a count"));
  CHECK_THAT(vary_error("x=1..5/1"), Catch::Contains("integer from 2"));
  CHECK_THAT(vary_error("x=1..5/2.5"), Catch::Contains("integer from 2"));
  CHECK_THAT(vary_error("x=1..abc/3"), Catch::Contains("'abc' is not a number"));
  CHECK_THAT(vary_error("x=2..2/3"), Catch::Contains("starts and ends at 2"));
  CHECK_THAT(vary_error("x=1..5/100000"), Catch::Contains("integer from 2 to 1000"));
}

TEST_CASE("the name, seed, gates and expectation cannot be varied", "[tune]") {
  for (const char* path : {"name=a,b", "seed=1,2", "gates.0=x,y", "gates[0]=x,y", "expect=pass,fail", "squall=1,2"}) {
    CHECK_THAT(vary_error(path), Catch::Contains("cannot be varied"));
  }
  CHECK(must_vary("seeds_note=1,2").values.size() == 2);  // only whole top-level names are reserved
}

TEST_CASE("override values read back as the same JSON value", "[tune]") {
  CHECK(override_value_text(json(5)) == "5");
  CHECK(override_value_text(json(0.25)) == "0.25");
  CHECK(override_value_text(json("full_jitter")) == "full_jitter");
  CHECK(override_value_text(json("5")) == "\"5\"");       // bare, it would read back as a number
  CHECK(override_value_text(json("true")) == "\"true\"");
  CHECK(override_value_text(json(" a")) == "\" a\"");
  CHECK(override_value_text(json({{"model", "windowed"}})) == R"({"model":"windowed"})");
}

TEST_CASE("the grid is the cartesian product with the first parameter slowest", "[tune]") {
  const tune_grid grid({must_vary("a=1,2"), must_vary("b=x,y,z")});
  CHECK(grid.size() == 6);
  CHECK(grid.overrides(0) == std::vector<std::string>{"a=1", "b=x"});
  CHECK(grid.overrides(1) == std::vector<std::string>{"a=1", "b=y"});
  CHECK(grid.overrides(3) == std::vector<std::string>{"a=2", "b=x"});
  CHECK(grid.overrides(5) == std::vector<std::string>{"a=2", "b=z"});
  CHECK(grid.coordinates(4) == std::vector<std::size_t>{1, 1});
}

TEST_CASE("grid size saturates instead of overflowing", "[tune]") {
  std::vector<tune_param> params;
  for (int i = 0; i < 8; ++i) params.push_back(must_vary("p" + std::to_string(i) + "=1..1000/1000"));
  CHECK(tune_grid(params).size() == std::numeric_limits<std::uint64_t>::max());
}

TEST_CASE("random draws are distinct, in grid order and the same for the same seed", "[tune]") {
  const auto a = draw_candidates(1000, 50, 42);
  CHECK(a.size() == 50);
  CHECK(std::set<std::uint64_t>(a.begin(), a.end()).size() == 50);
  CHECK(std::is_sorted(a.begin(), a.end()));
  CHECK(a.back() < 1000);
  CHECK(draw_candidates(1000, 50, 42) == a);
  CHECK(draw_candidates(1000, 50, 43) != a);
  CHECK(draw_candidates(5, 9, 1) == std::vector<std::uint64_t>{0, 1, 2, 3, 4});
  const auto huge = draw_candidates(std::numeric_limits<std::uint64_t>::max(), 3, 7);
  CHECK(std::set<std::uint64_t>(huge.begin(), huge.end()).size() == 3);
}

TEST_CASE("random draws cover the grid evenly", "[tune]") {
  std::vector<int> hits(10, 0);
  for (std::uint64_t seed = 0; seed < 2000; ++seed)
    for (const auto i : draw_candidates(10, 3, seed)) ++hits[i];
  for (const int h : hits) CHECK(std::abs(h - 600) < 90);  // 2000 × 3 / 10, about 4 standard deviations
}

TEST_CASE("snippets nest the varied fields and copy an array on the way whole", "[tune]") {
  const json doc = {{"policy", {{"timeout_ms", 200}, {"breaker", {{"failure_threshold", 5}, {"open_ms", 15000}}}}},
                    {"faults", json::array({{{"kind", "error_storm"}, {"rate", 0.5}}})}};
  CHECK(snippet_for(doc, {"policy.breaker.failure_threshold", "policy.breaker.open_ms"}) ==
        json({{"policy", {{"breaker", {{"failure_threshold", 5}, {"open_ms", 15000}}}}}}));
  CHECK(snippet_for(doc, {"faults[0].rate", "policy.timeout_ms"}) ==
        json({{"faults", doc["faults"]}, {"policy", {{"timeout_ms", 200}}}}));
  CHECK(snippet_for(doc, {"policy.breaker"}) == json({{"policy", {{"breaker", doc["policy"]["breaker"]}}}}));
}

reports::gate gate_of(const std::string& expr) { return *reports::parse_gate(expr).value; }

TEST_CASE("gate margins are the relative distance to the threshold on the passing side", "[tune]") {
  CHECK(gate_margin(gate_of("latency_ms.p99 < 800"), 600.0) == Approx(0.25));
  CHECK(gate_margin(gate_of("latency_ms.p99 <= 800"), 1000.0) == Approx(-0.25));
  CHECK(gate_margin(gate_of("goodput.ratio > 0.8"), 0.9) == Approx(0.125));
  CHECK(gate_margin(gate_of("goodput.ratio >= 0.8"), 0.6) == Approx(-0.25));
  CHECK(gate_margin(gate_of("breaker.flaps_per_hour <= 0"), 0.0) == 0.0);
  CHECK(gate_margin(gate_of("breaker.flaps_per_hour <= 0"), 3.0) == Approx(-3));  // |T| = 1 when T is 0
  CHECK(gate_margin(gate_of("duplicates.effects_duplicated == 0"), 0.0) == 0.0);
  CHECK(gate_margin(gate_of("duplicates.effects_duplicated == 0"), 2.0) == Approx(-2));
  CHECK(gate_margin(gate_of("breaker.flaps != 4"), 2.0) == Approx(0.5));
  CHECK(gate_margin(gate_of("goodput.ratio > 0.8"), std::nullopt) == -std::numeric_limits<double>::infinity());
  CHECK(gate_margin(gate_of("latency_ms.p99 < 3"), 1.0) == 0.666667);  // 6 significant digits
}

run_summary run(std::vector<std::optional<double>> metrics, std::vector<std::optional<double>> gate_values,
                std::vector<char> passed) {
  run_summary r;
  r.metrics = std::move(metrics);
  r.gate_values = std::move(gate_values);
  r.gate_passed = std::move(passed);
  r.gate_unknown.assign(r.gate_passed.size(), 0);
  return r;
}

TEST_CASE("a candidate's scores: means, worst values, gate shares and its least margin", "[tune]") {
  const std::vector<reports::gate> gates{gate_of("latency_ms.p99 < 800"), gate_of("goodput.ratio > 0.5")};
  candidate_result c;
  score_candidate(c,
                  {run({0.9, 1.1, 0.0, 400.0, std::nullopt}, {400.0, 0.9}, {1, 1}),
                   run({0.7, 1.3, 6.0, 600.0, std::nullopt}, {600.0, 0.7}, {1, 1})},
                  gates, false);
  CHECK(c.seeds == 2);
  CHECK(c.seeds_passing == 2);
  CHECK(c.passes_all);
  CHECK(*c.metrics[0].mean == Approx(0.8));
  CHECK(*c.metrics[0].worst == 0.7);   // goodput: lowest is worst
  CHECK(*c.metrics[3].worst == 600.0); // p99: highest is worst
  CHECK_FALSE(c.metrics[4].mean);      // no duplicates metric in an HTTP scenario
  CHECK(c.gates[0].margin == Approx(0.25));
  CHECK(*c.gates[0].worst_value == 600.0);
  CHECK(c.gates[1].margin == Approx(0.4));
  CHECK(c.margin == Approx(0.25));
}

TEST_CASE("one failing seed makes a candidate fail, a missing value makes its margin minus infinity", "[tune]") {
  const std::vector<reports::gate> gates{gate_of("latency_ms.p99 < 800")};
  candidate_result c;
  score_candidate(c, {run({}, {400.0}, {1}), run({}, {std::nullopt}, {0})}, gates, false);
  CHECK_FALSE(c.passes_all);
  CHECK(c.seeds_passing == 1);
  CHECK(c.gates[0].failed == 1);
  CHECK(c.margin == -std::numeric_limits<double>::infinity());
}

candidate_result scored(bool passes, std::size_t seeds_passing, double margin, std::optional<double> objective = {}) {
  candidate_result c;
  c.passes_all = passes;
  c.seeds = 10;
  c.seeds_passing = seeds_passing;
  c.margin = margin;
  c.objective = objective;
  return c;
}

TEST_CASE("ranking: passing candidates first by margin, then seeds passing, objective, grid order", "[tune]") {
  std::vector<candidate_result> cs{scored(false, 9, -0.1), scored(true, 10, 0.2), scored(true, 10, 0.4),
                                   scored(false, 5, 0.0), scored(true, 10, 0.2)};
  cs.push_back(candidate_result{});
  cs.back().skipped = "not a valid scenario";
  CHECK(rank_candidates(cs, std::nullopt) == std::vector<std::size_t>{2, 1, 4, 0, 3, 5});
  cs[4].objective = 0.9;
  cs[1].objective = 0.8;
  const tune_objective max_goodput{"max goodput.ratio", "goodput.ratio", true};
  CHECK(rank_candidates(cs, max_goodput) == std::vector<std::size_t>{2, 4, 1, 0, 3, 5});
  const tune_objective min_goodput{"min goodput.ratio", "goodput.ratio", false};
  CHECK(rank_candidates(cs, min_goodput) == std::vector<std::size_t>{2, 1, 4, 0, 3, 5});
}

TEST_CASE("objectives are max or min over a report metric", "[tune]") {
  const auto p = parse_objective("max goodput.ratio");
  REQUIRE(p.value);
  CHECK(p.value->maximize);
  CHECK(p.value->path == "goodput.ratio");
  CHECK_FALSE(parse_objective("min  latency_ms.p99 ").value->maximize);
  CHECK_THAT(parse_objective("goodput.ratio").error, Catch::Contains("'max METRIC' or 'min METRIC'"));
  CHECK_THAT(parse_objective("max goodput").error, Catch::Contains("not a report metric"));
}

TEST_CASE("the Pareto flags of candidates use the key metrics' means", "[tune]") {
  std::vector<candidate_result> cs(3);
  const auto with = [](double goodput, double ampl) {
    std::vector<metric_stats> m(tune_key_metrics().size());
    m[0].mean = goodput;
    m[1].mean = ampl;
    return m;
  };
  cs[0].metrics = with(0.9, 1.2);
  cs[1].metrics = with(0.8, 1.3);  // dominated by #0
  cs[2].metrics = with(0.7, 1.0);
  mark_pareto(cs);
  CHECK(cs[0].pareto);
  CHECK_FALSE(cs[1].pareto);
  CHECK(cs[2].pareto);
}

TEST_CASE("set flags quote what the shell would split", "[tune]") {
  CHECK(set_flags({"faults[0].rate=0.5"}, {"policy.breaker.open_ms=5000", "name=a b"}) ==
        "--set 'faults[0].rate=0.5' --set policy.breaker.open_ms=5000 --set 'name=a b'");
}

}  // namespace
}  // namespace squall::runner
