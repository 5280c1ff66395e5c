#include "reports/duplicates_checker.hpp"

#include <algorithm>
#include <iterator>
#include <limits>
#include <stdexcept>
#include <string>

#include "reports/json_number.hpp"

namespace squall::reports {

using history::event;
using history::event_type;
using json = nlohmann::json;

namespace {

duplicates_checker::entry to_entry(const event& e) {
  duplicates_checker::entry x;
  x.t_ns = e.t_ns;
  x.seq = e.seq;
  x.proc = e.proc;
  x.type = e.type;
  x.value_ns = e.value_ns;
  x.attempt = e.attempt;
  switch (e.type) {
    case event_type::delivery:
    case event_type::dlq: x.a = e.req; break;
    default: x.a = e.token; break;
  }
  switch (e.type) {
    case event_type::effect: x.flag = static_cast<std::uint8_t>(e.outcome); break;
    case event_type::dlq: x.flag = static_cast<std::uint8_t>(e.cause); break;
    case event_type::store_restart: x.flag = e.data_lost ? 1 : 0; break;
    default: break;
  }
  return x;
}

// An entry as its JSONL line reads, without the key (the example names it once).
json entry_json(const duplicates_checker::entry& x) {
  json j = {{"t_ns", x.t_ns}, {"seq", x.seq}, {"type", history::to_string(x.type)}};
  if (x.proc >= 0) j["proc"] = "w" + std::to_string(x.proc);
  switch (x.type) {
    case event_type::delivery:
      j["req"] = x.a;
      j["attempt"] = x.attempt;
      break;
    case event_type::dlq:
      j["req"] = x.a;
      j["cause"] = history::to_string(static_cast<history::dlq_cause>(x.flag));
      break;
    case event_type::lock_acquired:
    case event_type::lock_renewed:
      j["token"] = x.a;
      j["ttl_ns"] = x.value_ns;
      break;
    case event_type::lock_released: j["token"] = x.a; break;
    case event_type::lock_lost:
      j["token"] = x.a;
      j["valid_until_ns"] = x.value_ns;
      break;
    case event_type::effect:
      j["token"] = x.a;
      j["outcome"] = history::to_string(static_cast<history::effect_outcome>(x.flag));
      break;
    case event_type::store_restart:
      j["downtime_ns"] = x.value_ns;
      j["data_lost"] = x.flag != 0;
      break;
    case event_type::process_pause: j["pause_ns"] = x.value_ns; break;
    case event_type::clock_jump: j["jump_ns"] = x.value_ns; break;
    default: break;
  }
  return j;
}

}  // namespace

duplicates_checker::duplicates_checker(const history::header& h) : duration_ns_(h.duration_ns) {}

duplicates_checker::key_state& duplicates_checker::state(std::uint64_t key) {
  const auto it = keys_.find(key);
  if (it != keys_.end()) return it->second;
  if (keys_.size() >= keys_max) {
    throw std::length_error("duplicates: more than " + std::to_string(keys_max) + " distinct keys");
  }
  return keys_[key];
}

void duplicates_checker::on_event(const event& e) {
  if (finished_) throw std::logic_error("duplicates_checker: event after finish");
  last_t_ns_ = std::max(last_t_ns_, e.t_ns);
  switch (e.type) {
    case event_type::delivery: {
      present_ = true;
      ++deliveries_;
      if (e.attempt > 1) ++redeliveries_;
      record(e.key, state(e.key), e);
      break;
    }
    case event_type::dlq: {
      present_ = true;
      ++dlq_by_cause_[e.cause == history::dlq_cause::permanent ? 1 : 0];
      record(e.key, state(e.key), e);
      break;
    }
    case event_type::lock_acquired: {
      present_ = true;
      key_state& k = state(e.key);
      record(e.key, k, e);
      // A fencing token must exceed every token granted before for this key; one that does not means the
      // store lost its counter (a restart without persistence), and fencing no longer orders the holders.
      // (The same token again from the same holder is the same grant, not a regression.)
      if (e.token > 0) {
        if (e.token < k.max_token || (e.token == k.max_token && e.proc != k.max_token_proc)) {
          ++fencing_token_regressions_;
        } else {
          k.max_token = e.token;
          k.max_token_proc = e.proc;
        }
      }
      acquire(e.key, k, e);
      break;
    }
    case event_type::lock_renewed: {
      present_ = true;
      key_state& k = state(e.key);
      record(e.key, k, e);
      for (holder& h : k.holders) {
        if (h.proc != e.proc) continue;
        h.token = e.token;
        h.expires_ns = e.value_ns > 0 ? e.t_ns + e.value_ns : std::numeric_limits<std::int64_t>::max();
      }
      break;
    }
    case event_type::lock_released:
    case event_type::lock_lost: {
      present_ = true;
      key_state& k = state(e.key);
      record(e.key, k, e);
      drop_holder(e.key, k, e.proc);
      break;
    }
    case event_type::idempotency_skip: {
      present_ = true;
      ++idempotency_skips_;
      record(e.key, state(e.key), e);
      break;
    }
    case event_type::effect: {
      present_ = true;
      on_effect(e.key, state(e.key), e);
      break;
    }
    case event_type::worker_crash: {
      marker(e);
      const auto it = held_by_.find(e.proc);
      if (it == held_by_.end()) break;
      const std::vector<std::uint64_t> held = it->second;  // drop_holder edits the index
      for (const std::uint64_t key : held) {
        key_state& k = keys_.at(key);
        for (const holder& h : k.holders) {
          if (h.proc != e.proc) continue;
          if (!k.stalled) {
            k.stalled = true;
            k.stall_since_ns = e.t_ns;
            k.stall_until_ns = h.expires_ns;
            stalled_keys_.insert(key);
          } else {
            k.stall_until_ns = std::max(k.stall_until_ns, h.expires_ns);
          }
        }
        drop_holder(key, k, e.proc);
      }
      break;
    }
    case event_type::store_restart: {
      marker(e);
      if (e.data_lost) {
        const std::vector<std::uint64_t> stalled(stalled_keys_.begin(), stalled_keys_.end());
        for (const std::uint64_t key : stalled) close_stall(key, keys_.at(key), e.t_ns);
      }
      break;
    }
    case event_type::process_pause:
    case event_type::clock_jump: marker(e); break;
    default: break;
  }
}

void duplicates_checker::record(std::uint64_t key, key_state& k, const event& e) {
  if (k.chain_done) return;
  // Once examples_max examples exist, a larger key can never become one: stop keeping its chain.
  if (examples_.size() == examples_max && key > examples_.rbegin()->first) {
    k.chain_done = true;
    std::vector<entry>().swap(k.ring);
    return;
  }
  const entry x = to_entry(e);
  if (k.ring.size() < chain_max) {
    k.ring.push_back(x);
  } else {
    k.ring[k.ring_next] = x;
    k.ring_next = (k.ring_next + 1) % chain_max;
    k.ring_dropped = true;
  }
}

void duplicates_checker::marker(const event& e) {
  const entry x = to_entry(e);
  if (marker_log_.size() < marker_log_max) {
    marker_log_.push_back(x);
  } else {
    marker_log_[markers_total_ % marker_log_max] = x;
  }
  ++markers_total_;
}

void duplicates_checker::acquire(std::uint64_t key, key_state& k, const event& e) {
  // Someone got the lock: the store had freed it, so a crashed holder's stall ends here.
  if (k.stalled) close_stall(key, k, e.t_ns);
  const std::int64_t expires =
      e.value_ns > 0 ? e.t_ns + e.value_ns : std::numeric_limits<std::int64_t>::max();
  for (holder& h : k.holders) {
    if (h.proc == e.proc) {  // re-acquired by the same holder: a renewal, not an overlap
      h.token = e.token;
      h.expires_ns = expires;
      return;
    }
  }
  for (const holder& h : k.holders) {
    ++lock_overlaps_;
    k.overlaps.push_back({h.proc, e.proc});
  }
  k.holders.push_back({e.proc, e.token, expires});
  held_by_[e.proc].push_back(key);
}

void duplicates_checker::drop_holder(std::uint64_t key, key_state& k, std::int32_t proc) {
  const auto before = k.holders.size();
  std::erase_if(k.holders, [&](const holder& h) { return h.proc == proc; });
  if (k.holders.size() == before) return;
  std::erase_if(k.overlaps, [&](const overlap& o) { return o.a == proc || o.b == proc; });
  const auto it = held_by_.find(proc);
  if (it == held_by_.end()) return;
  std::erase(it->second, key);
  if (it->second.empty()) held_by_.erase(it);
}

void duplicates_checker::close_stall(std::uint64_t key, key_state& k, std::int64_t at_ns) {
  if (!k.stalled) return;
  const std::int64_t end = std::min(at_ns, k.stall_until_ns);
  if (end > k.stall_since_ns) stall_ns_ += end - k.stall_since_ns;
  k.stalled = false;
  stalled_keys_.erase(key);
}

void duplicates_checker::on_effect(std::uint64_t key, key_state& k, const event& e) {
  if (e.outcome == history::effect_outcome::rejected_stale) {
    ++fencing_rejections_;
    record(key, k, e);
    return;
  }
  ++effects_applied_;
  ++k.applied;
  for (overlap& o : k.overlaps) {
    if (o.a == e.proc) o.a_applied = true;
    if (o.b == e.proc) o.b_applied = true;
    if (o.a_applied && o.b_applied && !o.counted) {
      o.counted = true;
      ++overlap_effects_;
    }
  }
  if (k.applied == 1) {
    k.markers_at_first = markers_total_;
    k.first_applied_ns = e.t_ns;
    record(key, k, e);
    return;
  }
  ++effects_duplicated_;
  if (k.applied > 2) return;
  ++keys_affected_;
  record(key, k, e);
  const bool qualifies = examples_.size() < examples_max || key < examples_.rbegin()->first;
  if (!qualifies || k.chain_done) {
    examples_truncated_ = true;
    k.chain_done = true;
    std::vector<entry>().swap(k.ring);
    return;
  }
  example ex{key, k.first_applied_ns, e.t_ns, {}, k.ring_dropped};
  for (std::size_t i = 0; i < k.ring.size(); ++i) ex.chain.push_back(k.ring[(k.ring_next + i) % k.ring.size()]);
  // The markers between the first and the second application, as far as the marker ring still has them.
  const std::uint64_t kept_from = markers_total_ > marker_log_max ? markers_total_ - marker_log_max : 0;
  std::uint64_t from = k.markers_at_first;
  if (from < kept_from) {
    ex.truncated = true;
    from = kept_from;
  }
  if (markers_total_ - from > markers_max) ex.truncated = true;
  const std::uint64_t to = std::min(markers_total_, from + markers_max);
  for (std::uint64_t i = from; i < to; ++i) {
    ex.chain.push_back(marker_log_[i % marker_log_max]);  // marker #i always sits at i % marker_log_max
  }
  std::stable_sort(ex.chain.begin(), ex.chain.end(), [](const entry& a, const entry& b) {
    return a.t_ns != b.t_ns ? a.t_ns < b.t_ns : a.seq < b.seq;
  });
  if (examples_.size() == examples_max) {
    examples_truncated_ = true;
    examples_.erase(std::prev(examples_.end()));
  }
  examples_.emplace(key, std::move(ex));
  k.chain_done = true;
  std::vector<entry>().swap(k.ring);
}

void duplicates_checker::finish() {
  if (finished_) return;
  finished_ = true;
  const std::int64_t end = std::max(duration_ns_, last_t_ns_);
  const std::vector<std::uint64_t> stalled(stalled_keys_.begin(), stalled_keys_.end());
  for (const std::uint64_t key : stalled) close_stall(key, keys_.at(key), end);
}

json duplicates_checker::to_json() const {
  json examples = json::array();
  for (const auto& [key, ex] : examples_) {
    json chain = json::array();
    for (const entry& x : ex.chain) chain.push_back(entry_json(x));
    examples.push_back({{"key", key},
                        {"applications", keys_.at(key).applied},
                        {"first_applied_s", seconds_from_ns(ex.first_t_ns)},
                        {"second_applied_s", seconds_from_ns(ex.second_t_ns)},
                        {"chain", std::move(chain)},
                        {"chain_truncated", ex.truncated}});
  }
  return {{"effects_applied", effects_applied_},
          {"effects_duplicated", effects_duplicated_},
          {"keys_affected", keys_affected_},
          {"fencing_rejections", fencing_rejections_},
          {"fencing_token_regressions", fencing_token_regressions_},
          {"lock_overlaps", lock_overlaps_},
          {"overlap_effects", overlap_effects_},
          {"deliveries", deliveries_},
          {"redeliveries", redeliveries_},
          {"dlq",
           {{"total", dlq_by_cause_[0] + dlq_by_cause_[1]},
            {"by_cause", {{"max_deliveries", dlq_by_cause_[0]}, {"permanent", dlq_by_cause_[1]}}}}},
          {"idempotency_skips", idempotency_skips_},
          {"stale_lock_stall_s", seconds_from_ns(stall_ns_)},
          {"examples", std::move(examples)},
          {"examples_truncated", examples_truncated_}};
}

}  // namespace squall::reports
