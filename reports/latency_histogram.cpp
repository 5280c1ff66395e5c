#include "reports/latency_histogram.hpp"

#include <algorithm>
#include <cmath>

namespace squall::reports {

std::uint64_t latency_histogram::lower_of(int index) {
  if (index < 2 * sub_buckets) return static_cast<std::uint64_t>(index);
  const int k = index - 2 * sub_buckets;
  const int shift = k / sub_buckets + 1;
  const auto mantissa = static_cast<std::uint64_t>(sub_buckets + k % sub_buckets);
  return mantissa << shift;
}

std::uint64_t latency_histogram::width_of(int index) {
  if (index < 2 * sub_buckets) return 1;
  return std::uint64_t{1} << ((index - 2 * sub_buckets) / sub_buckets + 1);
}

double latency_histogram::quantile(double q) const {
  if (count_ == 0) return 0;
  q = std::clamp(q, 0.0, 1.0);
  auto rank = static_cast<std::uint64_t>(std::ceil(q * static_cast<double>(count_)));
  rank = std::clamp<std::uint64_t>(rank, 1, count_);
  std::uint64_t seen = 0;
  for (int i = 0; i < bucket_count; ++i) {
    seen += counts_[static_cast<std::size_t>(i)];
    if (seen >= rank) {
      // Exact buckets hold one value; wider ones report their midpoint.
      const double lower = static_cast<double>(lower_of(i));
      const double mid = width_of(i) == 1 ? lower : lower + static_cast<double>(width_of(i)) / 2.0;
      return std::clamp(mid, static_cast<double>(min_), static_cast<double>(max_));
    }
  }
  return static_cast<double>(max_);
}

}  // namespace squall::reports
