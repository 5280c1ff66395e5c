// Seed aggregation of shadow candidates: every candidates.<name>.<field> of the reports gets its distribution,
// with a direction (agreement higher is better, decision counts neither, the rest lower is better).
#include <catch2/catch.hpp>

#include "reports/aggregate.hpp"

using nlohmann::json;
using squall::reports::aggregate_seeds;
using squall::reports::direction_of;
using squall::reports::metric_direction;

namespace {

// A report with two candidates as report.json writes them: "fast" (breaker only) and "budget-only".
json candidates_report(int seed, double agreement, double flaps_per_hour) {
  const json breaker = {{"would_reject", 10 * seed}, {"transitions", 4}, {"by_kind", {{"closed->open", 2}}},
                        {"flaps", 1}, {"flaps_per_hour", flaps_per_hour}, {"time_open_s", 3.5}};
  return {{"scenario", "shadow"},
          {"seed", seed},
          {"verdict", "pass"},
          {"gates", json::array()},
          {"candidates",
           {{"note", "shadow candidates miss their own feedback"},
            {"fast",
             {{"index", 2},
              {"breaker", breaker},
              {"budget", nullptr},
              {"agreement", {{"breaker", agreement}, {"breaker_decisions", 1000}, {"budget", nullptr},
                             {"budget_decisions", nullptr}}}}},
            {"budget-only",
             {{"index", 1},
              {"breaker", nullptr},
              {"budget", {{"would_deny", seed}}},
              {"agreement", {{"breaker", nullptr}, {"breaker_decisions", nullptr}, {"budget", 1.0},
                             {"budget_decisions", 50}}}}}}}};
}

}  // namespace

TEST_CASE("aggregate_seeds summarises every shadow candidate metric of the reports") {
  const std::vector<json> reports{candidates_report(1, 0.9, 12), candidates_report(2, 0.7, 30),
                                  candidates_report(3, 0.8, 6)};
  const json a = aggregate_seeds(reports);
  const json& m = a["metrics"];
  const json& agreement = m["candidates.fast.agreement.breaker"];
  CHECK(agreement["count"] == 3);
  CHECK(agreement["mean"] == 0.8);
  CHECK(agreement["better"] == "higher");
  CHECK(agreement["worst"] == 0.7);  // where the candidate differed most from the enforced breaker
  CHECK(agreement["worst_seed"] == 2);
  const json& flaps = m["candidates.fast.breaker.flaps_per_hour"];
  CHECK(flaps["better"] == "lower");
  CHECK(flaps["worst"] == 30);
  CHECK(flaps["p50"] == 12);
  CHECK(m["candidates.fast.breaker.by_kind.closed->open"]["mean"] == 2);
  CHECK(m["candidates.fast.agreement.breaker_decisions"]["better"].is_null());
  CHECK(m["candidates.budget-only.budget.would_deny"]["max"] == 3);
  CHECK(m["candidates.budget-only.agreement.budget"]["mean"] == 1.0);
  // Only the mechanisms a candidate has.
  CHECK_FALSE(m.contains("candidates.fast.budget.would_deny"));
  CHECK_FALSE(m.contains("candidates.budget-only.breaker.flaps"));
  CHECK_FALSE(m.contains("candidates.note"));

  // A sweep keeps digests: they carry the candidate metrics too.
  std::vector<json> digests;
  for (const json& r : reports) digests.push_back(squall::reports::seed_digest(r));
  CHECK(aggregate_seeds(digests) == a);
  CHECK_FALSE(digests[0]["candidates"].contains("note"));
}

TEST_CASE("candidate metric paths follow the candidates' index, and their directions") {
  CHECK(squall::reports::candidate_metric_paths(candidates_report(1, 1, 0)).front() ==
        "candidates.budget-only.budget.would_deny");
  CHECK(squall::reports::candidate_metric_paths(json{{"scenario", "x"}}).empty());
  CHECK(direction_of("candidates.a.agreement.budget") == metric_direction::higher_is_better);
  CHECK(direction_of("candidates.a.agreement.budget_decisions") == metric_direction::neither);
  CHECK(direction_of("candidates.a.breaker.would_reject") == metric_direction::lower_is_better);
  CHECK(direction_of("candidates.a.budget.would_deny") == metric_direction::lower_is_better);
  CHECK(direction_of("candidates.a.breaker.time_open_s") == metric_direction::lower_is_better);
}
