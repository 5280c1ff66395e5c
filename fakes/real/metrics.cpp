#include "fakes/real/metrics.hpp"

#include <algorithm>
#include <iterator>
#include <limits>
#include <stdexcept>

#include <fmt/format.h>

namespace squall::fakes::real {

void server_metrics::answered(int status, stack::duration latency) {
  if (status >= status_min && status <= status_max) {
    by_status_[static_cast<std::size_t>(status - status_min)].fetch_add(1, std::memory_order_relaxed);
  }
  count(requests_, latency);
}

atomic_histogram::atomic_histogram(std::span<const double> bounds_s) : bounds_s_(bounds_s) {
  if (bounds_s.size() > max_bounds) throw std::logic_error("atomic_histogram: too many buckets");
}

void atomic_histogram::observe(stack::duration d) {
  const double s = stack::to_s(d);
  const auto bucket = std::lower_bound(bounds_s_.begin(), bounds_s_.end(), s) - bounds_s_.begin();
  counts_[static_cast<std::size_t>(bucket)].fetch_add(1, std::memory_order_relaxed);
  sum_ns_.fetch_add(static_cast<std::uint64_t>(std::max<std::int64_t>(d.count(), 0)), std::memory_order_relaxed);
}

std::uint64_t atomic_histogram::count() const {
  std::uint64_t n = 0;
  for (const auto& c : counts_) n += c.load(std::memory_order_relaxed);
  return n;
}

double atomic_histogram::quantile_bound_s(double q) const {
  std::array<std::uint64_t, max_bounds + 1> counts{};
  std::uint64_t total = 0;
  for (std::size_t i = 0; i <= bounds_s_.size(); ++i) total += counts[i] = counts_[i].load(std::memory_order_relaxed);
  if (total == 0) return 0;
  std::uint64_t cumulative = 0;
  for (std::size_t i = 0; i < bounds_s_.size(); ++i) {
    cumulative += counts[i];
    if (static_cast<double>(cumulative) >= q * static_cast<double>(total)) return bounds_s_[i];
  }
  return std::numeric_limits<double>::infinity();
}

void atomic_histogram::render(std::string& out, const char* name, const char* help) const {
  auto it = std::back_inserter(out);
  fmt::format_to(it, "# HELP {0} {1}\n# TYPE {0} histogram\n", name, help);
  std::uint64_t cumulative = 0;
  for (std::size_t i = 0; i < bounds_s_.size(); ++i) {
    cumulative += counts_[i].load(std::memory_order_relaxed);
    fmt::format_to(it, "{}_bucket{{le=\"{}\"}} {}\n", name, bounds_s_[i], cumulative);
  }
  cumulative += counts_[bounds_s_.size()].load(std::memory_order_relaxed);
  fmt::format_to(it, "{}_bucket{{le=\"+Inf\"}} {}\n", name, cumulative);
  fmt::format_to(it, "{}_sum {}\n", name, static_cast<double>(sum_ns_.load(std::memory_order_relaxed)) / 1e9);
  fmt::format_to(it, "{}_count {}\n", name, cumulative);
}

void server_metrics::count(std::atomic<std::uint64_t>& counter, stack::duration latency) {
  counter.fetch_add(1, std::memory_order_relaxed);
  latency_.observe(latency);
}

void server_metrics::connections(int delta) {
  open_connections_.fetch_add(delta, std::memory_order_relaxed);
  if (delta > 0) connections_total_.fetch_add(1, std::memory_order_relaxed);
}

std::uint64_t server_metrics::by_status(int status) const {
  if (status < status_min || status > status_max) return 0;
  return by_status_[static_cast<std::size_t>(status - status_min)].load(std::memory_order_relaxed);
}

std::string server_metrics::render(std::size_t queue_depth, std::size_t active_faults) const {
  const auto load = [](const auto& a) { return a.load(std::memory_order_relaxed); };
  std::string out;
  auto it = std::back_inserter(out);
  const auto counter = [&](const char* name, const char* help, std::uint64_t value) {
    fmt::format_to(it, "# HELP {0} {1}\n# TYPE {0} counter\n{0} {2}\n", name, help, value);
  };
  const auto gauge = [&](const char* name, const char* help, auto value) {
    fmt::format_to(it, "# HELP {0} {1}\n# TYPE {0} gauge\n{0} {2}\n", name, help, value);
  };
  out += "# HELP squall_fake_requests_total Requests answered with a status, by status.\n"
         "# TYPE squall_fake_requests_total counter\n";
  for (int s = status_min; s <= status_max; ++s) {
    if (const std::uint64_t n = by_status(s)) fmt::format_to(it, "squall_fake_requests_total{{status=\"{}\"}} {}\n", s, n);
  }
  counter("squall_fake_resets_total", "Connections reset (RST) by a reset fault.", load(resets_));
  counter("squall_fake_hangs_total", "Requests never answered (hang fault), ended by the client or the hang bound.",
          load(hangs_));
  counter("squall_fake_outage_closes_total", "Connections closed at once during an outage.", load(outage_closes_));
  counter("squall_fake_bad_requests_total", "Malformed or oversized requests (answered 400/413/431, then closed).",
          load(bad_requests_));
  counter("squall_fake_read_timeouts_total", "Connections closed because a request did not arrive in time.",
          load(read_timeouts_));
  counter("squall_fake_refused_connections_total", "Connections closed at once beyond the connection limit.",
          load(refused_over_limit_));
  counter("squall_fake_connections_total", "Connections accepted.", load(connections_total_));
  gauge("squall_fake_open_connections", "Connections open now.", load(open_connections_));
  gauge("squall_fake_in_flight", "Requests received and not yet answered (hangs included).", load(in_flight_));
  gauge("squall_fake_queue_depth", "Requests waiting for a capacity slot in the model.", queue_depth);
  gauge("squall_fake_active_faults", "Faults in their time window now.", active_faults);

  latency_.render(out, "squall_fake_latency_seconds", "Time from a request's arrival to its answer or reset.");
  lateness_.render(out, "squall_fake_answer_lateness_seconds",
                   "How long after the model's due time an answer or reset left: the fake's own added latency.");
  return out;
}

}  // namespace squall::fakes::real
