// Gate expressions: the parse table (valid and invalid forms), the metric list, and evaluation over a report.
#include <catch2/catch.hpp>

#include "reports/gates.hpp"

using squall::reports::evaluate_gates;
using squall::reports::gate_op;
using squall::reports::is_known_metric;
using squall::reports::parse_gate;

TEST_CASE("parse_gate accepts path op number with any spacing") {
  struct row {
    const char* expr;
    const char* path;
    gate_op op;
    double threshold;
  };
  const row rows[] = {
      {"retry_amplification.overall < 1.5", "retry_amplification.overall", gate_op::lt, 1.5},
      {"latency_ms.p99<=800", "latency_ms.p99", gate_op::le, 800},
      {"  goodput.ratio   >   0.95  ", "goodput.ratio", gate_op::gt, 0.95},
      {"\tbreaker.flaps >= 0", "breaker.flaps", gate_op::ge, 0},
      {"recovery.metastable == 0", "recovery.metastable", gate_op::eq, 0},
      {"requests.failed != -2", "requests.failed", gate_op::ne, -2},
      {"breaker.by_kind.closed->open < 3", "breaker.by_kind.closed->open", gate_op::lt, 3},
      {"breaker.by_kind.half_open->open>=1", "breaker.by_kind.half_open->open", gate_op::ge, 1},
      {"breaker.shadow.by_kind.open->half_open < 1e3", "breaker.shadow.by_kind.open->half_open", gate_op::lt, 1000},
      {"x < 2.5E-1", "x", gate_op::lt, 0.25},
      {"x < 0", "x", gate_op::lt, 0},
      {"x<-0.5", "x", gate_op::lt, -0.5},
  };
  for (const row& r : rows) {
    INFO(r.expr);
    const auto parsed = parse_gate(r.expr);
    REQUIRE(parsed.value);
    CHECK(parsed.error.empty());
    CHECK(parsed.value->expr == r.expr);
    CHECK(parsed.value->path == r.path);
    CHECK(parsed.value->op == r.op);
    CHECK(parsed.value->threshold == r.threshold);
  }
}

TEST_CASE("parse_gate rejects malformed expressions with a message") {
  struct row {
    const char* expr;
    const char* fragment;  // must appear in the error
  };
  const row rows[] = {
      {"", "empty gate"},
      {"   ", "empty gate"},
      {"< 3", "missing path"},
      {"a.b", "missing operator"},
      {"a.b 3", "operator must be one of"},
      {"a.b =< 3", "operator must be one of"},
      {"a.b = 3", "operator must be one of"},
      {"a.b <", "missing number"},
      {"a.b < x", "not a number"},
      {"a.b < +1", "not a number"},
      {"a.b < 1.", "not a number"},
      {"a.b < .5", "not a number"},
      {"a.b < 01", "unexpected text"},
      {"a.b < 0x10", "unexpected text"},
      {"a.b < 1 2", "unexpected text"},
      {"a.b < 1 && c > 2", "unexpected text"},
      {"a.b < nan", "not a number"},
      {"a.b < 1e999", "out of range"},
      {"a..b < 1", "empty path segment"},
      {".a < 1", "empty path segment"},
      {"a. < 1", "path ends with"},
      {"a.->b < 1", "`->` must join two words"},
      {"a.b-> < 1", "`->` must join two words"},
      {"a+b < 1", "operator must be one of"},  // `-` belongs to names (candidates.fast-open...)
  };
  for (const row& r : rows) {
    INFO(r.expr);
    const auto parsed = parse_gate(r.expr);
    CHECK_FALSE(parsed.value);
    CHECK_THAT(parsed.error, Catch::Contains(r.fragment));
    CHECK_THAT(parsed.error, Catch::Contains("expected `path op number`") || Catch::Contains("out of range"));
  }
}

