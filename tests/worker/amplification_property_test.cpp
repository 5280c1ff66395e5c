// Property: with independent failures of probability p, no breaker and no budget, and N attempts, the expected
// attempts per original is 1 + p + ... + p^(N-1) = (1 - p^N) / (1 - p). Checked end to end through the
// simulated dependency (baseline errors) and the worker pool, within 5 standard errors.
#include <cmath>

#include <catch2/catch.hpp>

#include "fakes/http_service.hpp"
#include "tests/worker/pool_fixture.hpp"

using namespace squall;
using namespace squall::test;

namespace {

struct counting_sink final : history::event_sink {
  std::uint64_t originals = 0, attempts = 0;
  void on_event(const history::event& e) override {
    originals += e.type == event_type::invoke;
    attempts += e.type == event_type::attempt;
  }
};

double amplification(double p, int max_attempts, std::uint64_t seed, std::uint64_t originals) {
  fakes::dependency_config dep;
  dep.name = "api";
  dep.capacity = 100000;
  dep.latency.dist = fakes::latency_dist::constant;
  dep.latency.value_ms = 1;
  dep.errors = {p, 503, 1.0};
  sim::simulator sim;
  fakes::http_fleet fleet({dep}, {}, sim::rng(seed));
  counting_sink sink;
  sim::sim_runtime runtime(sim, fleet, sink, sim::rng(seed + 1));
  auto policy = no_jitter_policy(max_attempts);
  policy.retry.backoff.base = 1ms;
  stack::worker::worker_pool pool(runtime, {100000, 1000000, 0}, policy);
  struct submitter {
    stack::worker::worker_pool* pool;
    static void fire(void* self, std::uint64_t) { static_cast<submitter*>(self)->pool->submit(); }
  } s{&pool};
  for (std::uint64_t i = 0; i < originals; ++i)
    sim.at(stack::instant{std::chrono::microseconds(100 * i)}, stack::task{&submitter::fire, &s, 0});
  sim.run_until(stack::instant{std::chrono::hours(1)});
  REQUIRE(sink.originals == originals);
  return static_cast<double>(sink.attempts) / static_cast<double>(sink.originals);
}

}  // namespace

TEST_CASE("amplification converges to (1 - p^N) / (1 - p) for independent failures") {
  const std::uint64_t originals = 40000;
  for (double p : {0.1, 0.3, 0.5, 0.8}) {
    for (int n : {1, 2, 3, 5}) {
      // Attempts per original is a truncated geometric: mean m = sum p^k, second moment sum (2k+1) p^k.
      double mean = 0, second = 0;
      for (int k = 0; k < n; ++k) {
        mean += std::pow(p, k);
        second += (2 * k + 1) * std::pow(p, k);
      }
      const double closed_form = (1 - std::pow(p, n)) / (1 - p);
      REQUIRE(mean == Approx(closed_form));
      const double stderr_mean = std::sqrt((second - mean * mean) / static_cast<double>(originals));
      const double measured = amplification(p, n, 1000 + static_cast<std::uint64_t>(p * 100) + static_cast<std::uint64_t>(n), originals);
      INFO("p=" << p << " N=" << n << " measured=" << measured << " closed form=" << closed_form);
      CHECK(std::abs(measured - closed_form) <= 5 * stderr_mean + 1e-12);
    }
  }
}
