#pragma once
// The stack's runtime port over Boost.Asio and real time (DESIGN.md §2): the same stack code that runs in the
// simulator runs here unchanged. One real_runtime belongs to one io_context run by one thread (a node or the
// HTTP pool); all of its methods are called on that thread.
//
// Timers are one asio::steady_timer over a min-heap of (due, order) tasks, so equal due times run in the order
// they were scheduled, as in the simulator. The node's clock (offset, drift, jumps) is sim::node_clock's
// arithmetic over true time, so clock faults mean the same in both modes. A pause really stops the loop: the
// thread sleeps, timers and replies wait, the clock goes on (a GC pause or SIGSTOP of that worker).
#include <cstdint>
#include <functional>
#include <queue>
#include <vector>

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>

#include "net/real_history.hpp"
#include "sim/node_clock.hpp"
#include "sim/rng.hpp"
#include "stack/worker/ports.hpp"

namespace squall::net {

// How the runtime sends an HTTP attempt to dependency `dependency` (the runner wires the real clients).
using http_sender = std::function<void(std::size_t dependency, stack::duration timeout, stack::http_handler done)>;

class real_runtime final : public stack::runtime_port {
 public:
  real_runtime(boost::asio::io_context& io, real_history& history, http_sender http, sim::rng jitter,
               sim::node_clock clock = {});
  stack::instant now() const override { return clock_.local(history_.true_now()); }
  void at(stack::instant when, stack::task t) override;
  void send_http(std::size_t dependency, stack::duration timeout, stack::http_handler done) override;
  double uniform01() override { return jitter_.uniform01(); }
  void emit(history::event& e) override { history_.emit(e); }

  // Runs t at true time `when` (for the world's own plans: faults, arrivals).
  void at_true(stack::instant when, stack::task t);
  // Blocks this runtime's loop for `d` starting now (call on the loop's thread, e.g. from a task).
  void pause_for(stack::duration d);
  sim::node_clock& clock() { return clock_; }
  boost::asio::io_context& io() { return io_; }
  std::size_t pending_tasks() const { return heap_.size(); }

 private:
  struct due_task {
    stack::instant due;
    std::uint64_t order;
    stack::task task;
    bool operator>(const due_task& o) const { return due != o.due ? due > o.due : order > o.order; }
  };
  void arm(stack::instant due);
  void on_timer(std::uint64_t generation);

  boost::asio::io_context& io_;
  real_history& history_;
  http_sender http_;
  sim::rng jitter_;
  sim::node_clock clock_;
  boost::asio::steady_timer timer_;
  std::priority_queue<due_task, std::vector<due_task>, std::greater<>> heap_;
  std::uint64_t order_ = 0;
  std::uint64_t generation_ = 0;  // a re-armed timer's earlier wait is stale
  bool armed_ = false;
  stack::instant armed_at_{};
};

}  // namespace squall::net
