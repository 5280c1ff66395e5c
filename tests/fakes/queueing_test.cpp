// fakes::http_service as a queue: M/M/c against Erlang C, Little's law on an M/D/c path, overload growth and
// the queue bound under overload. Arrivals are Poisson, drawn from their own stream.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <vector>

#include "fakes/http_service.hpp"
#include "sim/rng.hpp"
#include "tests/sim/moments.hpp"

using namespace squall::fakes;
using squall::sim::rng;
using squall::stack::instant_from_ns;
using squall::stack::ns_since_start;
using squall::test::moments;
using squall::test::within_se;

namespace {

constexpr std::int64_t ms = 1'000'000;

// Probability that an arrival waits in M/M/c (Erlang C), offered load a = λ/μ.
double erlang_c(int c, double a) {
  double term = 1, sum = 0;  // a^k / k!
  for (int k = 0; k < c; ++k) {
    sum += term;
    term *= a / (k + 1);
  }
  const double rho = a / c;
  const double top = term / (1 - rho);
  return top / (sum + top);
}

// Batch means: splits a sequence of per-request values into batches and gives the mean and the standard error
// of the mean from the spread of batch means (the values are autocorrelated, the batch means nearly not).
struct batch_means {
  std::size_t per_batch;
  moments batches, current;
  void add(double x) {
    current.add(x);
    if (current.n == per_batch) {
      batches.add(current.mean);
      current = {};
    }
  }
  double mean() const { return batches.mean; }
  double standard_error() const { return batches.stddev() / std::sqrt(static_cast<double>(batches.n)); }
};

}  // namespace

