#pragma once
// Running sample moments for the statistical tests (Welford), and a "within k standard errors" helper.
#include <cmath>
#include <cstdint>

namespace squall::test {

struct moments {
  std::uint64_t n = 0;
  double mean = 0, m2 = 0;

  void add(double x) {
    ++n;
    const double d = x - mean;
    mean += d / static_cast<double>(n);
    m2 += d * (x - mean);
  }
  double variance() const { return m2 / static_cast<double>(n - 1); }
  double stddev() const { return std::sqrt(variance()); }
};

// |observed - expected| <= k · standard_error
inline bool within_se(double observed, double expected, double standard_error, double k = 5.0) {
  return std::fabs(observed - expected) <= k * standard_error;
}

}  // namespace squall::test
