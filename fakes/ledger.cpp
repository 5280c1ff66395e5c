#include "fakes/ledger.hpp"

#include <algorithm>

#include "stack/core/assert.hpp"

namespace squall::fakes {

std::string_view to_string(apply_result result) {
  switch (result) {
    case apply_result::applied: return "applied";
    case apply_result::rejected_stale_token: return "rejected_stale_token";
  }
  return "unknown";
}

ledger::ledger(ledger_config config) : config_(config) {
  SQUALL_ASSERT(config_.max_keys > 0, "ledger: max_keys must be positive");
}

apply_result ledger::apply(stack::instant now, const ledger_effect& effect) {
  if (effect.fence_token) {
    const std::string& resource = effect.fence_resource.empty() ? effect.key : effect.fence_resource;
    const std::uint64_t token = *effect.fence_token;
    auto hi = highest_token_.find(resource);
    if (hi != highest_token_.end() && token < hi->second) {
      if (config_.reject_stale_tokens) {
        ++stats_.fencing_rejections;
        return apply_result::rejected_stale_token;
      }
      ++stats_.stale_tokens_applied;
    }
    learn_highest_token(resource, token);
  }

  const ledger_point point{now, effect.node, effect.fence_token, effect.delivery, effect.attempt};
  ++stats_.effects_applied;
  auto it = records_.find(effect.key);
  if (it == records_.end()) {
    SQUALL_ASSERT(records_.size() < config_.max_keys, "ledger: more keys than max_keys");
    records_.emplace(effect.key, ledger_record{1, point, point});
    ++stats_.keys;
    return apply_result::applied;
  }
  ledger_record& r = it->second;
  ++r.applied;
  r.last = point;
  ++stats_.duplicates;
  if (r.applied == 2) {
    ++stats_.keys_affected;
    duplicated_.insert(effect.key);
  }
  return apply_result::applied;
}

void ledger::learn_highest_token(std::string_view resource, std::uint64_t token) {
  auto hi = highest_token_.find(resource);
  if (hi == highest_token_.end()) {
    SQUALL_ASSERT(highest_token_.size() < config_.max_keys, "ledger: more fencing resources than max_keys");
    highest_token_.emplace(std::string(resource), token);
  } else {
    hi->second = std::max(hi->second, token);
  }
}

const ledger_record* ledger::find(std::string_view key) const {
  const auto it = records_.find(key);
  return it == records_.end() ? nullptr : &it->second;
}

std::optional<std::uint64_t> ledger::highest_token(std::string_view resource) const {
  const auto it = highest_token_.find(resource);
  if (it == highest_token_.end()) return std::nullopt;
  return it->second;
}

}  // namespace squall::fakes
