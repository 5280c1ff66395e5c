#pragma once
// Helpers shared by the resilience tests: readable instants and a tiny deterministic PRNG.
#include <cstdint>

#include "stack/core/time.hpp"

namespace squall::stack::resilience::test {

inline instant at_ms(std::int64_t ms) { return instant_from_ns(ms * 1'000'000); }
inline instant at_ns(std::int64_t ns) { return instant_from_ns(ns); }
inline duration ms(std::int64_t v) { return duration{v * 1'000'000}; }

// splitmix64: enough for property loops; the tests own their seed so every run draws the same numbers.
struct splitmix64 {
  std::uint64_t state;
  std::uint64_t next() {
    std::uint64_t z = (state += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
  }
  double next_u01() { return static_cast<double>(next() >> 11) * 0x1.0p-53; }  // [0, 1)
};

}  // namespace squall::stack::resilience::test
