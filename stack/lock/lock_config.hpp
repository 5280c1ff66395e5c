#pragma once
// Configuration of one lease lock (seeds 002 and 003): a key held with an owner token and a TTL, optional heartbeat
// renewal, owner-checked or blind release, optional fencing tokens. The unsafe variants (renew = false,
// release = blind) are first-class so users can demonstrate what they break.
#include <cstdint>
#include <optional>
#include <string>

#include "stack/core/time.hpp"
#include "stack/resilience/backoff.hpp"

namespace squall::stack::lock {

enum class release_mode : std::uint8_t {
  owner_checked,  // compare-and-delete (the Lua script): never deletes another owner's lock
  blind,          // plain DEL: deletes whatever holds the key, another owner's lock included (unsafe on purpose)
};

struct lock_config {
  std::string key;
  duration ttl{10'000'000'000};                  // PX of SET NX and of every renewal (the store's clock)
  bool renew = true;                             // heartbeat renewal while still owner
  std::optional<duration> renew_every;           // unset: ttl / 3 (Redisson's watchdog rhythm)
  release_mode release = release_mode::owner_checked;
  bool fencing = false;                          // INCR `<key>:fence` after winning the key: a monotonic token
  duration acquire_timeout{10'000'000'000};      // wait budget: no SET NX starts later than this after start
                                                 // (0: try once)
  // Delay between attempts after contention or a store failure (acquire, fence INCR, renewal).
  resilience::backoff_config backoff{resilience::backoff_kind::full_jitter, duration{50'000'000},
                                     duration{2'000'000'000}};
  // Validity = ttl - elapsed - margin on the client's clock (Redlock). Unset: ttl / 100 + 2 ms, Redlock's drift.
  std::optional<duration> clock_drift_margin;
  // Deadline the owner gives each command it sends (the port answers `timeout` after it). The lock does not
  // enforce it itself: it relies on exactly one reply per command, as http_handler does.
  duration command_timeout{1'000'000'000};
};

// The effective values of the optional fields.
duration renew_every(const lock_config& c);
duration drift_margin(const lock_config& c);
std::string fence_key(const std::string& key);

// Checks every field (SQUALL_ASSERT): the scenario parser reports user errors; reaching here with one is a bug.
void validate(const lock_config& c);

const char* to_string(release_mode m);

}  // namespace squall::stack::lock
