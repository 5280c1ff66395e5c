#include "stack/worker/shadow_candidates.hpp"

#include "stack/core/assert.hpp"

namespace squall::stack::worker {

candidate_lanes make_candidate_lanes(const std::vector<candidate_policy>& candidates) {
  SQUALL_ASSERT(candidates.size() <= candidates_max, "at most 16 shadow candidates");
  candidate_lanes lanes;
  for (std::size_t i = 0; i < candidates.size(); ++i) {
    const candidate_policy& c = candidates[i];
    SQUALL_ASSERT(c.has_breaker || c.has_budget, "a shadow candidate needs a breaker or a budget");
    const auto index = static_cast<std::uint8_t>(i + 1);
    if (c.has_breaker) lanes.breakers.push_back({resilience::circuit_breaker(c.breaker), true, index});
    if (c.has_budget) lanes.budgets.push_back({resilience::retry_budget(c.budget), true, index});
  }
  return lanes;
}

}  // namespace squall::stack::worker
