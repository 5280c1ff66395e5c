#pragma once
// What a lease lock tells its owner, for the history and its checkers (the history schema maps these later).
// Times are on the client's clock: a checker compares them with the store's ground truth to find overlaps.
#include <cstdint>
#include <string>

#include "stack/core/time.hpp"

namespace squall::stack::lock {

enum class lock_event_kind : std::uint8_t {
  acquired,           // the key is ours (and, with fencing, the token is known): valid until valid_until
  acquire_failed,     // gave up: reason says why
  renewed,            // a compare-and-extend succeeded: valid_until moved
  renewal_failed,     // a renewal did not extend (reason); unless the reason is not_owner, renewal goes on
  lost,               // the client stopped believing it holds the lock (reason)
  released,           // the release command was answered (deleted says whether a key was removed)
  release_not_owner,  // owner-checked release found another owner's value or no key: nothing deleted
};

enum class lock_reason : std::uint8_t {
  none,
  acquire_timeout,     // acquire_failed: the wait budget ran out while another owner held the key
  store_unavailable,   // the store refused (acquire_failed: its last failure when the budget ran out)
  store_timeout,       // a command got no answer in time (it may have run)
  expired_before_use,  // acquire_failed: the validity was spent before the acquisition completed
  not_owner,           // renewal_failed, lost: the compare-and-extend found another value or no key
  validity_expired,    // lost: ttl - margin passed on the client's clock since the last confirmed extension
};

struct lock_event {
  lock_event_kind kind = lock_event_kind::acquired;
  lock_reason reason = lock_reason::none;
  instant at{};             // the client-clock time of the input that produced the event
  std::string token;        // the owner token of the acquisition this event belongs to
  std::int64_t fence = 0;   // acquired and later (fencing on): INCR's value; 0 = no fencing token
  instant valid_until{};    // acquired, renewed, lost: the end of the validity on the client's clock
  bool deleted = false;     // released: the store removed a key (blind: possibly another owner's)
  int attempts = 0;         // acquired, acquire_failed: SET NX attempts of this acquisition
};

const char* to_string(lock_event_kind k);
const char* to_string(lock_reason r);

}  // namespace squall::stack::lock