TEST_CASE("M/M/4 at utilisation 0.75: response time and queue length match Erlang C", "[http_service][queueing]") {
  const int c = 4;
  const double mean_service_ms = 10, lambda_per_ms = 0.3;  // μ = 0.1/ms, λ = 0.3/ms, ρ = 0.75
  dependency_config d;
  d.name = "api";
  d.capacity = c;
  d.latency.dist = latency_dist::exponential;
  d.latency.mean_ms = mean_service_ms;
  http_service svc(d, {}, rng(42));
  rng arrivals(43);

  const double a = lambda_per_ms * mean_service_ms;
  const double pw = erlang_c(c, a);
  const double wq_ms = pw / (c / mean_service_ms - lambda_per_ms);
  const double w_ms = wq_ms + mean_service_ms;
  const double lq = lambda_per_ms * wq_ms;  // Little

  batch_means w{10'000, {}, {}}, queue_seen{10'000, {}, {}};
  double t_ms = 0;
  std::size_t longest = 0;
  for (int i = 0; i < 500'000; ++i) {
    t_ms += arrivals.exponential(1 / lambda_per_ms);
    const auto now = instant_from_ns(std::llround(t_ms * 1e6));
    const std::size_t waiting = svc.queued(now);  // PASTA: arrivals see time averages
    longest = std::max(longest, waiting);
    const auto r = svc.serve(now);
    REQUIRE(r.result.status == 200);
    if (i < 10'000) continue;  // warm-up
    queue_seen.add(static_cast<double>(waiting));
    w.add(static_cast<double>((r.at - now).count()) / 1e6);
  }
  INFO("W " << w.mean() << " ms (Erlang C " << w_ms << "), Lq " << queue_seen.mean() << " (" << lq << ")");
  CHECK(within_se(w.mean(), w_ms, w.standard_error()));
  CHECK(within_se(queue_seen.mean(), lq, queue_seen.standard_error()));
  CHECK(std::fabs(w.mean() / w_ms - 1) < 0.05);
  CHECK(longest < 100);  // utilisation < 1: the queue stays bounded
}

TEST_CASE("M/D/2: Little's law holds on the sample path", "[http_service][queueing]") {
  const double service_ms = 8, lambda_per_ms = 0.2;  // ρ = 0.8
  dependency_config d;
  d.name = "api";
  d.capacity = 2;
  d.latency.dist = latency_dist::constant;
  d.latency.value_ms = service_ms;
  http_service svc(d, {}, rng(1));
  rng arrivals(2);
  moments wait_ms, queue_seen;
  double t_ms = 0;
  for (int i = 0; i < 300'000; ++i) {
    t_ms += arrivals.exponential(1 / lambda_per_ms);
    const auto now = instant_from_ns(std::llround(t_ms * 1e6));
    queue_seen.add(static_cast<double>(svc.queued(now)));
    const auto r = svc.serve(now);
    // Constant service: the wait is the response time minus the service time, exactly.
    const double wq = static_cast<double>((r.at - now).count()) / 1e6 - service_ms;
    REQUIRE(wq >= 0);
    wait_ms.add(wq);
  }
  const double observed_rate = static_cast<double>(wait_ms.n) / t_ms;
  INFO("Lq " << queue_seen.mean << ", λ·Wq " << observed_rate * wait_ms.mean);
  CHECK(wait_ms.mean > 1.0);  // there is real queueing to measure
  CHECK(std::fabs(queue_seen.mean / (observed_rate * wait_ms.mean) - 1) < 0.01);
}

TEST_CASE("overload: the queue grows at λ - cμ", "[http_service][queueing]") {
  const int c = 4;
  const double mean_service_ms = 10, lambda_per_ms = 0.5;  // cμ = 0.4/ms
  dependency_config d;
  d.name = "api";
  d.capacity = c;
  d.latency.dist = latency_dist::exponential;
  d.latency.mean_ms = mean_service_ms;
  http_service svc(d, {}, rng(7));
  rng arrivals(8);
  double t_ms = 0;
  const double horizon_ms = 100'000;
  while (true) {
    t_ms += arrivals.exponential(1 / lambda_per_ms);
    if (t_ms >= horizon_ms) break;
    (void)svc.serve(instant_from_ns(std::llround(t_ms * 1e6)));
  }
  const auto end = instant_from_ns(std::llround(horizon_ms * 1e6));
  // Queue(T) = arrivals - departures - in service ≈ (λ - cμ)T, variance ≈ (λ + cμ)T.
  const double expected = (lambda_per_ms - c / mean_service_ms) * horizon_ms;
  const double sd = std::sqrt((lambda_per_ms + c / mean_service_ms) * horizon_ms);
  CHECK(within_se(static_cast<double>(svc.queued(end)), expected, sd));
}

TEST_CASE("overload with a queue bound: at most queue_max wait, the excess gets 503", "[http_service][queueing]") {
  const int c = 2;
  const double service_ms = 10, lambda_per_ms = 0.4;  // twice the capacity
  dependency_config d;
  d.name = "api";
  d.capacity = c;
  d.queue_max = 50;
  d.latency.dist = latency_dist::constant;
  d.latency.value_ms = service_ms;
  http_service svc(d, {}, rng(1));
  rng arrivals(2);
  double t_ms = 0;
  int served = 0, rejected = 0;
  std::size_t longest = 0;
  while (true) {
    t_ms += arrivals.exponential(1 / lambda_per_ms);
    if (t_ms >= 100'000) break;
    const auto now = instant_from_ns(std::llround(t_ms * 1e6));
    const auto r = svc.serve(now);
    if (r.result.status == 503) {
      ++rejected;
      CHECK((r.at - now).count() == 1 * ms);
    } else {
      ++served;
      // A served request never waits longer than the queue ahead of it takes to drain.
      REQUIRE((r.at - now).count() <= std::llround((50.0 / c + 1) * service_ms * 1e6));
    }
    longest = std::max(longest, svc.queued(now));
  }
  CHECK(longest == 50);
  // Throughput is capped at cμ: by T the two slots complete at most cT/D = 20000, and at most c + queue_max
  // more were accepted and not yet done; the slots are idle only briefly at the start.
  CHECK(served <= 20'000 + 2 + 50);
  CHECK(served >= 20'000 - 10);
  // Everything else was refused: arrivals are Poisson(λT).
  CHECK(within_se(served + rejected, lambda_per_ms * 100'000, std::sqrt(lambda_per_ms * 100'000)));
}
