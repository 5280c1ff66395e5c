#pragma once
// The downstream system the jobs act on (billing, a deploy, a ticket), reduced to what squall needs from it:
// ground truth (DESIGN.md §2). A worker's view of an attempt can be indeterminate; the ledger records what was
// actually applied, per idempotency key, so duplicates are counted here and nowhere else.
//
// With reject_stale_tokens it is also Kleppmann's fencing storage: it remembers the highest fencing token it
// has accepted per resource (the lock's name when given, else the key) and refuses writes carrying a lower one,
// so a lock holder that paused past its lease cannot apply after a newer holder did. An equal token is
// accepted: it is the same lock grant, e.g. the holder retrying a write whose reply it lost. An effect without
// a token is never checked (nothing to compare) and does not move the highest token.
//
// Memory: one record per distinct key ever applied and one token per fencing resource, both at most max_keys
// (exceeding it aborts); duplicated keys are also kept in a sorted set. This grows with the key space, not with
// the number of applications: a key applied a million times is still one record.
#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>

#include "stack/core/time.hpp"

namespace squall::fakes {

struct ledger_config {
  bool reject_stale_tokens = false;
  std::size_t max_keys = std::size_t{1} << 22;  // records and fencing resources, each; > 0
};

// One attempt to apply a side effect.
struct ledger_effect {
  std::string key;   // the side effect's idempotency key
  std::string node;  // who applied it
  std::optional<std::uint64_t> fence_token;
  std::string fence_resource;  // the lock the token came from; empty: tokens are compared per key
  std::uint64_t delivery = 0;  // the queue delivery that led here (job_queue's delivery id); 0: none (cron)
  std::uint32_t attempt = 0;   // that delivery's round, or the worker's attempt number; 0: unknown
};

enum class apply_result : std::uint8_t { applied, rejected_stale_token };
std::string_view to_string(apply_result result);

struct ledger_point {  // one applied effect, for explaining duplicates
  stack::instant at{};
  std::string node;
  std::optional<std::uint64_t> fence_token;
  std::uint64_t delivery = 0;
  std::uint32_t attempt = 0;
};

struct ledger_record {
  std::uint64_t applied = 0;  // >= 1: records exist only for keys applied at least once
  ledger_point first;
  ledger_point last;
};

struct ledger_stats {
  std::uint64_t effects_applied = 0;
  std::uint64_t duplicates = 0;     // applications beyond the first, summed over keys
  std::uint64_t keys_affected = 0;  // keys applied more than once
  std::uint64_t keys = 0;           // keys applied at least once
  std::uint64_t fencing_rejections = 0;
  // Applied although lower than the highest token seen for its resource (possible only with fencing off):
  // what fencing would have refused.
  std::uint64_t stale_tokens_applied = 0;
};

class ledger {
 public:
  using records_map = std::map<std::string, ledger_record, std::less<>>;

  explicit ledger(ledger_config config);

  apply_result apply(stack::instant now, const ledger_effect& effect);
  // Raises the highest token of a fencing resource to at least `token`: one that another copy of this fencing
  // storage accepted (several processes of one real run share their tokens through a store, net::shared_fence).
  void learn_highest_token(std::string_view resource, std::uint64_t token);

  const ledger_record* find(std::string_view key) const;
  // Highest token applied for a fencing resource (the key itself when the effect named no resource).
  std::optional<std::uint64_t> highest_token(std::string_view resource) const;
  // Keys applied more than once, in key order (deterministic, for reports); look each up with find().
  const std::set<std::string, std::less<>>& duplicated_keys() const { return duplicated_; }
  const records_map& records() const { return records_; }
  const ledger_stats& stats() const { return stats_; }

 private:
  ledger_config config_;
  records_map records_;
  std::map<std::string, std::uint64_t, std::less<>> highest_token_;
  std::set<std::string, std::less<>> duplicated_;
  ledger_stats stats_;
};

}  // namespace squall::fakes
