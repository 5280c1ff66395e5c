#pragma once
// How report.json prints numbers, so g++ and clang builds emit identical bytes (docs/report-format.md):
// counts are integers; ratios and latencies are rounded to 6 significant digits; times in seconds are computed
// from integer nanoseconds and rounded to the millisecond. A ratio with a zero denominator is null.
#include <cstdint>

#include <nlohmann/json.hpp>

namespace squall::reports {

// x rounded to 6 significant digits (via "%.6g" and back, which both builds share through the C library).
double round_sig6(double x);

// ns as seconds, rounded to the millisecond.
double seconds_from_ns(std::int64_t ns);

// num / den rounded to 6 significant digits, or null when den is 0.
nlohmann::json ratio(double num, double den);

// A rounded double, or null when not finite.
nlohmann::json number(double x);

}  // namespace squall::reports
