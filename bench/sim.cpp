// Cost of the simulator's hot paths: the event queue, the PRNG, the HTTP dependency model and one simulated
// attempt end to end. Targets and results live in docs/PERFORMANCE.md.
#include <benchmark/benchmark.h>

#include <array>
#include <cstdint>

#include "fakes/http_service.hpp"
#include "sim/event_queue.hpp"
#include "sim/rng.hpp"
#include "sim/sim_runtime.hpp"
#include "sim/simulator.hpp"

namespace {

using namespace squall;

void noop(void*, std::uint64_t) {}

// Steady state at a fixed size: pop the earliest task, push one a random (exponential) gap after it, as a
// simulator does. Gaps are drawn up front so the loop measures the heap alone.
void bm_event_queue_steady(benchmark::State& state) {
  const auto size = static_cast<std::size_t>(state.range(0));
  sim::rng r(1);
  std::array<std::int64_t, 4096> gaps{};
  const double mean_gap = 1e6 * static_cast<double>(size);  // spread comparable to the queue's contents
  for (auto& g : gaps) g = 1 + static_cast<std::int64_t>(r.exponential(mean_gap));
  sim::event_queue q;
  for (std::size_t i = 0; i < size; ++i) q.push(gaps[i % gaps.size()], stack::task{&noop, nullptr, i});
  std::size_t k = 0;
  for (auto _ : state) {
    const sim::event_queue::entry e = q.pop();
    q.push(e.t_ns + gaps[k++ & (gaps.size() - 1)], e.work);
    benchmark::DoNotOptimize(e.seq);
  }
  state.SetItemsProcessed(state.iterations());  // one push + one pop each
}
BENCHMARK(bm_event_queue_steady)->Arg(1'000)->Arg(100'000);

void bm_rng_next(benchmark::State& state) {
  sim::rng r(1);
  for (auto _ : state) benchmark::DoNotOptimize(r.next());
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(bm_rng_next);

void bm_rng_uniform01(benchmark::State& state) {
  sim::rng r(1);
  for (auto _ : state) benchmark::DoNotOptimize(r.uniform01());
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(bm_rng_uniform01);

void bm_rng_lognormal(benchmark::State& state) {
  sim::rng r(1);
  for (auto _ : state) benchmark::DoNotOptimize(r.lognormal(20.0, 0.5));
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(bm_rng_lognormal);

void bm_rng_fork(benchmark::State& state) {
  const sim::rng r(1);
  for (auto _ : state) benchmark::DoNotOptimize(r.fork("dependency/api").seed());
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(bm_rng_fork);

// The storm-hour dependency (capacity 64, lognormal median 20 ms, sigma 0.5, 1 % errors) at 1000 arrivals/s:
// utilisation about 0.35, so requests rarely queue. Arg(1) adds an active latency_spike and error_storm.
fakes::dependency_config storm_hour_api() {
  fakes::dependency_config d;
  d.name = "api";
  d.capacity = 64;
  d.latency.dist = fakes::latency_dist::lognormal;
  d.latency.median_ms = 20;
  d.latency.sigma = 0.5;
  d.errors.rate = 0.01;
  return d;
}

void bm_http_service_serve(benchmark::State& state) {
  std::vector<fakes::fault_config> faults;
  if (state.range(0) != 0) {
    fakes::fault_config storm, spike;
    storm.kind = fakes::fault_kind::error_storm;
    storm.rate = 0.2;
    spike.kind = fakes::fault_kind::latency_spike;
    spike.multiplier = 1.5;
    storm.to = spike.to = stack::duration::max();
    faults = {storm, spike};
  }
  fakes::http_service svc(storm_hour_api(), faults, sim::rng(1));
  std::int64_t t = 0;
  for (auto _ : state) {
    t += 1'000'000;  // 1 ms between arrivals
    const sim::http_reply reply = svc.serve(stack::instant_from_ns(t));
    benchmark::DoNotOptimize(reply.at);
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(bm_http_service_serve)->Arg(0)->Arg(1);

// One simulated attempt end to end: a task sends it through sim_runtime to the fleet, the runtime schedules
// the delivery (answer or 200 ms timeout) and calls the handler. Two event-queue round trips per attempt.
class null_sink final : public history::event_sink {
 public:
  void on_event(const history::event&) override {}
};

struct attempt_driver {
  sim::simulator& sim;
  sim::sim_runtime& rt;
  std::uint64_t done = 0;
  static void on_result(void* self, std::uint64_t, const stack::attempt_result&) {
    ++static_cast<attempt_driver*>(self)->done;
  }
  static void send(void* self, std::uint64_t) {
    auto& d = *static_cast<attempt_driver*>(self);
    d.rt.send_http(0, stack::duration{200'000'000}, {&attempt_driver::on_result, &d, 0});
    d.sim.at(d.sim.now() + stack::duration{1'000'000}, {&attempt_driver::send, &d, 0});
  }
};

void bm_sim_attempt(benchmark::State& state) {
  sim::simulator sim;
  fakes::http_fleet fleet({storm_hour_api()}, {}, sim::rng(1));
  null_sink sink;
  sim::sim_runtime rt(sim, fleet, sink, sim::rng(2));
  attempt_driver d{sim, rt};
  sim.at(stack::instant_from_ns(0), {&attempt_driver::send, &d, 0});
  std::int64_t end = 0;
  for (auto _ : state) {
    end += 1'000'000'000;  // one simulated second: 1000 attempts
    sim.run_until(stack::instant_from_ns(end));
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(d.done));
  state.counters["attempts_per_sim_s"] = static_cast<double>(d.done) / static_cast<double>(state.iterations());
}
BENCHMARK(bm_sim_attempt)->Unit(benchmark::kMicrosecond);

}  // namespace

BENCHMARK_MAIN();
