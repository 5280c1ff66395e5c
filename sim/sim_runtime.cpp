#include "sim/sim_runtime.hpp"

#include <algorithm>

#include "stack/core/assert.hpp"

namespace squall::sim {

sim_runtime::sim_runtime(simulator& sim, http_backend& backend, history::event_sink& sink, rng jitter,
                         node_clock clock)
    : sim_(sim), backend_(backend), sink_(sink), jitter_(jitter), clock_(clock) {}

void sim_runtime::at(stack::instant when, stack::task t) { at_true(clock_.true_time(when), t); }

void sim_runtime::at_true(stack::instant when, stack::task t) {
  when = std::max(when, sim_.now());
  if (!pausable_) {
    sim_.at(when, t);
    return;
  }
  std::uint32_t slot;
  if (free_held_.empty()) {
    slot = static_cast<std::uint32_t>(held_.size());
    held_.push_back(t);
  } else {
    slot = free_held_.back();
    free_held_.pop_back();
    held_[slot] = t;
  }
  sim_.at(when, stack::task{&sim_runtime::fire_held, this, slot});
}

void sim_runtime::fire_held(void* self, std::uint64_t slot) {
  auto& rt = *static_cast<sim_runtime*>(self);
  if (rt.paused()) {
    // Re-queued in firing order, so held tasks run after the pause in the order they were due.
    rt.sim_.at(rt.paused_until_, stack::task{&sim_runtime::fire_held, self, slot});
    return;
  }
  const stack::task t = rt.held_[slot];
  rt.free_held_.push_back(static_cast<std::uint32_t>(slot));
  t();
}

void sim_runtime::pause_until(stack::instant until) {
  SQUALL_ASSERT(pausable_, "pause of a runtime that is not pausable");
  paused_until_ = std::max(paused_until_, until);
}

void sim_runtime::send_http(std::size_t dependency, stack::duration timeout, stack::http_handler done) {
  SQUALL_ASSERT(timeout.count() > 0, "attempt timeout must be positive");
  const stack::instant sent = sim_.now();
  http_reply reply = backend_.serve(dependency, sent);
  const stack::instant deadline = sent + timeout;
  // The client sees whichever comes first: the answer or its own deadline. The server is not told.
  if (!reply.answers || reply.at >= deadline) {
    reply.at = deadline;
    reply.result = stack::attempt_result{stack::attempt_kind::timeout, 0, stack::duration{0}, {}};
  }
  reply.result.latency = reply.at - sent;

  std::uint32_t slot;
  if (free_slots_.empty()) {
    slot = static_cast<std::uint32_t>(calls_.size());
    calls_.push_back({done, reply.result});
  } else {
    slot = free_slots_.back();
    free_slots_.pop_back();
    calls_[slot] = {done, reply.result};
  }
  at_true(reply.at, stack::task{&sim_runtime::deliver, this, slot});
}

void sim_runtime::deliver(void* self, std::uint64_t slot) {
  auto& rt = *static_cast<sim_runtime*>(self);
  const pending_call call = rt.calls_[slot];
  rt.free_slots_.push_back(static_cast<std::uint32_t>(slot));
  call.done.fn(call.done.self, call.done.arg, call.result);
}

void sim_runtime::emit(history::event& e) {
  e.t_ns = stack::ns_since_start(sim_.now());
  e.seq = shared_seq_ ? (*shared_seq_)++ : seq_;
  ++seq_;
  sink_.on_event(e);
}

}  // namespace squall::sim
