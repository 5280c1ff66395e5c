#include "reports/json_number.hpp"

#include <cmath>
#include <cstdio>
#include <cstdlib>

namespace squall::reports {

double round_sig6(double x) {
  if (!std::isfinite(x) || x == 0) return x == 0 ? 0.0 : x;  // 0.0 also turns -0 into 0
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.6g", x);
  return std::strtod(buf, nullptr);
}

double seconds_from_ns(std::int64_t ns) {
  // Integer rounding to ms first: the double then has exactly one shortest decimal form.
  const std::int64_t ms = ns >= 0 ? (ns + 500'000) / 1'000'000 : -((-ns + 500'000) / 1'000'000);
  return static_cast<double>(ms) / 1000.0;
}

nlohmann::json ratio(double num, double den) {
  if (den == 0) return nullptr;
  return number(num / den);
}

nlohmann::json number(double x) {
  if (!std::isfinite(x)) return nullptr;
  return round_sig6(x);
}

}  // namespace squall::reports