TEST_CASE("is_known_metric covers the report's numeric fields and rejects typos") {
  for (const char* p :
       {"requests.originals", "requests.retries", "requests.indeterminate", "retry_amplification.overall",
        "retry_amplification.window_max", "breaker.flaps_per_hour", "breaker.by_kind.closed->open",
        "breaker.by_kind.half_open->open", "breaker.shadow.flaps", "breaker.shadow.by_kind.open->half_open",
        "breaker.shadow.would_reject", "breaker.rejected", "budget.denied", "budget.shadow_would_deny",
        "latency_ms.p999", "latency_ms.mean", "goodput.ratio", "goodput.pre_fault_ratio", "recovery.seconds",
        "recovery.metastable"}) {
    INFO(p);
    CHECK(is_known_metric(p));
  }
  for (const char* p : {"", "requests", "requests.original", "latency_ms.p95", "breaker.by_kind.open->closed",
                        "breaker.shadow.rejected", "breaker.events", "scenario", "repro", "gates"}) {
    INFO(p);
    CHECK_FALSE(is_known_metric(p));
  }
  // Every known metric must itself parse as a gate path.
  for (const std::string& p : squall::reports::known_metrics()) {
    INFO(p);
    CHECK(parse_gate(p + " < 1").value);
  }
}

TEST_CASE("evaluate_gates compares, reads booleans as 0/1 and leaves missing values unknown") {
  const auto report = nlohmann::json::parse(R"({
    "retry_amplification": {"overall": 1.5},
    "latency_ms": {"p99": 799.5},
    "breaker": {"by_kind": {"closed->open": 2}, "flaps": 0},
    "recovery": {"metastable": true, "seconds": null},
    "goodput": {"unknown": "checker threw: boom"}
  })");
  const auto results = evaluate_gates(report, {
                                                  "retry_amplification.overall < 1.5",   // 0: equal, fails
                                                  "retry_amplification.overall <= 1.5",  // 1: passes
                                                  "latency_ms.p99 < 800",                // 2: passes
                                                  "breaker.by_kind.closed->open == 2",   // 3: passes
                                                  "breaker.flaps != 0",                  // 4: fails
                                                  "recovery.metastable == 0",            // 5: true -> 1, fails
                                                  "recovery.seconds < 30",               // 6: null -> unknown
                                                  "goodput.ratio > 0.9",                 // 7: unknown section
                                                  "latency_ms < 3",                      // 8: object -> unknown
                                                  "nonsense",                            // 9: parse error
                                              });
  REQUIRE(results.size() == 10);
  CHECK(results[0].value == 1.5);
  CHECK_FALSE(results[0].passed);
  CHECK(results[1].passed);
  CHECK(results[2].passed);
  CHECK(results[2].value == 799.5);
  CHECK(results[3].passed);
  CHECK_FALSE(results[4].passed);
  CHECK(results[4].value == 0.0);
  CHECK(results[5].value == 1.0);
  CHECK_FALSE(results[5].passed);
  for (int i : {6, 7, 8, 9}) {
    INFO(i);
    CHECK_FALSE(results[static_cast<std::size_t>(i)].value);
    CHECK_FALSE(results[static_cast<std::size_t>(i)].passed);
    CHECK_FALSE(results[static_cast<std::size_t>(i)].error.empty());
  }
  CHECK_THAT(results[9].error, Catch::Contains("missing operator"));
  CHECK(results[9].expr == "nonsense");
}

TEST_CASE("a metric with no value in this run fails its gate, a missing field is unknown") {
  const nlohmann::json report = {{"recovery", {{"seconds", nullptr}}}, {"latency_ms", {{"p99", 12.5}}}};
  const auto results = squall::reports::evaluate_gates(
      report, {"recovery.seconds < 60", "latency_ms.p99 < 100", "breaker.flaps > 1"});
  REQUIRE(results.size() == 3);
  CHECK(results[0].no_value);
  CHECK_FALSE(results[0].passed);
  CHECK_FALSE(results[0].value.has_value());
  CHECK(results[1].passed);
  CHECK_FALSE(results[2].no_value);   // the breaker section is absent: unknown
  CHECK_FALSE(results[2].value.has_value());
  CHECK(squall::reports::gate_is_unknown({{"expr", "x < 1"}, {"value", nullptr}}));
  CHECK_FALSE(squall::reports::gate_is_unknown({{"expr", "x < 1"}, {"value", nullptr}, {"no_value", true}}));
  CHECK_FALSE(squall::reports::gate_is_unknown({{"expr", "x < 1"}, {"value", 3}}));
}
