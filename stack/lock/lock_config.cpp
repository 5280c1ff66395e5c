#include "stack/lock/lock_config.hpp"

#include "stack/core/assert.hpp"

namespace squall::stack::lock {

duration renew_every(const lock_config& c) { return c.renew_every.value_or(c.ttl / 3); }

duration drift_margin(const lock_config& c) {
  // Redlock: drift = ttl * 0.01 + 2 ms (process clock drift plus a little for the round trip).
  return c.clock_drift_margin.value_or(c.ttl / 100 + duration{2'000'000});
}

std::string fence_key(const std::string& key) { return key + ":fence"; }

void validate(const lock_config& c) {
  SQUALL_ASSERT(!c.key.empty(), "lock key must not be empty");
  SQUALL_ASSERT(c.ttl.count() > 0, "lock ttl must be > 0");
  const duration margin = drift_margin(c);
  SQUALL_ASSERT(margin.count() >= 0 && margin < c.ttl, "lock clock_drift_margin must be in [0, ttl)");
  if (c.renew) {
    // Renewing after the validity ended would extend a lock the client already counts as lost.
    const duration every = renew_every(c);
    SQUALL_ASSERT(every.count() > 0 && every < c.ttl - margin, "lock renew_every must be in (0, ttl - margin)");
  }
  SQUALL_ASSERT(c.acquire_timeout.count() >= 0, "lock acquire_timeout must be >= 0");
  SQUALL_ASSERT(c.command_timeout.count() > 0, "lock command_timeout must be > 0");
  SQUALL_ASSERT(c.backoff.base.count() >= 0 && c.backoff.cap.count() >= 0, "lock backoff base and cap must be >= 0");
}

const char* to_string(release_mode m) {
  switch (m) {
    case release_mode::owner_checked: return "owner_checked";
    case release_mode::blind: return "blind";
  }
  return "?";
}

}  // namespace squall::stack::lock
