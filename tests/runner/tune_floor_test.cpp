// squall tune's goodput floor: a passing candidate far below the best passing goodput is ranked after every
// passing candidate above it, so a breaker that passes the gates by staying open is not recommended.
#include <catch2/catch.hpp>

#include "runner/tune_score.hpp"

namespace squall::runner {
namespace {

candidate_result passing(double margin, std::optional<double> goodput, bool passes = true) {
  candidate_result c;
  c.passes_all = passes;
  c.seeds = 4;
  c.seeds_passing = passes ? 4 : 3;
  c.margin = margin;
  c.metrics.assign(tune_key_metrics().size(), metric_stats{});
  c.metrics[0].mean = goodput;
  return c;
}

TEST_CASE("the goodput floor is relative to the best passing candidate", "[tune]") {
  // #0 passes with the widest margin at a quarter of the goodput; #1 and #2 pass; #3 fails with the best goodput.
  std::vector<candidate_result> cs{passing(0.8, 0.25), passing(0.6, 0.78), passing(0.7, 0.72),
                                   passing(0.9, 0.95, false)};
  CHECK(rank_candidates(cs, std::nullopt) == std::vector<std::size_t>{0, 2, 1, 3});

  const auto floor = apply_goodput_floor(cs, 0.9);
  REQUIRE(floor);
  CHECK(floor->best == 1);                    // among passing candidates: a failing one sets no floor
  CHECK(floor->floor == Approx(0.9 * 0.78));  // 0.702
  CHECK(floor->below == 1);
  CHECK(cs[0].below_goodput_floor);
  CHECK_FALSE(cs[1].below_goodput_floor);
  CHECK_FALSE(cs[2].below_goodput_floor);     // 0.72 >= 0.702: the margin decides between #1 and #2
  CHECK_FALSE(cs[3].below_goodput_floor);
  CHECK(rank_candidates(cs, std::nullopt) == std::vector<std::size_t>{2, 1, 0, 3});

  const auto strict = apply_goodput_floor(cs, 1.0);
  REQUIRE(strict);
  CHECK(strict->below == 2);
  // Only the best is at the floor; the two below it are ranked among themselves by margin, as before.
  CHECK(rank_candidates(cs, std::nullopt) == std::vector<std::size_t>{1, 0, 2, 3});
}

TEST_CASE("the goodput floor is off at 0 and without a passing candidate with a goodput", "[tune]") {
  std::vector<candidate_result> cs{passing(0.8, 0.25), passing(0.6, 0.78)};
  CHECK_FALSE(apply_goodput_floor(cs, 0));
  CHECK_FALSE(cs[0].below_goodput_floor);

  std::vector<candidate_result> failing{passing(0.8, 0.25, false), passing(0.6, 0.78, false)};
  CHECK_FALSE(apply_goodput_floor(failing, 0.9));

  // Jobs-only scenarios have no goodput: nothing to compare.
  std::vector<candidate_result> jobs{passing(0.8, std::nullopt), passing(0.6, std::nullopt)};
  CHECK_FALSE(apply_goodput_floor(jobs, 0.9));
  CHECK(rank_candidates(jobs, std::nullopt) == std::vector<std::size_t>{0, 1});

  // Without a goodput beside passing candidates that have one, a candidate is below the floor.
  std::vector<candidate_result> mixed{passing(0.8, std::nullopt), passing(0.6, 0.78)};
  REQUIRE(apply_goodput_floor(mixed, 0.9));
  CHECK(mixed[0].below_goodput_floor);
}

}  // namespace
}  // namespace squall::runner
