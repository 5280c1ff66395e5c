#pragma once
// The stack's ports over the simulator: virtual time, simulated dependencies, a seeded jitter stream.
#include <cstdint>
#include <vector>

#include "history/event.hpp"
#include "sim/http_backend.hpp"
#include "sim/node_clock.hpp"
#include "sim/rng.hpp"
#include "sim/simulator.hpp"
#include "stack/worker/ports.hpp"

namespace squall::sim {

class sim_runtime final : public stack::runtime_port {
 public:
  sim_runtime(simulator& sim, http_backend& backend, history::event_sink& sink, rng jitter,
              node_clock clock = {});
  stack::instant now() const override { return clock_.local(sim_.now()); }
  void at(stack::instant when, stack::task t) override;
  void send_http(std::size_t dependency, stack::duration timeout, stack::http_handler done) override;
  double uniform01() override { return jitter_.uniform01(); }
  void emit(history::event& e) override;
  std::uint64_t events_emitted() const { return seq_; }

 private:
  struct pending_call {
    stack::http_handler done;
    stack::attempt_result result;
  };
  static void deliver(void* self, std::uint64_t slot);

  simulator& sim_;
  http_backend& backend_;
  history::event_sink& sink_;
  rng jitter_;
  node_clock clock_;
  std::uint64_t seq_ = 0;
  std::vector<pending_call> calls_;       // slots for in-flight attempts
  std::vector<std::uint32_t> free_slots_;
};

}  // namespace squall::sim
