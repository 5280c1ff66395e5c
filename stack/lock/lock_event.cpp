#include "stack/lock/lock_event.hpp"

namespace squall::stack::lock {

const char* to_string(lock_event_kind k) {
  switch (k) {
    case lock_event_kind::acquired: return "acquired";
    case lock_event_kind::acquire_failed: return "acquire_failed";
    case lock_event_kind::renewed: return "renewed";
    case lock_event_kind::renewal_failed: return "renewal_failed";
    case lock_event_kind::lost: return "lost";
    case lock_event_kind::released: return "released";
    case lock_event_kind::release_not_owner: return "release_not_owner";
  }
  return "?";
}

const char* to_string(lock_reason r) {
  switch (r) {
    case lock_reason::none: return "none";
    case lock_reason::acquire_timeout: return "acquire_timeout";
    case lock_reason::store_unavailable: return "store_unavailable";
    case lock_reason::store_timeout: return "store_timeout";
    case lock_reason::expired_before_use: return "expired_before_use";
    case lock_reason::not_owner: return "not_owner";
    case lock_reason::validity_expired: return "validity_expired";
  }
  return "?";
}

}  // namespace squall::stack::lock
