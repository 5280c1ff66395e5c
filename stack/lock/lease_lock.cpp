// The plumbing of lease_lock: inputs, outputs and the one-command-at-a-time discipline. The protocol steps live in
// lease_lock_acquire.cpp and lease_lock_hold.cpp.
#include "stack/lock/lease_lock.hpp"

#include <algorithm>
#include <utility>

#include "stack/core/assert.hpp"

namespace squall::stack::lock {
namespace {

// One input emits at most three events and the owner drains them after every input; more means it stopped.
constexpr std::size_t events_max = 64;

}  // namespace

lease_lock::lease_lock(const lock_config& config, uniform_source uniform)
    : config_(config),
      uniform_(uniform),
      renew_every_(renew_every(config)),
      margin_(drift_margin(config)),
      fence_key_(fence_key(config.key)) {
  validate(config_);
  SQUALL_ASSERT(uniform_.fn != nullptr, "lease_lock needs a uniform source");
}

void lease_lock::start_acquire(instant now, std::string owner_token) {
  SQUALL_ASSERT(!owner_token.empty(), "lock owner token must not be empty");
  SQUALL_ASSERT(state_ == lock_state::idle || state_ == lock_state::released || state_ == lock_state::failed ||
                    state_ == lock_state::lost,
                "start_acquire while acquiring, holding or releasing");
  SQUALL_ASSERT(!busy(), "start_acquire while a command is unanswered");
  token_ = std::move(owner_token);
  state_ = lock_state::acquiring;
  next_send_at_.reset();
  release_requested_ = false;
  validity_base_ = validity_end_ = instant{};
  fence_ = 0;
  acquire_deadline_ = now + config_.acquire_timeout;
  attempts_ = 0;
  retries_ = 0;
  prev_delay_ = duration{0};
  last_failure_ = lock_reason::none;
  ambiguous_since_.reset();
  key_won_ = false;
  store_may_hold_ = false;
  send_set(now);
}

void lease_lock::handle_reply(instant now, const kv_reply& reply) {
  if (in_flight_ == phase::none) {
    ++stats_.stray_replies;
    return;
  }
  SQUALL_ASSERT(!pending_, "a reply arrived for a command that was never polled");
  if (reply.status == kv_status::unavailable || reply.status == kv_status::timeout) ++stats_.store_failures;
  const phase answered = std::exchange(in_flight_, phase::none);
  // The validity may have run out while the command was in flight: lost comes first, so a late renewal reply
  // can never revive the lock.
  check_validity(now);
  switch (answered) {
    case phase::set_nx: on_set_reply(now, reply); break;
    case phase::check_owner: on_check_reply(now, reply); break;
    case phase::incr_fence: on_fence_reply(now, reply); break;
    case phase::renew: on_renew_reply(now, reply); break;
    case phase::release: on_release_reply(now, reply); break;
    case phase::cleanup: break;  // best effort: the TTL frees the key if this did not
    case phase::none: SQUALL_ASSERT(false, "unreachable"); break;
  }
  pump(now);
}

void lease_lock::handle_timer(instant now) {
  check_validity(now);
  pump(now);
}

void lease_lock::abandon() {
  // A crashed process sends nothing more; events already produced stay for the owner to record.
  state_ = lock_state::idle;
  pending_.reset();
  in_flight_ = phase::none;
  next_send_at_.reset();
  release_requested_ = false;
}

std::optional<kv_command> lease_lock::poll_command() { return std::exchange(pending_, std::nullopt); }

std::optional<instant> lease_lock::poll_timer() const {
  std::optional<instant> t = next_send_at_;
  if (state_ == lock_state::held) t = t ? std::min(*t, validity_end_) : validity_end_;
  return t;
}

std::optional<lock_event> lease_lock::poll_event() {
  if (events_.empty()) return std::nullopt;
  lock_event e = std::move(events_.front());
  events_.pop_front();
  return e;
}

// Sends whatever is due, if nothing is outstanding: a requested release first, then a due retry or renewal.
void lease_lock::pump(instant now) {
  if (in_flight_ != phase::none) return;
  if (release_requested_) {
    send_release(now);
    return;
  }
  if (!next_send_at_ || now < *next_send_at_) return;
  next_send_at_.reset();
  if (state_ == lock_state::acquiring) {
    if (key_won_) {
      send(now, phase::incr_fence, kv_op::incr, fence_key_, {});
    } else {
      send_set(now);
    }
  } else if (state_ == lock_state::held) {
    send_renew(now);
  }
}

void lease_lock::send(instant now, phase p, kv_op op, const std::string& key, const std::string& value) {
  SQUALL_ASSERT(in_flight_ == phase::none, "lease_lock sends one command at a time");
  kv_command c;
  c.op = op;
  c.key = key;
  c.value = value;
  if (op == kv_op::set_nx_px || op == kv_op::pexpire_if_owner) c.ttl = config_.ttl;
  pending_ = std::move(c);
  in_flight_ = p;
  sent_at_ = now;
  ++stats_.commands;
}

duration lease_lock::next_backoff() {
  const double u = uniform_();
  SQUALL_ASSERT(u >= 0.0 && u < 1.0, "uniform source must return a value in [0, 1)");
  ++retries_;
  prev_delay_ = resilience::backoff_delay(config_.backoff, retries_, prev_delay_, u);
  return prev_delay_;
}

lock_event& lease_lock::emit(instant now, lock_event_kind kind, lock_reason reason) {
  SQUALL_ASSERT(events_.size() < events_max, "lock events are not being drained (poll_event)");
  lock_event e;
  e.kind = kind;
  e.reason = reason;
  e.at = now;
  e.token = token_;
  e.fence = fence_;
  e.valid_until = validity_end_;
  e.attempts = attempts_;
  events_.push_back(std::move(e));
  return events_.back();
}

const char* to_string(lock_state s) {
  switch (s) {
    case lock_state::idle: return "idle";
    case lock_state::acquiring: return "acquiring";
    case lock_state::held: return "held";
    case lock_state::releasing: return "releasing";
    case lock_state::released: return "released";
    case lock_state::failed: return "failed";
    case lock_state::lost: return "lost";
  }
  return "?";
}

}  // namespace squall::stack::lock
