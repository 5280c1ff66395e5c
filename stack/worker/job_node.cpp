#include "stack/worker/job_node.hpp"

#include "stack/core/assert.hpp"

namespace squall::stack::worker {

namespace {
constexpr std::uint64_t slot_bits = 16;
constexpr std::uint64_t purpose_bits = 4;
}  // namespace

job_node::job_node(runtime_port& runtime, job_port& port, const job_flow_config& config, std::uint32_t node,
                   std::uint32_t first_worker)
    : rt_(runtime), port_(port), config_(config), node_(node), first_worker_(first_worker) {
  SQUALL_ASSERT(config.concurrency >= 1 && config.concurrency < (1 << slot_bits), "concurrency out of range");
  SQUALL_ASSERT(config.store_attempts >= 1, "store_attempts must be >= 1");
  if (config.lock) lock::validate(*config.lock);
  slots_.resize(static_cast<std::size_t>(config.concurrency));
}

std::size_t job_node::busy_slots() const {
  std::size_t n = 0;
  for (const slot& s : slots_) n += s.at != step::idle ? 1 : 0;
  return n;
}

void job_node::start() {
  started_ = true;
  if (config_.source == job_source::cron) {
    arm_cron();
  } else {
    take_jobs();
  }
}

void job_node::poke() {
  if (started_ && !down_ && config_.source == job_source::queue) take_jobs();
}

void job_node::crash() {
  if (down_) return;
  down_ = true;
  ++stats_.crashes;
  ++node_epoch_;
  poll_armed_.reset();
  for (std::uint32_t i = 0; i < slots_.size(); ++i) {
    slot& s = slots_[i];
    if (s.at != step::idle) {
      // One marker per worker that loses a job, so the checkers know whose locks are now stale.
      history::event e = make_event(history::event_type::worker_crash, i);
      rt_.emit(e);
    }
    if (s.lock) s.lock->abandon();
    s.lock.reset();
    s.lock_timer.reset();
    s.at = step::idle;
    ++s.epoch;
  }
}

void job_node::restart() {
  if (!down_) return;
  down_ = false;
  if (started_) start();
}

// --- taking jobs -----------------------------------------------------------------------------------------

void job_node::take_jobs() {
  for (std::uint32_t s = 0; s < slots_.size(); ++s) {
    if (slots_[s].at != step::idle) continue;
    const std::optional<job> j = port_.receive(first_worker_ + s);
    if (!j) {
      arm_poll();
      return;
    }
    begin(s, *j);
  }
}

void job_node::begin(std::uint32_t s, const job& j) {
  slot& sl = slots_[s];
  sl.current = j;
  sl.end = outcome::ack;
  ++stats_.jobs_started;
  history::event e = make_event(history::event_type::delivery, s);
  e.req = j.message;
  e.attempt = static_cast<std::uint16_t>(std::min<std::uint32_t>(j.round, 65535));
  rt_.emit(e);
  if (config_.lock) {
    start_lock(s);
  } else {
    check_idempotency(s);
  }
}

// --- idempotency, work, effect, persist ------------------------------------------------------------------

void job_node::check_idempotency(std::uint32_t s) {
  slot& sl = slots_[s];
  sl.at = step::checking;
  sl.store_ambiguous = false;
  switch (config_.idempotency) {
    case idempotency_mode::none: start_work(s); return;
    case idempotency_mode::check_then_act:
      send_store(s, kv_command{kv_op::get, key_name("done", s), {}, duration{0}});
      return;
    case idempotency_mode::claim_first:
      send_store(s, kv_command{kv_op::set_nx_px, key_name("claim", s), "run:" + std::to_string(sl.epoch) + ":" +
                                   std::to_string(first_worker_ + s), config_.idempotency_ttl});
      return;
  }
}

void job_node::send_store(std::uint32_t s, kv_command command) {
  slot& sl = slots_[s];
  sl.command = std::move(command);
  sl.store_attempt = 0;
  sl.prev_delay = duration{0};
  send_store_attempt(s);
}

void job_node::send_store_attempt(std::uint32_t s) {
  slot& sl = slots_[s];
  ++sl.store_attempt;
  port_.send_kv(sl.command, config_.command_timeout, kv_handler{&job_node::on_kv, this, arg(s, purpose::store_reply)});
}

void job_node::on_store_reply(std::uint32_t s, const kv_reply& r) {
  slot& sl = slots_[s];
  const bool failed = r.status == kv_status::unavailable || r.status == kv_status::timeout;
  // Only a claim (SET NX) that timed out may have landed; a timed-out GET changes nothing on the store.
  if (r.status == kv_status::timeout && sl.command.op == kv_op::set_nx_px) sl.store_ambiguous = true;
  if (failed && sl.store_attempt < config_.store_attempts) {
    sl.prev_delay = resilience::backoff_delay(config_.store_backoff, sl.store_attempt, sl.prev_delay, rt_.uniform01());
    rt_.at(rt_.now() + sl.prev_delay, task{&job_node::on_task, this, arg(s, purpose::store_retry)});
    return;
  }
  if (sl.at == step::checking) {
    after_check(s, r);
  } else {
    // Persisting: whatever the answer, the effect is done; a lost marker only weakens later checks.
    release(s, outcome::ack);
  }
}

void job_node::after_check(std::uint32_t s, const kv_reply& r) {
  slot& sl = slots_[s];
  if (r.status == kv_status::unavailable || r.status == kv_status::timeout) {
    release(s, outcome::requeue);  // cannot tell whether it is done: let the queue deliver it again
    return;
  }
  bool run = false;
  if (config_.idempotency == idempotency_mode::check_then_act) {
    run = r.status == kv_status::nil;
  } else if (r.status == kv_status::ok && sl.command.op == kv_op::set_nx_px) {
    run = true;  // claimed
  } else if (r.status == kv_status::nil && sl.store_ambiguous) {
    // A SET NX that timed out may have run: read the claim back to see whether it is ours.
    // (GET ignores `value`; it carries our claim for the comparison below.)
    send_store(s, kv_command{kv_op::get, sl.command.key, sl.command.value, duration{0}});
    sl.store_ambiguous = false;
    return;
  } else if (r.status == kv_status::ok && sl.command.op == kv_op::get) {
    run = r.value == sl.command.value;
  }
  if (run) {
    start_work(s);
    return;
  }
  ++stats_.skipped_done;
  history::event e = make_event(history::event_type::idempotency_skip, s);
  rt_.emit(e);
  release(s, outcome::ack);
}

void job_node::start_work(std::uint32_t s) {
  slots_[s].at = step::working;
  port_.work(slots_[s].current, task{&job_node::on_task, this, arg(s, purpose::work_done)});
}

void job_node::on_work_done(std::uint32_t s) {
  slot& sl = slots_[s];
  const std::int64_t fence = sl.lock ? sl.lock->fence_token() : 0;
  const std::string resource = sl.lock ? sl.lock->config().key : std::string{};
  if (port_.apply_effect(sl.current, first_worker_ + s, fence, resource) == effect_result::rejected_stale_token) {
    ++stats_.effects_rejected;  // a newer lock holder got there first: nothing of ours to persist
    release(s, outcome::ack);
    return;
  }
  ++stats_.effects_applied;
  persist(s);
}

void job_node::persist(std::uint32_t s) {
  slot& sl = slots_[s];
  sl.at = step::persisting;
  switch (config_.idempotency) {
    case idempotency_mode::none: release(s, outcome::ack); return;
    case idempotency_mode::check_then_act:
      send_store(s, kv_command{kv_op::set_px, key_name("done", s), "1", config_.idempotency_ttl});
      return;
    case idempotency_mode::claim_first:
      send_store(s, kv_command{kv_op::set_px, key_name("claim", s), "done", config_.idempotency_ttl});
      return;
  }
}

void job_node::release(std::uint32_t s, outcome end) {
  slot& sl = slots_[s];
  sl.at = step::releasing;
  sl.end = end;
  if (sl.lock && (sl.lock->state() == lock::lock_state::held || sl.lock->state() == lock::lock_state::lost)) {
    // The holder stops counting on the lock when it sends the release, not when the answer comes back: the
    // store may free the key (and grant it to the next holder) before that answer arrives.
    history::event e = make_event(history::event_type::lock_released, s);
    e.token = static_cast<std::uint64_t>(sl.lock->fence_token());
    rt_.emit(e);
    sl.lock->start_release(rt_.now());
    pump_lock(s);  // finish() runs when the release is answered
    return;
  }
  finish(s);
}

void job_node::finish(std::uint32_t s) {
  slot& sl = slots_[s];
  if (config_.source == job_source::queue) {
    if (sl.end == outcome::ack) {
      port_.ack(sl.current);
      ++stats_.jobs_acked;
    } else {
      port_.requeue(sl.current, config_.requeue_delay);
      ++stats_.jobs_requeued;
    }
  }
  sl.at = step::idle;
  sl.lock.reset();
  sl.lock_timer.reset();
  ++sl.epoch;
  if (config_.source == job_source::queue) take_jobs();
}

// --- plumbing ----------------------------------------------------------------------------------------------

std::uint64_t job_node::arg(std::uint32_t s, purpose p) const {
  return static_cast<std::uint64_t>(s) | (static_cast<std::uint64_t>(p) << slot_bits) |
         (static_cast<std::uint64_t>(slots_[s].epoch) << (slot_bits + purpose_bits));
}

history::event job_node::make_event(history::event_type type, std::uint32_t s) const {
  history::event e;
  e.type = type;
  e.proc = static_cast<std::int32_t>(first_worker_ + s);
  e.key = slots_[s].current.key;
  return e;
}

std::string job_node::key_name(const char* prefix, std::uint32_t s) const {
  return std::string(prefix) + ":" + std::to_string(slots_[s].current.key);
}

void job_node::on_kv(void* self, std::uint64_t a, const kv_reply& reply) {
  auto& n = *static_cast<job_node*>(self);
  const auto s = static_cast<std::uint32_t>(a & ((1u << slot_bits) - 1));
  const auto p = static_cast<purpose>((a >> slot_bits) & ((1u << purpose_bits) - 1));
  if (p == purpose::ignore || n.down_ || (a >> (slot_bits + purpose_bits)) != n.slots_[s].epoch) return;
  if (p == purpose::lock_reply) {
    n.slots_[s].lock->handle_reply(n.rt_.now(), reply);
    n.pump_lock(s);
  } else {
    n.on_store_reply(s, reply);
  }
}

void job_node::on_task(void* self, std::uint64_t a) {
  auto& n = *static_cast<job_node*>(self);
  const auto s = static_cast<std::uint32_t>(a & ((1u << slot_bits) - 1));
  const auto p = static_cast<purpose>((a >> slot_bits) & ((1u << purpose_bits) - 1));
  if (n.down_ || (a >> (slot_bits + purpose_bits)) != n.slots_[s].epoch) return;
  switch (p) {
    case purpose::lock_timer:
      n.slots_[s].lock_timer.reset();
      n.slots_[s].lock->handle_timer(n.rt_.now());
      n.pump_lock(s);
      break;
    case purpose::store_retry: n.send_store_attempt(s); break;
    case purpose::work_done: n.on_work_done(s); break;
    default: SQUALL_ASSERT(false, "job_node: unexpected task purpose");
  }
}

double job_node::uniform(void* self) { return static_cast<runtime_port*>(self)->uniform01(); }

const char* to_string(idempotency_mode m) {
  switch (m) {
    case idempotency_mode::none: return "none";
    case idempotency_mode::check_then_act: return "check_then_act";
    case idempotency_mode::claim_first: return "claim_first";
  }
  return "?";
}

const char* to_string(job_source s) { return s == job_source::queue ? "queue" : "cron"; }

}  // namespace squall::stack::worker
