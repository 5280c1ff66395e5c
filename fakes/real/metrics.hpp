#pragma once
// Counters of a `squall fake http` server, rendered in the Prometheus text format on /metrics. Relaxed atomics:
// every thread counts without a lock, and a scrape reads values that are each exact but not one snapshot.
#include <array>
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>

#include "stack/core/time.hpp"

namespace squall::fakes::real {

// A Prometheus histogram over fixed bucket bounds (seconds, ascending; +Inf implicit), counted with relaxed atomics.
class atomic_histogram {
 public:
  static constexpr std::size_t max_bounds = 15;
  explicit atomic_histogram(std::span<const double> bounds_s);  // at most max_bounds, in static storage
  void observe(stack::duration d);
  void render(std::string& out, const char* name, const char* help) const;
  std::uint64_t count() const;
  // The smallest bucket bound (seconds) at or below which a share `q` of the observations lie; +infinity when
  // they reach the +Inf bucket, 0 with no observation. A bound, not an estimate: the quantile is at most this.
  double quantile_bound_s(double q) const;

 private:
  std::span<const double> bounds_s_;
  std::array<std::atomic<std::uint64_t>, max_bounds + 1> counts_{};  // non-cumulative; [bounds_s_.size()] is +Inf
  std::atomic<std::uint64_t> sum_ns_{0};
};

class server_metrics {
 public:
  // Upper bounds of the latency histogram's buckets, in seconds (the last bucket, +Inf, is implicit).
  static constexpr std::array<double, 14> bucket_bounds_s{0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05,
                                                          0.1,    0.25,  0.5,    1,     2.5,   5,    10};
  // How late answers leave after the model's due time: finer, since the fake's own overhead is µs, not ms.
  static constexpr std::array<double, 14> lateness_bounds_s{0.00001, 0.000025, 0.00005, 0.000075, 0.0001,
                                                            0.00015, 0.0002,   0.00025, 0.0005,   0.001,
                                                            0.0025,  0.005,    0.01,    0.1};

  void answered(int status, stack::duration latency);  // a response was written
  void reset(stack::duration latency) { count(resets_, latency); }
  // An answer or reset that left `lateness` after the model's due time (timer wake-up, scheduling, the write).
  void late_by(stack::duration lateness) { lateness_.observe(lateness); }
  void hang_ended() { hangs_.fetch_add(1, std::memory_order_relaxed); }
  void outage_close() { outage_closes_.fetch_add(1, std::memory_order_relaxed); }
  void bad_request() { bad_requests_.fetch_add(1, std::memory_order_relaxed); }
  void refused_over_limit() { refused_over_limit_.fetch_add(1, std::memory_order_relaxed); }
  void timed_out() { read_timeouts_.fetch_add(1, std::memory_order_relaxed); }

  // Gauges: callers pair each +1 with a -1.
  void in_flight(int delta) { in_flight_.fetch_add(delta, std::memory_order_relaxed); }
  void connections(int delta);
  std::int64_t open_connections() const { return open_connections_.load(std::memory_order_relaxed); }

  std::uint64_t requests() const { return requests_.load(std::memory_order_relaxed); }
  std::uint64_t by_status(int status) const;
  std::uint64_t resets() const { return resets_.load(std::memory_order_relaxed); }
  std::uint64_t hangs() const { return hangs_.load(std::memory_order_relaxed); }
  std::uint64_t lateness_count() const { return lateness_.count(); }
  double lateness_p99_bound_s() const { return lateness_.quantile_bound_s(0.99); }

  // The exposition text; the model's gauges (queue depth, active faults) are read by the caller.
  std::string render(std::size_t queue_depth, std::size_t active_faults) const;

 private:
  void count(std::atomic<std::uint64_t>& counter, stack::duration latency);

  static constexpr int status_min = 100, status_max = 599;
  std::array<std::atomic<std::uint64_t>, status_max - status_min + 1> by_status_{};
  atomic_histogram latency_{bucket_bounds_s};
  atomic_histogram lateness_{lateness_bounds_s};
  std::atomic<std::uint64_t> requests_{0}, resets_{0}, hangs_{0}, outage_closes_{0};
  std::atomic<std::uint64_t> bad_requests_{0}, refused_over_limit_{0}, read_timeouts_{0}, connections_total_{0};
  std::atomic<std::int64_t> in_flight_{0}, open_connections_{0};
};

}  // namespace squall::fakes::real
