#include "reports/window_checker.hpp"

#include <algorithm>
#include <bit>
#include <cmath>

#include "reports/json_number.hpp"

namespace squall::reports {

window_checker::window_checker(const history::header& h) : duration_ns_(h.duration_ns) {
  for (const history::fault_info& f : h.faults) {
    has_faults_ = true;
    first_fault_start_ns_ = std::min(first_fault_start_ns_, f.from_ns);
    last_fault_end_ns_ = std::max(last_fault_end_ns_, f.to_ns);
  }
}

namespace {

constexpr int exact_below = 16;  // values below are their own bucket
constexpr int per_power = 8;     // buckets per power of two above that
constexpr std::size_t coarse_buckets = exact_below + (63 - 4) * per_power;

std::size_t coarse_index(std::uint64_t v) {
  if (v < exact_below) return static_cast<std::size_t>(v);
  const int e = static_cast<int>(std::bit_width(v)) - 1;  // >= 4
  const auto mantissa = static_cast<int>(v >> (e - 3));   // in [8, 15]
  return static_cast<std::size_t>(exact_below + (e - 4) * per_power + (mantissa - per_power));
}

double coarse_midpoint(std::size_t index) {
  if (index < exact_below) return static_cast<double>(index);
  const int e = static_cast<int>((index - exact_below) / per_power) + 4;
  const auto mantissa = static_cast<std::uint64_t>((index - exact_below) % per_power + per_power);
  const std::uint64_t width = std::uint64_t{1} << (e - 3);
  return static_cast<double>(mantissa * width) + static_cast<double>(width) / 2;
}

}  // namespace

void window_checker::coarse_latency::record(std::int64_t value_ns) {
  if (buckets_.empty()) buckets_.resize(coarse_buckets);
  ++buckets_[coarse_index(value_ns < 0 ? 0 : static_cast<std::uint64_t>(value_ns))];
  ++count_;
}

void window_checker::coarse_latency::merge(const coarse_latency& other) {
  if (other.count_ == 0) return;
  if (buckets_.empty()) buckets_.resize(coarse_buckets);
  for (std::size_t i = 0; i < coarse_buckets; ++i) buckets_[i] += other.buckets_[i];
  count_ += other.count_;
}

nlohmann::json window_checker::coarse_latency::quantile_ms(double q) const {
  if (count_ == 0) return nullptr;
  const auto rank = std::max<std::uint64_t>(1, static_cast<std::uint64_t>(std::ceil(q * static_cast<double>(count_))));
  std::uint64_t seen = 0;
  for (std::size_t i = 0; i < coarse_buckets; ++i) {
    seen += buckets_[i];
    if (seen >= rank) return number(coarse_midpoint(i) / 1e6);
  }
  return nullptr;  // unreachable: the counts add up to count_
}

void window_checker::close(std::int64_t index, const counts& c) {
  if (c.originals > 0) {
    window_max_ = std::max(window_max_, static_cast<double>(c.attempts) / static_cast<double>(c.originals));
  }
  // Recovery looks at complete windows that start at or after the last fault end and have traffic. The
  // pre-fault counts are final by then: every such window starts after the first fault began.
  const bool complete = (index + 1) * window_ns <= duration_ns_;
  if (complete && has_faults_ && index * window_ns >= last_fault_end_ns_ && c.originals > 0 && pre_originals_ > 0) {
    const double pre = static_cast<double>(pre_succeeded_) / static_cast<double>(pre_originals_);
    const double goodput = static_cast<double>(c.succeeded) / static_cast<double>(c.originals);
    if (goodput >= recovery_share * pre) {
      if (streak_start_ < 0) streak_start_ = index;
    } else {
      streak_start_ = -1;
    }
  }
  add_to_timeline(index, c);
}

void window_checker::add_to_timeline(std::int64_t index, const counts& c) {
  auto slot = static_cast<std::size_t>(index / timeline_factor_);
  while (slot >= timeline_max_points) {
    // Merge adjacent points: the timeline keeps its bound and covers the run at half the resolution.
    std::vector<counts> merged((timeline_.size() + 1) / 2);
    for (std::size_t i = 0; i < timeline_.size(); ++i) {
      merged[i / 2].originals += timeline_[i].originals;
      merged[i / 2].attempts += timeline_[i].attempts;
      merged[i / 2].succeeded += timeline_[i].succeeded;
      merged[i / 2].budget_denied += timeline_[i].budget_denied;
      merged[i / 2].latency.merge(timeline_[i].latency);
    }
    timeline_ = std::move(merged);
    timeline_factor_ *= 2;
    slot = static_cast<std::size_t>(index / timeline_factor_);
  }
  if (slot >= timeline_.size()) timeline_.resize(slot + 1);
  timeline_[slot].originals += c.originals;
  timeline_[slot].attempts += c.attempts;
  timeline_[slot].succeeded += c.succeeded;
  timeline_[slot].budget_denied += c.budget_denied;
  timeline_[slot].latency.merge(c.latency);
}

void window_checker::finish() {
  if (current_index_ >= 0) close(current_index_, current_);
  current_ = {};
  // The timeline spans the whole run, quiet tail included.
  if (duration_ns_ > 0) add_to_timeline((duration_ns_ - 1) / window_ns, counts{});
}

nlohmann::json window_checker::amplification_json() const {
  nlohmann::json timeline = nlohmann::json::array();
  const std::int64_t point_ns = window_ns * timeline_factor_;
  for (std::size_t i = 0; i < timeline_.size(); ++i) {
    const counts& c = timeline_[i];
    const auto originals = static_cast<double>(c.originals);
    timeline.push_back({{"t_s", seconds_from_ns(static_cast<std::int64_t>(i) * point_ns)},
                        {"originals", c.originals},
                        {"attempts", c.attempts},
                        {"succeeded", c.succeeded},
                        {"amplification", ratio(static_cast<double>(c.attempts), originals)},
                        {"goodput", ratio(static_cast<double>(c.succeeded), originals)},
                        {"budget_denied", c.budget_denied},
                        {"latency_ms_p50", c.latency.quantile_ms(0.5)},
                        {"latency_ms_p99", c.latency.quantile_ms(0.99)}});
  }
  return {{"window_s", window_ns / 1'000'000'000},
          {"window_max", window_max_ < 0 ? nlohmann::json(nullptr) : number(window_max_)},
          {"timeline_window_s", point_ns / 1'000'000'000},
          {"timeline", std::move(timeline)}};
}

nlohmann::json window_checker::pre_fault_ratio_json() const {
  return ratio(static_cast<double>(pre_succeeded_), static_cast<double>(pre_originals_));
}

bool window_checker::recovery_applicable() const {
  // Recovery needs a baseline before the first fault and some run left after the last one.
  return has_faults_ && first_fault_start_ns_ > 0 && pre_originals_ > 0 && last_fault_end_ns_ < duration_ns_;
}

nlohmann::json window_checker::recovery_json() const {
  nlohmann::json r;
  r["last_fault_end_s"] = has_faults_ ? nlohmann::json(seconds_from_ns(last_fault_end_ns_)) : nlohmann::json(nullptr);
  r["pre_fault_goodput"] = pre_fault_ratio_json();
  r["window_s"] = window_ns / 1'000'000'000;
  if (!recovery_applicable()) {
    r["applicable"] = false;
    r["recovered"] = true;
    r["metastable"] = false;
    r["seconds"] = 0;
    return r;
  }
  const bool recovered = streak_start_ >= 0;
  r["applicable"] = true;
  r["recovered"] = recovered;
  r["metastable"] = !recovered;
  r["seconds"] = recovered ? nlohmann::json(seconds_from_ns(streak_start_ * window_ns - last_fault_end_ns_))
                           : nlohmann::json(nullptr);
  return r;
}

}  // namespace squall::reports
