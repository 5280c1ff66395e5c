// How late this machine wakes a sleeping Asio timer: the floor under any "delay beyond the configured latency"
// measurement of a timer-based server (docs/PERFORMANCE.md, "Real mode: fake HTTP server").
// Usage: bench_timer_wakeup [DELAY_MS] [COUNT]   (default 5 ms, 400 waits; prints p50/p99 lateness, sync and async)
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <vector>

using clock_type = std::chrono::steady_clock;

void print(const char* label, std::vector<double>& late_us) {
  std::sort(late_us.begin(), late_us.end());
  const auto at = [&](double q) { return late_us[static_cast<std::size_t>(q * static_cast<double>(late_us.size() - 1))]; };
  std::printf("%-6s late by p50 %.0f us, p99 %.0f us, max %.0f us (%zu waits)\n", label, at(0.5), at(0.99),
              late_us.back(), late_us.size());
}

int main(int argc, char** argv) {
  const auto delay = std::chrono::microseconds(static_cast<long>((argc > 1 ? std::atof(argv[1]) : 5.0) * 1000));
  const int count = argc > 2 ? std::max(1, std::atoi(argv[2])) : 400;
  boost::asio::io_context io;
  boost::asio::steady_timer timer(io);
  std::vector<double> late;
  for (int i = 0; i < count; ++i) {
    const auto at = clock_type::now() + delay;
    timer.expires_at(at);
    timer.wait();
    late.push_back(std::chrono::duration<double, std::micro>(clock_type::now() - at).count());
  }
  print("sync", late);
  late.clear();
  clock_type::time_point at;
  std::function<void()> arm = [&] {
    at = clock_type::now() + delay;
    timer.expires_at(at);
    timer.async_wait([&](const boost::system::error_code&) {
      late.push_back(std::chrono::duration<double, std::micro>(clock_type::now() - at).count());
      if (static_cast<int>(late.size()) < count) arm();
    });
  };
  arm();
  io.run();
  print("async", late);
}
