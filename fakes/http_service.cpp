#include "fakes/http_service.hpp"

#include <algorithm>
#include <cmath>
#include <functional>

#include "fakes/latency.hpp"
#include "stack/core/assert.hpp"

namespace squall::fakes {

namespace {
// A refused connection or an overloaded front door answers in about a round trip.
constexpr double fast_reject_ms = 1.0;
// Far beyond any run (about 3 years): service and queueing saturate here instead of overflowing int64 ns.
constexpr double horizon_ns = 1e17;

std::int64_t ms_to_ns(double ms) { return std::llround(ms * 1e6); }
}  // namespace

http_service::http_service(dependency_config config, std::vector<fault_config> faults, sim::rng rng)
    : config_(std::move(config)), faults_(std::move(faults)), rng_(rng) {
  SQUALL_ASSERT(config_.capacity > 0, "dependency capacity must be positive");
  slot_free_ns_.assign(static_cast<std::size_t>(config_.capacity), 0);  // all free at t = 0: a valid heap
  limit_second_.assign(faults_.size(), -1);
  limit_count_.assign(faults_.size(), 0.0);
}

sim::http_reply http_service::fast(stack::instant now, int status, double latency_ms, double retry_after_s) const {
  sim::http_reply r;
  r.at = now + stack::duration{ms_to_ns(latency_ms)};
  r.result.kind = stack::attempt_kind::response;
  r.result.status = status;
  r.result.retry_after = stack::duration{ms_to_ns(retry_after_s * 1e3)};
  return r;
}

// Fixed one-second windows, as most API gateways count: the first limit_per_s requests of each second pass.
bool http_service::over_rate_limit(const fault_config& f, stack::instant now) {
  const auto i = static_cast<std::size_t>(&f - faults_.data());
  const std::int64_t second = stack::ns_since_start(now) / 1'000'000'000;
  if (limit_second_[i] != second) {
    limit_second_[i] = second;
    limit_count_[i] = 0;
  }
  limit_count_[i] += 1;
  return limit_count_[i] > f.limit_per_s;
}

std::size_t http_service::queued(stack::instant now) {
  const std::int64_t t = stack::ns_since_start(now);
  while (!queued_starts_.empty() && queued_starts_.front() <= t) queued_starts_.pop_front();
  return queued_starts_.size();
}

void http_service::add_fault(fault_config fault) {
  faults_.push_back(std::move(fault));
  limit_second_.push_back(-1);
  limit_count_.push_back(0.0);
}

void http_service::remove_fault(std::size_t index) {
  SQUALL_ASSERT(index < faults_.size(), "removing an unknown fault");
  const auto at = static_cast<std::ptrdiff_t>(index);
  faults_.erase(faults_.begin() + at);
  limit_second_.erase(limit_second_.begin() + at);
  limit_count_.erase(limit_count_.begin() + at);
}

sim::http_reply http_service::serve(stack::instant now) {
  const std::int64_t t = stack::ns_since_start(now);
  double multiplier = 1.0, add_ms = 0.0, reset_rate = 0.0;
  for (const fault_config& f : faults_) {
    if (t < f.from.count() || t >= f.to.count()) continue;
    switch (f.kind) {
      case fault_kind::outage: {
        sim::http_reply r = fast(now, 0, fast_reject_ms, 0);
        r.result.kind = stack::attempt_kind::connect_failure;
        return r;
      }
      case fault_kind::rate_limit:
        if (over_rate_limit(f, now)) return fast(now, 429, fast_reject_ms, f.retry_after_s);
        break;
      case fault_kind::hang:
        if (rng_.bernoulli(f.rate)) return sim::http_reply{false, now, {}};
        break;
      case fault_kind::error_storm:
        if (rng_.bernoulli(f.rate)) return fast(now, f.status, f.latency_ms, f.retry_after_s);
        break;
      case fault_kind::latency_spike:
        multiplier *= f.multiplier;
        add_ms += f.add_ms;
        break;
      case fault_kind::reset:
        reset_rate = std::max(reset_rate, f.rate);
        break;
    }
  }
  if (rng_.bernoulli(config_.errors.rate)) return fast(now, config_.errors.status, config_.errors.latency_ms, 0);
  // Only a request that would have to wait can find the queue full (queue_max = 0: no waiting at all).
  const bool must_wait = slot_free_ns_.front() > t;
  if (must_wait && queued(now) >= config_.queue_max) return fast(now, 503, fast_reject_ms, 0);

  const double drawn_ns = static_cast<double>(draw_latency(config_.latency, rng_).count());
  // Saturate: stacked spikes on a huge latency must not overflow the clock (a finished run is ~1 week at most;
  // anything beyond the horizon behaves as "never" because every client times out first).
  const double spiked_ns = std::min(drawn_ns * multiplier + static_cast<double>(ms_to_ns(add_ms)), horizon_ns);
  std::int64_t service_ns = std::llround(spiked_ns);
  std::pop_heap(slot_free_ns_.begin(), slot_free_ns_.end(), std::greater<>{});
  const std::int64_t start = std::max(t, slot_free_ns_.back());
  sim::http_reply r;
  r.result.kind = stack::attempt_kind::response;
  r.result.status = 200;
  if (rng_.bernoulli(reset_rate)) {
    // The connection drops partway through the work; the slot frees when it drops.
    service_ns = std::llround(static_cast<double>(service_ns) * rng_.uniform01());
    r.result.kind = stack::attempt_kind::reset;
    r.result.status = 0;
  }
  const std::int64_t end = std::min(start + service_ns, static_cast<std::int64_t>(horizon_ns));
  slot_free_ns_.back() = end;
  std::push_heap(slot_free_ns_.begin(), slot_free_ns_.end(), std::greater<>{});
  if (start > t) queued_starts_.push_back(start);
  r.at = stack::instant_from_ns(end);
  return r;
}

http_fleet::http_fleet(const std::vector<dependency_config>& dependencies, const std::vector<fault_config>& faults,
                       const sim::rng& root) {
  services_.reserve(dependencies.size());
  // A fault aimed at no dependency would silently never fire.
  for (const fault_config& f : faults)
    SQUALL_ASSERT(f.target_index < dependencies.size(), "fault targets an unknown dependency");
  for (std::size_t i = 0; i < dependencies.size(); ++i) {
    std::vector<fault_config> mine;
    for (const fault_config& f : faults)
      if (f.target_index == i) mine.push_back(f);
    std::stable_sort(mine.begin(), mine.end(), [](const auto& a, const auto& b) { return a.from < b.from; });
    services_.emplace_back(dependencies[i], std::move(mine), root.fork("dependency/" + dependencies[i].name));
  }
}

sim::http_reply http_fleet::serve(std::size_t dependency, stack::instant now) {
  SQUALL_ASSERT(dependency < services_.size(), "request to an unknown dependency");
  return services_[dependency].serve(now);
}

}  // namespace squall::fakes
