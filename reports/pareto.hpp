#pragma once
// The Pareto front of candidates scored on several objectives (`squall tune`): a candidate is on the front when no
// other candidate is at least as good on every objective and strictly better on one.
#include <optional>
#include <vector>

namespace squall::reports {

enum class pareto_sense { maximize, minimize };

// scores[i][k] is candidate i's value on objective k (senses[k] says which way is better); every row has
// senses.size() entries. A missing or non-finite value counts as the worst possible on that objective. An
// objective with no value in any candidate is left out. Candidates with identical scores do not dominate each
// other, so all of them are on the front. Returns one flag per candidate. O(n² · objectives).
std::vector<bool> pareto_front(const std::vector<std::vector<std::optional<double>>>& scores,
                               const std::vector<pareto_sense>& senses);

// Which objectives pareto_front uses: those with at least one finite value.
std::vector<bool> pareto_objectives_used(const std::vector<std::vector<std::optional<double>>>& scores,
                                         std::size_t objectives);

}  // namespace squall::reports
