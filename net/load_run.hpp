#pragma once
// The engine of `squall load`: open-loop arrivals (net::open_loop) through one HTTP client, on one thread.
// Latency is measured from each request's INTENDED send time (so a request that waited for a connection or for
// a late loop counts its wait) and, separately, service time from the actual send (what the server and the
// network took). Both go into bounded histograms; memory does not grow with the run's length.
#include <array>
#include <chrono>
#include <cstdint>
#include <functional>
#include <string>

#include <boost/asio/ip/tcp.hpp>

#include "net/http_client.hpp"
#include "net/open_loop.hpp"
#include "reports/latency_histogram.hpp"
#include "sim/arrivals.hpp"
#include "stack/core/time.hpp"

namespace squall::net {

struct load_config {
  boost::asio::ip::tcp::endpoint endpoint;
  std::string host_header;
  std::string path = "/";
  sim::arrivals_config arrivals;
  std::uint64_t seed = 1;
  stack::duration duration{std::chrono::seconds(10)};
  std::size_t connections = 64;
  stack::duration timeout{std::chrono::seconds(1)};
  std::size_t max_in_flight = 10000;  // open arrivals (queued for a connection or on one); beyond: dropped
};

struct load_stats {
  std::uint64_t responses = 0;        // any status
  std::uint64_t ok = 0;               // 2xx and 3xx
  std::uint64_t timeouts = 0;
  std::uint64_t resets = 0;
  std::uint64_t connect_failures = 0;
  std::array<std::uint64_t, 600> by_status{};  // index = status; anything outside 100..599 at index 0
  reports::latency_histogram latency;  // responses, from the intended send time
  reports::latency_histogram service;  // responses, from the actual send
  stack::duration elapsed{0};          // from the first intended time to the last result
  open_loop_stats loop;
  http_client_stats client;

  std::uint64_t completed() const { return responses + timeouts + resets + connect_failures; }
  std::uint64_t errors() const { return (responses - ok) + resets + connect_failures; }
};

// Called about once a second, and once at the end, with the results so far and the time since the start.
using load_progress_fn = std::function<void(const load_stats& so_far, stack::duration elapsed)>;

// Runs the whole load on the calling thread and returns when every arrival is complete (each within its
// timeout after the arrivals end).
load_stats run_load(const load_config& config, const load_progress_fn& progress = {});

}  // namespace squall::net
