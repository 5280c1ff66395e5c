#pragma once
// Duplicated effects, lock overlaps, fencing rejections, stale-lock stall time, DLQ, redeliveries and
// idempotency skips (docs/report-format.md, "duplicates"), folded online from queue, lock and ledger events.
// Duplicates are counted from the ledger's `effect` events (ground truth), never from the client's view.
//
// Memory is bounded by the key space: one small state per distinct key (at most keys_max; one more throws, so
// the section becomes unknown instead of the run eating memory). Until a key's second application the state
// keeps the last chain_max events that touched the key (40 bytes each); after it, the chain is dropped unless
// the key is one of the examples_max smallest duplicated keys, and once examples_max examples exist, keys
// above the largest of them stop recording chains altogether. Global markers (store restarts, pauses, crashes,
// clock jumps) live in a ring of the last marker_log_max. Lock holders and their overlapping pairs are kept
// only while held.
#include <cstdint>
#include <map>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include <nlohmann/json.hpp>

#include "history/event.hpp"

namespace squall::reports {

class duplicates_checker {
 public:
  static constexpr std::size_t keys_max = std::size_t{1} << 18;
  static constexpr std::size_t examples_max = 20;
  static constexpr std::size_t chain_max = 16;        // key events per example
  static constexpr std::size_t markers_max = 16;      // global markers per example
  static constexpr std::size_t marker_log_max = 256;  // recent global markers kept for the examples

  explicit duplicates_checker(const history::header& h);

  void on_event(const history::event& e);
  // Closes stall intervals still open at the end of the run. Call once, after the last event.
  void finish();
  // True when the history has at least one delivery, dlq, lock_*, idempotency_skip or effect event: only then
  // does the report carry a "duplicates" section (HTTP-only reports are unchanged).
  bool present() const { return present_; }
  nlohmann::json to_json() const;

  // One event of an explanation chain, compact: `a` is req (delivery, dlq) or token (lock, effect).
  struct entry {
    std::int64_t t_ns = 0;
    std::uint64_t seq = 0;
    std::uint64_t a = 0;
    std::int64_t value_ns = 0;
    std::int32_t proc = -1;
    std::uint16_t attempt = 0;
    history::event_type type = history::event_type::effect;
    std::uint8_t flag = 0;  // outcome (effect), cause (dlq), data_lost (store_restart)
  };

 private:
  struct holder {
    std::int32_t proc;
    std::uint64_t token;
    std::int64_t expires_ns;  // last grant or renewal + ttl; INT64_MAX when the ttl is 0 (unknown)
  };
  struct overlap {
    std::int32_t a;
    std::int32_t b;
    bool a_applied = false;
    bool b_applied = false;
    bool counted = false;
  };
  struct key_state {
    std::uint32_t applied = 0;
    std::uint64_t max_token = 0;         // highest fencing token granted for the key, and to whom
    std::int32_t max_token_proc = -1;
    std::uint64_t markers_at_first = 0;  // markers_total_ at the first application
    std::int64_t first_applied_ns = 0;
    std::vector<entry> ring;             // last chain_max events touching the key, oldest at ring_next
    std::size_t ring_next = 0;
    bool ring_dropped = false;           // older events fell out of the ring
    bool chain_done = false;             // second application seen, or pruned: stop recording
    std::vector<holder> holders;
    std::vector<overlap> overlaps;
    bool stalled = false;
    std::int64_t stall_since_ns = 0;
    std::int64_t stall_until_ns = 0;
  };
  struct example {
    std::uint64_t key;
    std::int64_t first_t_ns;
    std::int64_t second_t_ns;
    std::vector<entry> chain;  // key events and window markers, in (t_ns, seq) order
    bool truncated;
  };

  key_state& state(std::uint64_t key);
  void record(std::uint64_t key, key_state& k, const history::event& e);
  void on_effect(std::uint64_t key, key_state& k, const history::event& e);
  void acquire(std::uint64_t key, key_state& k, const history::event& e);
  void drop_holder(std::uint64_t key, key_state& k, std::int32_t proc);
  void close_stall(std::uint64_t key, key_state& k, std::int64_t at_ns);
  void marker(const history::event& e);

  std::int64_t duration_ns_;
  std::int64_t last_t_ns_ = 0;
  bool present_ = false;
  bool finished_ = false;
  std::unordered_map<std::uint64_t, key_state> keys_;
  std::unordered_map<std::int32_t, std::vector<std::uint64_t>> held_by_;  // proc -> keys it holds
  std::unordered_set<std::uint64_t> stalled_keys_;
  std::vector<entry> marker_log_;  // ring of the last marker_log_max markers
  std::uint64_t markers_total_ = 0;
  std::map<std::uint64_t, example> examples_;  // the examples_max smallest duplicated keys
  bool examples_truncated_ = false;

  std::uint64_t effects_applied_ = 0;
  std::uint64_t effects_duplicated_ = 0;
  std::uint64_t keys_affected_ = 0;
  std::uint64_t fencing_rejections_ = 0;
  std::uint64_t fencing_token_regressions_ = 0;
  std::uint64_t lock_overlaps_ = 0;
  std::uint64_t overlap_effects_ = 0;
  std::uint64_t deliveries_ = 0;
  std::uint64_t redeliveries_ = 0;
  std::uint64_t dlq_by_cause_[2] = {};
  std::uint64_t idempotency_skips_ = 0;
  std::int64_t stall_ns_ = 0;
};

}  // namespace squall::reports
