#include "fakes/kv_keyspace.hpp"

#include "stack/core/assert.hpp"

namespace squall::fakes {

std::size_t kv_keyspace::purge(stack::instant store_now) {
  std::size_t purged = 0;
  while (!expiries_.empty() && expiries_.begin()->first <= store_now) {
    const auto node = expiries_.extract(expiries_.begin());
    const bool erased = entries_.erase(node.value().second) == 1;
    SQUALL_ASSERT(erased, "the expiry index names a key that is not in the keyspace");
    ++purged;
  }
  return purged;
}

const kv_entry* kv_keyspace::find(std::string_view key) const {
  const auto it = entries_.find(key);
  return it == entries_.end() ? nullptr : &it->second;
}

void kv_keyspace::unindex(const std::string& key, const kv_entry& entry) {
  if (!entry.has_ttl()) return;
  const bool erased = expiries_.erase({entry.expire_at, key}) == 1;
  SQUALL_ASSERT(erased, "a key with a TTL is missing from the expiry index");
}

void kv_keyspace::put(const std::string& key, kv_entry entry) {
  const auto it = entries_.find(key);
  if (it != entries_.end()) unindex(key, it->second);
  if (entry.has_ttl()) expiries_.emplace(entry.expire_at, key);
  entries_.insert_or_assign(key, std::move(entry));
}

bool kv_keyspace::erase(std::string_view key) {
  const auto it = entries_.find(key);
  if (it == entries_.end()) return false;
  unindex(it->first, it->second);
  entries_.erase(it);
  return true;
}

void kv_keyspace::clear() {
  entries_.clear();
  expiries_.clear();
}

}  // namespace squall::fakes
