#pragma once
// The data of one simulated Redis database: keys with values and absolute expiry times on the store's clock,
// plus an index of expiries so expired keys can be purged in time order instead of by scanning.
//
// Both the live data and the durable copy of fakes/kv_store are keyspaces. Expiry is absolute (Redis stores
// PEXPIREAT times, in memory and in the AOF), so a key keeps its expiry across copies and restarts.
#include <cstddef>
#include <functional>
#include <set>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>

#include "stack/core/time.hpp"

namespace squall::fakes {

struct kv_entry {
  std::string value;
  stack::instant expire_at = stack::instant::max();  // on the store's clock; max(): no expiry

  bool has_ttl() const { return expire_at != stack::instant::max(); }
  friend bool operator==(const kv_entry&, const kv_entry&) = default;
};

// Transparent, so lookups by string_view do not build a std::string.
struct kv_key_hash {
  using is_transparent = void;
  std::size_t operator()(std::string_view key) const { return std::hash<std::string_view>{}(key); }
};

class kv_keyspace {
 public:
  // Hashed: the store is hit for every lock, claim and marker command, and lookups dominate its cost. Nothing
  // depends on the iteration order (restart accounting only counts).
  using map = std::unordered_map<std::string, kv_entry, kv_key_hash, std::equal_to<>>;

  // Removes every key whose expiry is at or before `store_now` (a TTL that has elapsed is expired);
  // returns how many. Keys in memory afterwards are exactly the keys live at `store_now`.
  std::size_t purge(stack::instant store_now);

  const kv_entry* find(std::string_view key) const;
  void put(const std::string& key, kv_entry entry);
  bool erase(std::string_view key);
  void clear();

  std::size_t size() const { return entries_.size(); }
  std::size_t expiries_indexed() const { return expiries_.size(); }
  const map& entries() const { return entries_; }

 private:
  void unindex(const std::string& key, const kv_entry& entry);

  map entries_;
  // Exactly one (expiry, key) pair per key with a TTL: updated on every put/erase, so it never holds stale
  // pairs and its size is bounded by the key space.
  std::set<std::pair<stack::instant, std::string>> expiries_;
};

}  // namespace squall::fakes
