#include "sim/rng.hpp"

#include <cmath>
#include <numbers>

namespace squall::sim {

std::uint64_t splitmix64(std::uint64_t& state) {
  std::uint64_t z = (state += 0x9e3779b97f4a7c15ULL);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

std::uint64_t hash_name(std::string_view name) {
  std::uint64_t h = 0xcbf29ce484222325ULL;
  for (unsigned char c : name) {
    h ^= c;
    h *= 0x100000001b3ULL;
  }
  return h;
}

rng::rng(std::uint64_t seed) : seed_(seed) {
  std::uint64_t state = seed;
  for (auto& word : s_) word = splitmix64(state);
}

rng rng::fork(std::string_view name) const {
  std::uint64_t mixed = seed_ ^ hash_name(name);
  return rng(splitmix64(mixed));
}

static inline std::uint64_t rotl(std::uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }

std::uint64_t rng::next() {
  const std::uint64_t result = rotl(s_[1] * 5, 7) * 9;
  const std::uint64_t t = s_[1] << 17;
  s_[2] ^= s_[0];
  s_[3] ^= s_[1];
  s_[1] ^= s_[2];
  s_[0] ^= s_[3];
  s_[2] ^= t;
  s_[3] = rotl(s_[3], 45);
  return result;
}

double rng::uniform01() { return static_cast<double>(next() >> 11) * 0x1.0p-53; }

double rng::uniform(double lo, double hi) { return lo + (hi - lo) * uniform01(); }

bool rng::bernoulli(double p) { return p >= 1.0 || (p > 0.0 && uniform01() < p); }

double rng::exponential(double mean) { return -mean * std::log1p(-uniform01()); }

// Box-Muller without caching the second value: one normal per call keeps streams easy to reason about.
double rng::normal(double mean, double stddev) {
  const double u1 = 1.0 - uniform01();  // (0, 1]
  const double u2 = uniform01();
  return mean + stddev * std::sqrt(-2.0 * std::log(u1)) * std::cos(2.0 * std::numbers::pi * u2);
}

double rng::lognormal(double median, double sigma) { return median * std::exp(normal(0.0, sigma)); }

double rng::pareto(double scale, double shape) { return scale / std::pow(1.0 - uniform01(), 1.0 / shape); }

}  // namespace squall::sim
