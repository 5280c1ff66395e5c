// The lease lock's I/O, the queue poll timer and the cron trigger of a job node.
#include "stack/core/assert.hpp"
#include "stack/worker/job_node.hpp"

namespace squall::stack::worker {

namespace {
constexpr std::uint64_t poll_timer = 0;
constexpr std::uint64_t cron_timer = 1;
}  // namespace

void job_node::start_lock(std::uint32_t s) {
  slot& sl = slots_[s];
  sl.at = step::locking;
  lock::lock_config c = *config_.lock;
  if (config_.source == job_source::queue) c.key += ":" + std::to_string(sl.current.key);
  sl.lock.emplace(c, lock::uniform_source{&job_node::uniform, &rt_});
  sl.lock->start_acquire(rt_.now(), "n" + std::to_string(node_) + "-" + std::to_string(++tokens_));
  pump_lock(s);
}

void job_node::pump_lock(std::uint32_t s) {
  // Events can start a release, which produces a command: loop until the lock has nothing more to say.
  const std::uint32_t epoch = slots_[s].epoch;
  for (;;) {
    slot& sl = slots_[s];
    if (sl.epoch != epoch || !sl.lock) return;  // the job finished inside an event handler
    bool progressed = false;
    while (auto command = sl.lock->poll_command()) {
      progressed = true;
      port_.send_kv(*command, sl.lock->config().command_timeout,
                    kv_handler{&job_node::on_kv, this, arg(s, purpose::lock_reply)});
    }
    if (auto e = sl.lock->poll_event()) {
      on_lock_event(s, *e);
      continue;
    }
    if (!progressed) break;
  }
  slot& sl = slots_[s];
  if (sl.epoch != epoch || !sl.lock) return;
  if (const auto t = sl.lock->poll_timer(); t && (!sl.lock_timer || *t < *sl.lock_timer)) {
    sl.lock_timer = *t;
    rt_.at(*t, task{&job_node::on_task, this, arg(s, purpose::lock_timer)});
  }
}

void job_node::on_lock_event(std::uint32_t s, const lock::lock_event& e) {
  using lock::lock_event_kind;
  slot& sl = slots_[s];
  history::event h = make_event(history::event_type::lock_acquired, s);
  h.token = static_cast<std::uint64_t>(e.fence);
  switch (e.kind) {
    case lock_event_kind::acquired:
      h.value_ns = sl.lock->config().ttl.count();
      rt_.emit(h);
      if (sl.at == step::locking) check_idempotency(s);
      return;
    case lock_event_kind::renewed:
      h.type = history::event_type::lock_renewed;
      h.value_ns = sl.lock->config().ttl.count();
      rt_.emit(h);
      return;
    case lock_event_kind::lost:
      h.type = history::event_type::lock_lost;
      h.value_ns = ns_since_start(e.valid_until);
      rt_.emit(h);
      return;  // the flow goes on regardless (see job_node.hpp)
    case lock_event_kind::released:
    case lock_event_kind::release_not_owner:
      if (sl.at == step::releasing) finish(s);  // lock_released was recorded when the release was sent
      return;
    case lock_event_kind::acquire_failed:
      if (sl.lock->config().release == lock::release_mode::blind) {
        // `finally: r.delete(key)`: the failure path deletes whoever holds the lock.
        ++stats_.blind_deletes;
        port_.send_kv(kv_command{kv_op::del, sl.lock->config().key, {}, duration{0}},
                      sl.lock->config().command_timeout, kv_handler{&job_node::on_kv, this, arg(s, purpose::ignore)});
      }
      sl.at = step::releasing;
      sl.end = outcome::requeue;
      finish(s);
      return;
    case lock_event_kind::renewal_failed: return;
  }
}

void job_node::arm_poll() {
  const std::optional<instant> next = port_.next_job_at();
  if (!next) return;  // nothing queued: an arrival pokes us
  const instant when = std::max(*next, rt_.now());
  if (poll_armed_ && *poll_armed_ <= when) return;
  poll_armed_ = when;
  rt_.at(when, task{&job_node::on_node_timer, this, poll_timer | (std::uint64_t{node_epoch_} << 1)});
}

void job_node::on_poll() {
  poll_armed_.reset();
  take_jobs();
}

void job_node::arm_cron() {
  const std::int64_t every = config_.cron_every.count();
  const std::int64_t now = ns_since_start(rt_.now());
  std::int64_t next = (now >= 0 ? now / every + 1 : 0) * every;
  if (next <= last_cron_slot_ * every) next = (last_cron_slot_ + 1) * every;
  rt_.at(instant_from_ns(next), task{&job_node::on_node_timer, this, cron_timer | (std::uint64_t{node_epoch_} << 1)});
}

void job_node::on_cron() {
  // Like cronie and systemd timers: fire the slot the clock reads now; slots skipped by a forward jump are not
  // run, and a backward jump does not run a slot twice.
  const std::int64_t now = ns_since_start(rt_.now());
  const std::int64_t k = now >= 0 ? now / config_.cron_every.count() : -1;
  if (k > last_cron_slot_) {
    last_cron_slot_ = k;
    std::optional<std::uint32_t> free;
    bool running = false;
    for (std::uint32_t s = 0; s < slots_.size(); ++s) {
      if (slots_[s].at != step::idle) running = true;
      else if (!free) free = s;
    }
    if ((config_.flock && running) || !free) {
      ++stats_.cron_skipped;
    } else {
      begin(*free, job{static_cast<std::uint64_t>(k), 0, 0, 1});
    }
  }
  arm_cron();
}

void job_node::on_node_timer(void* self, std::uint64_t a) {
  auto& n = *static_cast<job_node*>(self);
  if (n.down_ || (a >> 1) != n.node_epoch_) return;
  if ((a & 1) == cron_timer) {
    n.on_cron();
  } else {
    n.on_poll();
  }
}

}  // namespace squall::stack::worker
