#pragma once
// Time vocabulary of the stack: integer nanoseconds behind std::chrono's strong types.
// The stack never reads a clock; instants are handed to it by the runtime (simulated or real).
#include <chrono>
#include <cstdint>

namespace squall::stack {

// A clock without now(): instants only come from the runtime driving the stack.
struct runtime_clock {
  using rep = std::int64_t;
  using period = std::nano;
  using duration = std::chrono::nanoseconds;
  using time_point = std::chrono::time_point<runtime_clock>;
  static constexpr bool is_steady = true;
};

using duration = std::chrono::nanoseconds;
using instant = runtime_clock::time_point;

constexpr instant instant_from_ns(std::int64_t ns) { return instant{duration{ns}}; }
constexpr std::int64_t ns_since_start(instant t) { return t.time_since_epoch().count(); }
constexpr duration from_ms(double ms) { return duration{static_cast<std::int64_t>(ms * 1e6)}; }
constexpr double to_ms(duration d) { return static_cast<double>(d.count()) / 1e6; }
constexpr double to_s(duration d) { return static_cast<double>(d.count()) / 1e9; }

}  // namespace squall::stack
