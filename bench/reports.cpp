// Throughput of the analysis hot path: report_builder::on_event and the JSONL writer (and reader) over a
// synthetic stream shaped like a storm-hour run (invoke, start, attempts with some timeouts and retries, ok or
// fail, occasional breaker transitions).
#include <benchmark/benchmark.h>

#include <cstdio>
#include <sstream>
#include <vector>

#include "history/jsonl.hpp"
#include "reports/report_builder.hpp"

namespace {

using namespace squall::history;

header bench_header() {
  header h;
  h.scenario = "bench";
  h.duration_ns = 3600LL * 1'000'000'000;
  h.dependencies = {"api"};
  h.faults = {{"error_storm", "api", 600LL * 1'000'000'000, 900LL * 1'000'000'000}};
  h.gates = {"retry_amplification.overall < 1.5", "latency_ms.p99 < 800", "breaker.flaps_per_hour <= 6"};
  return h;
}

// About 1000 requests per simulated second; ~6.3 events per request.
const std::vector<event>& synthetic_stream() {
  static const std::vector<event> events = [] {
    std::vector<event> v;
    std::uint64_t seq = 0;
    std::uint64_t x = 88172645463325252ull;  // xorshift64: deterministic and cheap
    const auto rnd = [&] {
      x ^= x << 13;
      x ^= x >> 7;
      x ^= x << 17;
      return x;
    };
    const auto push = [&](event e) {
      e.seq = seq++;
      v.push_back(e);
    };
    for (std::uint64_t req = 1; req <= 400'000; ++req) {
      const auto t = static_cast<std::int64_t>(req) * 1'000'000;  // 1 ms apart
      event e;
      e.t_ns = t;
      e.req = req;
      e.type = event_type::invoke;
      push(e);
      e.proc = static_cast<std::int32_t>(req % 256);
      e.type = event_type::start;
      push(e);
      const int attempts = 1 + static_cast<int>(rnd() % 8 == 0) + static_cast<int>(rnd() % 32 == 0);
      for (int a = 1; a <= attempts; ++a) {
        e.attempt = static_cast<std::uint16_t>(a);
        e.type = event_type::attempt;
        push(e);
        e.type = event_type::attempt_end;
        e.result = a < attempts ? attempt_result::timeout : attempt_result::response;
        e.status = 200;
        e.value_ns = static_cast<std::int64_t>(rnd() % 200'000'000);
        push(e);
        if (a < attempts) {
          e.type = event_type::retry;
          e.attempt = static_cast<std::uint16_t>(a + 1);
          push(e);
        }
      }
      e.type = rnd() % 50 == 0 ? event_type::fail : event_type::ok;
      e.reason = fail_reason::exhausted;
      e.value_ns = static_cast<std::int64_t>(rnd() % 400'000'000);
      push(e);
      if (req % 5000 == 0) {
        event b;
        b.t_ns = t;
        b.type = event_type::breaker;
        b.from = breaker_state::closed;
        b.to = breaker_state::open;
        push(b);
        b.from = breaker_state::open;
        b.to = breaker_state::closed;
        push(b);
      }
    }
    return v;
  }();
  return events;
}

void bm_report_builder_on_event(benchmark::State& state) {
  const auto& events = synthetic_stream();
  for (auto _ : state) {
    squall::reports::report_builder builder(bench_header());
    for (const event& e : events) builder.on_event(e);
    benchmark::DoNotOptimize(builder.finish());
  }
  state.SetItemsProcessed(state.iterations() * static_cast<std::int64_t>(events.size()));
}
BENCHMARK(bm_report_builder_on_event)->Unit(benchmark::kMillisecond);

void bm_jsonl_writer_file(benchmark::State& state) {
  const auto& events = synthetic_stream();
  std::FILE* null_file = std::fopen("/dev/null", "wb");
  for (auto _ : state) {
    jsonl_writer writer(null_file, bench_header());
    for (const event& e : events) writer.on_event(e);
    writer.flush();
  }
  std::fclose(null_file);
  state.SetItemsProcessed(state.iterations() * static_cast<std::int64_t>(events.size()));
}
BENCHMARK(bm_jsonl_writer_file)->Unit(benchmark::kMillisecond);

void bm_jsonl_reader(benchmark::State& state) {
  const auto& events = synthetic_stream();
  std::ostringstream out;
  {
    jsonl_writer writer(out, bench_header());
    for (const event& e : events) writer.on_event(e);
  }
  const std::string text = out.str();
  struct null_sink final : event_sink {
    std::uint64_t n = 0;
    void on_event(const event&) override { ++n; }
  } sink;
  for (auto _ : state) {
    std::istringstream in(text);
    header h;
    benchmark::DoNotOptimize(read_history(in, h, sink));
  }
  state.SetItemsProcessed(state.iterations() * static_cast<std::int64_t>(events.size()));
  state.SetBytesProcessed(state.iterations() * static_cast<std::int64_t>(text.size()));
}
BENCHMARK(bm_jsonl_reader)->Unit(benchmark::kMillisecond);

}  // namespace

BENCHMARK_MAIN();
