// Cost of the resilience policies on their hot paths. Targets and results live in docs/PERFORMANCE.md.
#include <benchmark/benchmark.h>

#include <array>
#include <cstdint>

#include "stack/resilience/backoff.hpp"
#include "stack/resilience/breaker.hpp"
#include "stack/resilience/budget.hpp"

namespace {

using namespace squall::stack;
using namespace squall::stack::resilience;

constexpr duration step{1'000};  // 1 us between calls: time windows roll every 1000 iterations
constexpr duration call{2'000'000};

breaker_config breaker(breaker_model model, breaker_window window = breaker_window::count) {
  breaker_config c;
  c.model = model;
  c.window = window;
  c.window_size = window == breaker_window::count ? 100 : 10;
  c.minimum_calls = 10;
  return c;
}

// allow + record(success) on a CLOSED breaker: the path every request takes when nothing is wrong.
template <typename B>
void closed_path(benchmark::State& state, B& b) {
  instant now{};
  for (auto _ : state) {
    now += step;
    const bool ok = b.allow(now);
    benchmark::DoNotOptimize(ok);
    b.record(now, false, call);
  }
  if (b.state() != breaker_state::closed) state.SkipWithError("breaker left CLOSED");
}

void bm_consecutive_closed(benchmark::State& state) {
  consecutive_breaker b(breaker(breaker_model::consecutive));
  closed_path(state, b);
}
BENCHMARK(bm_consecutive_closed);

void bm_circuit_breaker_consecutive_closed(benchmark::State& state) {
  circuit_breaker b(breaker(breaker_model::consecutive));
  closed_path(state, b);
}
BENCHMARK(bm_circuit_breaker_consecutive_closed);

void bm_circuit_breaker_failure_rate_closed(benchmark::State& state) {
  circuit_breaker b(breaker(breaker_model::failure_rate));
  closed_path(state, b);
}
BENCHMARK(bm_circuit_breaker_failure_rate_closed);

void bm_failure_rate_count_closed(benchmark::State& state) {
  failure_rate_breaker b(breaker(breaker_model::failure_rate, breaker_window::count));
  closed_path(state, b);
}
BENCHMARK(bm_failure_rate_count_closed);

void bm_failure_rate_time_closed(benchmark::State& state) {
  failure_rate_breaker b(breaker(breaker_model::failure_rate, breaker_window::time));
  closed_path(state, b);
}
BENCHMARK(bm_failure_rate_time_closed);

// try_retry alone; the budgets are primed so the decision is computed, not short-circuited.
void bm_budget_try_retry(benchmark::State& state, budget_model model) {
  budget_config c;
  c.model = model;
  c.ratio = 0.5;
  retry_budget b(c);
  instant now{};
  for (int i = 0; i < 1000; ++i) {
    b.on_original(now);
    b.on_attempt_start(now, false);
  }
  for (auto _ : state) {
    now += step;
    benchmark::DoNotOptimize(b.try_retry(now, false));
  }
}
BENCHMARK_CAPTURE(bm_budget_try_retry, cumulative_ratio, budget_model::cumulative_ratio);
BENCHMARK_CAPTURE(bm_budget_try_retry, windowed, budget_model::windowed);
BENCHMARK_CAPTURE(bm_budget_try_retry, concurrency, budget_model::concurrency);
BENCHMARK_CAPTURE(bm_budget_try_retry, token_bucket, budget_model::token_bucket);

// The windowed budget's steady state: every original deposits, every try withdraws, slots roll over.
void bm_budget_windowed_cycle(benchmark::State& state) {
  budget_config c;
  c.model = budget_model::windowed;
  retry_budget b(c);
  instant now{};
  for (auto _ : state) {
    now += step;
    b.on_original(now);
    benchmark::DoNotOptimize(b.try_retry(now, false));
  }
}
BENCHMARK(bm_budget_windowed_cycle);

void bm_backoff_delay(benchmark::State& state, backoff_kind kind) {
  backoff_config c;
  c.kind = kind;
  std::array<double, 64> u{};
  for (std::size_t i = 0; i < u.size(); ++i) u[i] = static_cast<double>(i) / static_cast<double>(u.size());
  std::size_t i = 0;
  duration prev = c.base;
  for (auto _ : state) {
    const int k = 1 + static_cast<int>(i & 3);
    prev = backoff_delay(c, k, prev, u[i & 63]);
    benchmark::DoNotOptimize(prev);
    ++i;
  }
}
BENCHMARK_CAPTURE(bm_backoff_delay, none, backoff_kind::none);
BENCHMARK_CAPTURE(bm_backoff_delay, full_jitter, backoff_kind::full_jitter);
BENCHMARK_CAPTURE(bm_backoff_delay, equal_jitter, backoff_kind::equal_jitter);
BENCHMARK_CAPTURE(bm_backoff_delay, decorrelated, backoff_kind::decorrelated);
BENCHMARK_CAPTURE(bm_backoff_delay, playbook, backoff_kind::playbook);

}  // namespace

BENCHMARK_MAIN();
