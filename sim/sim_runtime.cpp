#include "sim/sim_runtime.hpp"

#include <algorithm>

#include "stack/core/assert.hpp"

namespace squall::sim {

sim_runtime::sim_runtime(simulator& sim, http_backend& backend, history::event_sink& sink, rng jitter,
                         node_clock clock)
    : sim_(sim), backend_(backend), sink_(sink), jitter_(jitter), clock_(clock) {}

void sim_runtime::at(stack::instant when, stack::task t) { sim_.at(std::max(clock_.true_time(when), sim_.now()), t); }

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
  sim_.at(reply.at, stack::task{&sim_runtime::deliver, this, slot});
}

void sim_runtime::deliver(void* self, std::uint64_t slot) {
  auto& rt = *static_cast<sim_runtime*>(self);
  const pending_call call = rt.calls_[slot];
  rt.free_slots_.push_back(static_cast<std::uint32_t>(slot));
  call.done.fn(call.done.self, call.done.arg, call.result);
}

void sim_runtime::emit(history::event& e) {
  e.t_ns = stack::ns_since_start(sim_.now());
  e.seq = seq_++;
  sink_.on_event(e);
}

}  // namespace squall::sim
