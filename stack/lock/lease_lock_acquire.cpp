// Acquiring: SET NX with backoff under contention, the GET check after a timed-out SET NX, the fence INCR.
#include "stack/core/assert.hpp"
#include "stack/lock/lease_lock.hpp"

namespace squall::stack::lock {

void lease_lock::send_set(instant now) {
  ++attempts_;
  ++stats_.set_attempts;
  send(now, phase::set_nx, kv_op::set_nx_px, config_.key, token_);
}

void lease_lock::on_set_reply(instant now, const kv_reply& r) {
  switch (r.status) {
    case kv_status::ok:
      store_may_hold_ = true;
      on_key_won(now, sent_at_);
      return;
    case kv_status::nil:
      // After a timed-out SET NX the key may hold our own token: ask before counting this as contention.
      if (ambiguous_since_) {
        send(now, phase::check_owner, kv_op::get, config_.key, {});
        return;
      }
      ++stats_.contended;
      retry_acquire(now, lock_reason::acquire_timeout);
      return;
    case kv_status::unavailable:  // refused: it did not run
      retry_acquire(now, lock_reason::store_unavailable);
      return;
    case kv_status::timeout:
      // It may have run, now or later. The earliest send bounds when our key's TTL can have started.
      if (!ambiguous_since_) ambiguous_since_ = sent_at_;
      store_may_hold_ = true;
      retry_acquire(now, lock_reason::store_timeout);
      return;
  }
}

void lease_lock::on_check_reply(instant now, const kv_reply& r) {
  if (r.status == kv_status::ok && r.value == token_) {
    ++stats_.ambiguous_recovered;
    on_key_won(now, *ambiguous_since_);
    return;
  }
  if (r.status == kv_status::ok || r.status == kv_status::nil) {
    // Another owner's value, or no key at all (ours never landed, or expired): contention either way.
    ++stats_.contended;
    retry_acquire(now, lock_reason::acquire_timeout);
    return;
  }
  retry_acquire(now, r.status == kv_status::timeout ? lock_reason::store_timeout : lock_reason::store_unavailable);
}

void lease_lock::on_key_won(instant now, instant validity_base) {
  key_won_ = true;
  validity_base_ = validity_base;
  validity_end_ = validity_base + config_.ttl - margin_;
  retries_ = 0;
  prev_delay_ = duration{0};
  if (now >= validity_end_) {
    // Only when replies are slower than ttl - margin: a lease the client cannot count on is given back.
    fail_acquire(now, lock_reason::expired_before_use);
    return;
  }
  if (config_.fencing) {
    send(now, phase::incr_fence, kv_op::incr, fence_key_, {});
    return;
  }
  become_held(now);
}

void lease_lock::on_fence_reply(instant now, const kv_reply& r) {
  if (r.status == kv_status::ok) {
    if (now >= validity_end_) {
      fail_acquire(now, lock_reason::expired_before_use);
      return;
    }
    fence_ = r.integer;
    become_held(now);
    return;
  }
  SQUALL_ASSERT(r.status != kv_status::nil, "INCR never answers nil");
  // The key is ours, so the wait budget no longer applies: retry while the validity lasts. A timed-out INCR
  // that ran makes the next token skip a number; tokens still increase.
  const lock_reason why = r.status == kv_status::timeout ? lock_reason::store_timeout : lock_reason::store_unavailable;
  const instant at = now + next_backoff();
  if (at >= validity_end_) {
    fail_acquire(now, why);
    return;
  }
  next_send_at_ = at;
}

// Waits a backoff before the next SET NX, or gives up if that attempt would start after the wait budget.
void lease_lock::retry_acquire(instant now, lock_reason why) {
  last_failure_ = why;
  const instant at = now + next_backoff();
  if (at >= acquire_deadline_) {
    fail_acquire(now, last_failure_);
    return;
  }
  next_send_at_ = at;
}

void lease_lock::fail_acquire(instant now, lock_reason why) {
  state_ = lock_state::failed;
  next_send_at_.reset();
  emit(now, lock_event_kind::acquire_failed, why);
  if (store_may_hold_) {
    // Our token may sit on the key (won, or a timed-out SET NX that ran or may still run): give it back now
    // rather than make every other owner wait out the TTL. Compare-and-delete never touches another's lock.
    ++stats_.cleanups;
    send(now, phase::cleanup, kv_op::del_if_owner, config_.key, token_);
  }
}

void lease_lock::become_held(instant now) {
  state_ = lock_state::held;
  emit(now, lock_event_kind::acquired, lock_reason::none);
  // pump() sends the first renewal at once if slow replies already made it due.
  if (config_.renew) next_send_at_ = validity_base_ + renew_every_;
}

}  // namespace squall::stack::lock
