// The Pareto front against fronts computed by hand.
#include <cmath>
#include <stdexcept>

#include <catch2/catch.hpp>

#include "reports/pareto.hpp"

using squall::reports::pareto_front;
using squall::reports::pareto_objectives_used;
using squall::reports::pareto_sense;

namespace {

constexpr auto max = pareto_sense::maximize;
constexpr auto min = pareto_sense::minimize;
using row = std::vector<std::optional<double>>;

}  // namespace

TEST_CASE("pareto: two objectives, maximise goodput and minimise amplification") {
  // goodput, amplification. By hand: A (0.9, 1.5) and C (0.7, 1.1) and E (0.5, 1.0) trade off; B (0.8, 1.6) is
  // dominated by A; D (0.6, 1.2) by C.
  const std::vector<row> scores{{0.9, 1.5}, {0.8, 1.6}, {0.7, 1.1}, {0.6, 1.2}, {0.5, 1.0}};
  CHECK(pareto_front(scores, {max, min}) == std::vector<bool>{true, false, true, false, true});
}

TEST_CASE("pareto: four objectives with the tune metric directions") {
  // goodput (max), amplification (min), flaps/h (min), p99 (min).
  const std::vector<row> scores{
      {0.95, 1.2, 6, 300},  // 0: best goodput
      {0.95, 1.2, 6, 310},  // 1: as 0 but slower p99: dominated by 0
      {0.90, 1.0, 0, 400},  // 2: fewer flaps and less amplification: on the front
      {0.90, 1.0, 0, 450},  // 3: dominated by 2
      {0.80, 1.1, 3, 250},  // 4: best p99: on the front
      {0.70, 1.3, 9, 500},  // 5: dominated by everything
  };
  CHECK(pareto_front(scores, {max, min, min, min}) == std::vector<bool>{true, false, true, false, true, false});
}

TEST_CASE("pareto: identical candidates do not dominate each other") {
  const std::vector<row> scores{{0.9, 1.0}, {0.9, 1.0}, {0.8, 1.0}};
  CHECK(pareto_front(scores, {max, min}) == std::vector<bool>{true, true, false});
}

TEST_CASE("pareto: a missing value is the worst on that objective") {
  // B has no p99 (no request succeeded): A dominates it although their goodput is equal.
  const std::vector<row> scores{{0.5, 100.0}, {0.5, std::nullopt}, {0.4, 90.0}};
  CHECK(pareto_front(scores, {max, min}) == std::vector<bool>{true, false, true});
  const std::vector<row> nan_row{{0.5, 100.0}, {0.5, std::nan("")}};
  CHECK(pareto_front(nan_row, {max, min}) == std::vector<bool>{true, false});
}

TEST_CASE("pareto: an objective without any value is left out") {
  // The duplicates column of an HTTP-only scenario: without it, (0.9) dominates (0.8).
  const std::vector<row> scores{{0.9, std::nullopt}, {0.8, std::nullopt}};
  CHECK(pareto_front(scores, {max, min}) == std::vector<bool>{true, false});
  CHECK(pareto_objectives_used(scores, 2) == std::vector<bool>{true, false});
}

TEST_CASE("pareto: one candidate, none, and no objective with a value") {
  CHECK(pareto_front({{0.1}}, {min}) == std::vector<bool>{true});
  CHECK(pareto_front({}, {max, min}).empty());
  CHECK(pareto_front({{std::nullopt}, {std::nullopt}}, {max}) == std::vector<bool>{true, true});
}

TEST_CASE("pareto: a row with the wrong number of scores is an error") {
  CHECK_THROWS_AS(pareto_front({{0.1, 0.2}, {0.3}}, {max, min}), std::invalid_argument);
}

TEST_CASE("pareto: a large front matches the brute-force definition") {
  // Points on the circle's quarter x² + y² = 1 (all on the front for max x, max y) plus interior points.
  std::vector<row> scores;
  for (int i = 0; i <= 20; ++i) {
    const double a = 1.5707963267948966 * i / 20;
    scores.push_back({std::cos(a), std::sin(a)});
    scores.push_back({0.6 * std::cos(a), 0.6 * std::sin(a)});
  }
  const auto front = pareto_front(scores, {max, max});
  for (std::size_t i = 0; i < scores.size(); ++i) CHECK(front[i] == (i % 2 == 0));
}
