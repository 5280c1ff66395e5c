#pragma once
// An open-loop arrival driver on an Asio timer: it fires arrivals of a sim::arrival_process at their intended
// times, whatever the system under load does. When the loop falls behind (a slow callback, a busy thread), the
// late arrivals fire at once with their ORIGINAL intended times: never skipped, never re-based onto the late
// clock. Latency measured from the intended time then includes the delay a real client would have seen, which is
// what avoids coordinated omission (as wrk2 does).
//
// Bounded: arrivals stop at `duration` (intended times in [0, duration)), and at most `max_in_flight` arrivals
// are outstanding (fired and not yet complete()d); an arrival beyond that bound is counted as dropped and not
// fired, so overload of the tool itself is reported, not silently lost. At most `batch_max` late arrivals fire
// per timer callback before yielding to other handlers (replies keep flowing while it catches up).
//
// Independent of HTTP: `squall load` feeds its HTTP client with it and `squall run --real` its worker pool.
// Single-threaded: call everything from the io_context's thread.
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>

#include "sim/arrivals.hpp"
#include "stack/core/time.hpp"

namespace squall::net {

struct open_loop_config {
  sim::arrivals_config arrivals;
  std::uint64_t seed = 1;          // the arrival process draws from the fork "arrivals" of this seed
  stack::duration duration{0};
  std::size_t max_in_flight = 10000;
  std::size_t batch_max = 256;
};

struct open_loop_stats {
  std::uint64_t fired = 0;
  std::uint64_t dropped = 0;       // beyond max_in_flight
  std::uint64_t late = 0;          // fired 1 ms or more after their intended time
  stack::duration max_lag{0};      // the latest an arrival fired after its intended time
};

class open_loop {
 public:
  using clock = std::chrono::steady_clock;
  // Called for each arrival with its intended time since start() (not the time it actually fires).
  using arrival_fn = std::function<void(stack::instant intended)>;

  open_loop(boost::asio::io_context& io, open_loop_config config, arrival_fn on_arrival);

  // Starts at `start` (intended time 0); `on_finished` runs once the last arrival fired or was dropped.
  void start(clock::time_point start, std::function<void()> on_finished = {});
  void start() { start(clock::now()); }
  // An arrival completed: it no longer counts against max_in_flight.
  void complete();
  // Stops early: no more arrivals fire (on_finished is not called).
  void stop();

  bool finished() const { return finished_; }
  std::size_t in_flight() const { return in_flight_; }
  clock::time_point start_time() const { return start_; }
  const open_loop_stats& stats() const { return stats_; }

 private:
  void arm();
  void on_timer(const boost::system::error_code& ec);

  open_loop_config config_;
  arrival_fn on_arrival_;
  std::function<void()> on_finished_;
  sim::arrival_process process_;
  boost::asio::steady_timer timer_;
  clock::time_point start_{};
  stack::instant next_{};  // the next intended time
  std::size_t in_flight_ = 0;
  bool finished_ = false;
  open_loop_stats stats_;
};

}  // namespace squall::net
