#pragma once
// The project's PRNG: xoshiro256** seeded through splitmix64, with named forks so every component draws from
// its own stream (adding draws in one component never shifts another's). Distributions are our own, because
// std::*_distribution output differs between libstdc++ and libc++.
#include <cstdint>
#include <string_view>

namespace squall::sim {

std::uint64_t splitmix64(std::uint64_t& state);
std::uint64_t hash_name(std::string_view name);  // FNV-1a 64

class rng {
 public:
  explicit rng(std::uint64_t seed);
  // An independent stream derived from this one's seed and a name; does not advance this stream.
  rng fork(std::string_view name) const;
  std::uint64_t next();
  std::uint64_t seed() const { return seed_; }

  double uniform01();                          // [0, 1)
  double uniform(double lo, double hi);        // [lo, hi)
  bool bernoulli(double p);
  double exponential(double mean);
  double normal(double mean, double stddev);
  double lognormal(double median, double sigma);
  double pareto(double scale, double shape);   // minimum `scale`, tail index `shape`

 private:
  std::uint64_t seed_;
  std::uint64_t s_[4];
};

}  // namespace squall::sim
