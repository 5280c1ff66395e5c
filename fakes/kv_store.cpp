#include "fakes/kv_store.hpp"

#include <algorithm>
#include <charconv>
#include <limits>
#include <system_error>
#include <unordered_map>
#include <utility>

#include "fakes/latency.hpp"
#include "stack/core/assert.hpp"

namespace squall::fakes {

using stack::kv_op;
using stack::kv_reply;
using stack::kv_status;

namespace {

kv_reply ok() { return kv_reply{kv_status::ok, {}, 0}; }
kv_reply nil() { return kv_reply{kv_status::nil, {}, 0}; }
kv_reply integer(std::int64_t n) { return kv_reply{kv_status::ok, {}, n}; }

// SET … PX ttl: the absolute expiry on the store clock; ttl 0 means no expiry (kv.hpp).
stack::instant expiry(stack::instant store_now, stack::duration ttl) {
  SQUALL_ASSERT(ttl.count() >= 0, "a negative ttl in SET is a model bug");
  if (ttl.count() == 0) return stack::instant::max();
  SQUALL_ASSERT(store_now < stack::instant::max() - ttl, "ttl overflows the store clock");  // (a store clock may read negative)
  return store_now + ttl;
}

// Redis's string2ll accepts only the canonical decimal form ("7", "-3"; not "+7", "07", " 7").
std::int64_t parse_counter(const std::string& s) {
  std::int64_t v = 0;
  const char* end = s.data() + s.size();
  const auto [ptr, ec] = std::from_chars(s.data(), end, v);
  const bool canonical = ec == std::errc{} && ptr == end && std::to_string(v) == s;
  SQUALL_ASSERT(canonical, "INCR of a value that is not a 64-bit integer (a model bug, see kv_store.hpp)");
  return v;
}

}  // namespace

kv_store::kv_store(kv_store_config config, sim::rng rng)
    : config_(std::move(config)), rng_(rng), clock_(config_.clock) {
  const auto p = static_cast<int>(config_.persistence);
  SQUALL_ASSERT(p >= 0 && p <= static_cast<int>(kv_persistence::aof_always), "unknown persistence mode");
}

// Everything that happens with the passage of time, before the command or fault at `true_now`.
void kv_store::advance(stack::instant true_now) {
  SQUALL_ASSERT(true_now >= last_now_, "commands and faults must reach the store in time order");
  last_now_ = true_now;
  std::erase_if(unavailable_, [&](const window& w) { return w.to <= true_now; });
  // A crash at or after true_now loses only writes younger than fsync_lag, so older ones are durable now.
  forget_journal(true_now - fsync_lag);
  stats_.keys_expired += live_.purge(clock_.local(true_now));
}

void kv_store::forget_journal(stack::instant through) {
  while (!journal_.empty() && journal_.front().at <= through) journal_.pop_front();
}

bool kv_store::refusing(stack::instant true_now) const {
  if (true_now < down_until_) return true;
  return std::any_of(unavailable_.begin(), unavailable_.end(),
                     [&](const window& w) { return w.from <= true_now && true_now < w.to; });
}

kv_result kv_store::execute(stack::instant true_now, const stack::kv_command& command) {
  advance(true_now);
  if (refusing(true_now)) {
    ++stats_.commands_refused;
    return kv_result{true, true_now + refuse_latency, kv_reply{kv_status::unavailable, {}, 0}};
  }
  ++stats_.commands_executed;
  kv_reply reply = apply(true_now, command);
  return kv_result{true, true_now + draw_latency(config_.latency, rng_), std::move(reply)};
}

kv_reply kv_store::apply(stack::instant true_now, const stack::kv_command& c) {
  const stack::instant store_now = clock_.local(true_now);
  const kv_entry* found = live_.find(c.key);  // expired keys were purged by advance()
  const bool owner = found != nullptr && found->value == c.value;
  switch (c.op) {
    case kv_op::set_nx_px:
      if (found != nullptr) return nil();
      write(true_now, c.key, kv_entry{c.value, expiry(store_now, c.ttl)});
      return ok();
    case kv_op::set_px:
      write(true_now, c.key, kv_entry{c.value, expiry(store_now, c.ttl)});
      return ok();
    case kv_op::get:
      if (found == nullptr) return nil();
      return kv_reply{kv_status::ok, found->value, 0};
    case kv_op::del:
      if (found == nullptr) return integer(0);
      write(true_now, c.key, std::nullopt);
      return integer(1);
    case kv_op::pexpire:
      if (found == nullptr) return integer(0);
      return extend(true_now, store_now, c.key, c.ttl);
    case kv_op::incr:
      return incr(true_now, c.key);
    case kv_op::del_if_owner:
      if (!owner) return integer(0);
      write(true_now, c.key, std::nullopt);
      return integer(1);
    case kv_op::pexpire_if_owner:
      if (!owner) return integer(0);
      return extend(true_now, store_now, c.key, c.ttl);
  }
  SQUALL_ASSERT(false, "unknown kv_op");
  return nil();
}

// PEXPIRE on a live key. A ttl <= 0 deletes it (Redis: an expiry in the past deletes, and still answers 1).
kv_reply kv_store::extend(stack::instant true_now, stack::instant store_now, const std::string& key,
                          stack::duration ttl) {
  if (ttl.count() <= 0) {
    write(true_now, key, std::nullopt);
    return integer(1);
  }
  kv_entry e = *live_.find(key);
  SQUALL_ASSERT(store_now < stack::instant::max() - ttl, "ttl overflows the store clock");  // (a store clock may read negative)
  e.expire_at = store_now + ttl;
  write(true_now, key, std::move(e));
  return integer(1);
}

// INCR keeps an existing key's TTL; a missing key starts from 0 with no TTL.
kv_reply kv_store::incr(stack::instant true_now, const std::string& key) {
  const kv_entry* found = live_.find(key);
  kv_entry e = found != nullptr ? *found : kv_entry{"0", stack::instant::max()};
  const std::int64_t v = parse_counter(e.value);
  SQUALL_ASSERT(v < std::numeric_limits<std::int64_t>::max(), "INCR past INT64_MAX (a model bug)");
  e.value = std::to_string(v + 1);
  write(true_now, key, std::move(e));
  return integer(v + 1);
}

void kv_store::write(stack::instant true_now, const std::string& key, std::optional<kv_entry> after) {
  if (config_.persistence == kv_persistence::aof_everysec) {
    const kv_entry* replaced = live_.find(key);
    journal_.push_back({true_now, key, replaced ? std::optional<kv_entry>(*replaced) : std::nullopt});
  }
  if (after) live_.put(key, std::move(*after));
  else live_.erase(key);
}

void kv_store::restart(stack::instant true_now, stack::duration downtime) {
  SQUALL_ASSERT(downtime.count() >= 0, "a negative downtime is a model bug");
  advance(true_now);  // forgets every write at or before crash − fsync_lag: those are durable
  ++stats_.restarts;
  switch (config_.persistence) {
    case kv_persistence::none:
      stats_.keys_lost_last_restart = live_.size();
      stats_.keys_reverted_last_restart = 0;
      live_.clear();
      break;
    case kv_persistence::aof_always:  // every acknowledged write was fsynced
      stats_.keys_lost_last_restart = 0;
      stats_.keys_reverted_last_restart = 0;
      break;
    case kv_persistence::aof_everysec: undo_journal(true_now); break;
  }
  down_until_ = std::max(down_until_, true_now + downtime);
}

// The writes of the last second never reached the disk: roll them back, newest first, and count per key what
// the crash changed (gone, or back with an older value, TTL or after a lost DEL).
void kv_store::undo_journal(stack::instant true_now) {
  std::unordered_map<std::string, std::optional<kv_entry>> at_crash;
  for (const write_effect& w : journal_) {
    if (!at_crash.contains(w.key)) {
      const kv_entry* e = live_.find(w.key);
      at_crash.emplace(w.key, e ? std::optional<kv_entry>(*e) : std::nullopt);
    }
  }
  for (auto it = journal_.rbegin(); it != journal_.rend(); ++it) {
    if (it->before) live_.put(it->key, std::move(*it->before));
    else live_.erase(it->key);
  }
  journal_.clear();
  live_.purge(clock_.local(true_now));  // a restored entry may have expired since it was replaced
  std::uint64_t lost = 0, reverted = 0;
  for (const auto& [key, before] : at_crash) {
    const kv_entry* now = live_.find(key);
    if (before && now == nullptr) ++lost;
    else if (now != nullptr && (!before || *now != *before)) ++reverted;
  }
  stats_.keys_lost_last_restart = lost;
  stats_.keys_reverted_last_restart = reverted;
}

void kv_store::set_unavailable(stack::instant from, stack::instant to) {
  SQUALL_ASSERT(from <= to, "an unavailability window must not end before it starts");
  if (from < to) unavailable_.push_back({from, to});
}

kv_store_stats kv_store::stats() const {
  kv_store_stats s = stats_;
  s.keys_live = live_.size();
  s.journal_writes = journal_.size();
  return s;
}

const char* to_string(kv_persistence p) {
  switch (p) {
    case kv_persistence::none: return "none";
    case kv_persistence::aof_everysec: return "aof_everysec";
    case kv_persistence::aof_always: return "aof_always";
  }
  return "?";
}

}  // namespace squall::fakes
