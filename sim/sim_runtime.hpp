#pragma once
// The stack's ports over the simulator: virtual time, simulated dependencies, a seeded jitter stream, a node
// clock. A pausable runtime (one per job node) can be stopped: a process pause (GC, SIGSTOP) holds every task
// of the node (timers, replies) until the pause ends, then runs them in their original order, while the node's
// clock keeps going.
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

  // Runs t at true (simulator) time `when`, subject to pauses like at().
  void at_true(stack::instant when, stack::task t);
  // Tasks from now on go through the pause check (a little slower; the HTTP pool does not need it).
  void make_pausable() { pausable_ = true; }
  // Holds the node's tasks until true time `until` (pauses overlap by extending).
  void pause_until(stack::instant until);
  bool paused() const { return sim_.now() < paused_until_; }
  node_clock& clock() { return clock_; }
  simulator& sim() { return sim_; }

 private:
  struct pending_call {
    stack::http_handler done;
    stack::attempt_result result;
  };
  static void deliver(void* self, std::uint64_t slot);
  static void fire_held(void* self, std::uint64_t slot);

  simulator& sim_;
  http_backend& backend_;
  history::event_sink& sink_;
  rng jitter_;
  node_clock clock_;
  std::uint64_t seq_ = 0;
  std::vector<pending_call> calls_;       // slots for in-flight attempts
  std::vector<std::uint32_t> free_slots_;
  bool pausable_ = false;
  stack::instant paused_until_{};
  std::vector<stack::task> held_;          // tasks of a pausable runtime, by slot
  std::vector<std::uint32_t> free_held_;
  // A shared emit sequence: every runtime of one world numbers its events from one counter.
  std::uint64_t* shared_seq_ = nullptr;

 public:
  // Events of several runtimes in one world share one sequence (the history's `seq`).
  void share_sequence(std::uint64_t& counter) { shared_seq_ = &counter; }
};

}  // namespace squall::sim
