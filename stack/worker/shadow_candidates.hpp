#pragma once
// Shadow candidates (GitHub Scientist's control/candidate): breakers and budgets that watch the pool's calls
// beside the enforced policy and record what they would have decided, without enforcing anything.
//
// The pool drives the enforced policy and every candidate through the same "lanes": a lane is one breaker or one
// budget with whose decision it is (candidate 0 = the enforced policy, i = the i-th candidate) and whether it
// enforces. A candidate lane is a shadow lane, exactly like `mode: shadow` on the enforced policy.
#include <cstdint>
#include <vector>

#include "history/event.hpp"
#include "stack/resilience/breaker.hpp"
#include "stack/resilience/budget.hpp"

namespace squall::stack::worker {

// One candidate's policy: a breaker, a budget or both (their `mode` is ignored: a candidate never enforces).
// A candidate breaker is consulted where its `check` says; with an enforced breaker both say the same (the
// scenario parser makes sure), so the candidate is asked exactly when the enforced one is.
struct candidate_policy {
  bool has_breaker = false;
  resilience::breaker_config breaker;
  bool has_budget = false;
  resilience::budget_config budget;
};

inline constexpr std::size_t candidates_max = history::candidates_max;

struct breaker_lane {
  resilience::circuit_breaker breaker;
  bool shadow = false;          // records a would-reject and lets the call through
  std::uint8_t candidate = 0;   // 0: the enforced policy
};

struct budget_lane {
  resilience::retry_budget budget;
  bool shadow = false;          // records a would-deny and lets the retry through, ungranted
  std::uint8_t candidate = 0;
  // This lane's bit in a worker's grant masks (bit 0 the enforced budget, bit i the i-th candidate's).
  std::uint32_t bit() const { return std::uint32_t{1} << candidate; }
};

// The candidates' lanes, in candidate order; candidates without a breaker (budget) have no breaker (budget) lane.
struct candidate_lanes {
  std::vector<breaker_lane> breakers;
  std::vector<budget_lane> budgets;
};
candidate_lanes make_candidate_lanes(const std::vector<candidate_policy>& candidates);

}  // namespace squall::stack::worker
