// Holding and letting go: renewal only while still owner, the validity judged on the client's clock, release.
#include <algorithm>

#include "stack/core/assert.hpp"
#include "stack/lock/lease_lock.hpp"

namespace squall::stack::lock {

void lease_lock::send_renew(instant now) {
  // Compare-and-extend (the Lua script): the store extends the TTL only if the key still holds our token.
  send(now, phase::renew, kv_op::pexpire_if_owner, config_.key, token_);
}

void lease_lock::on_renew_reply(instant now, const kv_reply& r) {
  // Lost or releasing meanwhile: whatever the answer, the client does not count on the lock again.
  if (state_ != lock_state::held) return;
  if (r.status == kv_status::ok && r.integer == 1) {
    ++stats_.renewals;
    retries_ = 0;
    prev_delay_ = duration{0};
    // The store extended the TTL no earlier than the send: measure from there, not from the reply.
    validity_base_ = sent_at_;
    validity_end_ = std::max(validity_end_, sent_at_ + config_.ttl - margin_);
    emit(now, lock_event_kind::renewed, lock_reason::none);
    next_send_at_ = validity_base_ + renew_every_;
    return;
  }
  ++stats_.renewals_failed;
  if (r.status == kv_status::ok || r.status == kv_status::nil) {
    // Another owner's value or no key: ours expired on the store (or the store lost it). Never try again.
    emit(now, lock_event_kind::renewal_failed, lock_reason::not_owner);
    become_lost(now, lock_reason::not_owner);
    return;
  }
  // Unavailable or timed out (a timed-out extension that ran only helps): keep trying until the validity ends.
  const lock_reason why = r.status == kv_status::timeout ? lock_reason::store_timeout : lock_reason::store_unavailable;
  emit(now, lock_event_kind::renewal_failed, why);
  next_send_at_ = now + next_backoff();
}

void lease_lock::start_release(instant now) {
  check_validity(now);
  SQUALL_ASSERT(state_ == lock_state::held || state_ == lock_state::lost, "start_release without an acquired lock");
  state_ = lock_state::releasing;
  next_send_at_.reset();
  release_requested_ = true;
  pump(now);  // waits for an in-flight renewal's reply: one command at a time
}

void lease_lock::send_release(instant now) {
  release_requested_ = false;
  if (config_.release == release_mode::owner_checked) {
    send(now, phase::release, kv_op::del_if_owner, config_.key, token_);
  } else {
    // The unsafe variant: if our lease expired and another owner took the key, this deletes their lock.
    send(now, phase::release, kv_op::del, config_.key, {});
  }
}

void lease_lock::on_release_reply(instant now, const kv_reply& r) {
  state_ = lock_state::released;
  if (r.status == kv_status::unavailable || r.status == kv_status::timeout) {
    // Not retried: the key expires by its TTL (a timed-out release may also have run).
    emit(now, lock_event_kind::released,
         r.status == kv_status::timeout ? lock_reason::store_timeout : lock_reason::store_unavailable);
    return;
  }
  const bool deleted = r.status == kv_status::ok && r.integer > 0;
  if (config_.release == release_mode::owner_checked && !deleted) {
    emit(now, lock_event_kind::release_not_owner, lock_reason::not_owner);
    return;
  }
  emit(now, lock_event_kind::released, lock_reason::none).deleted = deleted;
}

void lease_lock::check_validity(instant now) {
  if (state_ == lock_state::held && now >= validity_end_) become_lost(now, lock_reason::validity_expired);
}

void lease_lock::become_lost(instant now, lock_reason why) {
  state_ = lock_state::lost;
  next_send_at_.reset();
  emit(now, lock_event_kind::lost, why);
}

}  // namespace squall::stack::lock
