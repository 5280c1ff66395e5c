#pragma once
// The 10 s window fold: per-window originals / attempts / successes / budget denials and a coarse latency
// histogram by event time, feeding retry_amplification.window_max, the bounded timeline (with p50/p99 latency
// per point), goodput.pre_fault_ratio and recovery (docs/report-format.md). Only the current window is open at a time; closed windows fold into running maxima,
// the recovery streak and a timeline of at most 720 points (adjacent windows merge when a run is longer).
#include <cstdint>
#include <limits>
#include <stdexcept>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "history/event.hpp"

namespace squall::reports {

class window_checker {
 public:
  static constexpr std::int64_t window_ns = 10'000'000'000;
  static constexpr std::size_t timeline_max_points = 720;
  // A window is "recovered" when its goodput is at least this share of the pre-fault goodput.
  static constexpr double recovery_share = 0.95;

  explicit window_checker(const history::header& h);

  void on_event(const history::event& e) {
    advance(e.t_ns);
    switch (e.type) {
      case history::event_type::invoke:
        ++current_.originals;
        if (e.t_ns < first_fault_start_ns_) ++pre_originals_;
        break;
      case history::event_type::attempt:
        ++current_.attempts;
        break;
      case history::event_type::ok:
        ++current_.succeeded;
        current_.latency.record(e.value_ns);
        if (e.t_ns < first_fault_start_ns_) ++pre_succeeded_;
        break;
      case history::event_type::budget_deny:
        if (!e.shadow) ++current_.budget_denied;
        break;
      case history::event_type::fault_start:
        has_faults_ = true;
        if (e.t_ns < first_fault_start_ns_) first_fault_start_ns_ = e.t_ns;
        break;
      case history::event_type::fault_stop:
        // A fault that ends later than planned moves the recovery start: earlier good windows no longer count.
        if (e.t_ns > last_fault_end_ns_) {
          last_fault_end_ns_ = e.t_ns;
          streak_start_ = -1;
        }
        break;
      default:
        break;
    }
  }

  // Closes the open window. Call once, after the last event.
  void finish();

  // {window_s, window_max, timeline_window_s, timeline}
  nlohmann::json amplification_json() const;
  nlohmann::json pre_fault_ratio_json() const;
  nlohmann::json recovery_json() const;

 private:
  // End-to-end latency of one timeline point, for charts: log-linear with 8 buckets per power of two (a
  // quantile is its bucket's midpoint, within 6.25 %), allocated at the point's first success (~2 KiB).
  class coarse_latency {
   public:
    void record(std::int64_t value_ns);
    void merge(const coarse_latency& other);
    // Nearest-rank quantile in milliseconds; null without successes.
    nlohmann::json quantile_ms(double q) const;

   private:
    std::vector<std::uint32_t> buckets_;
    std::uint64_t count_ = 0;
  };
  struct counts {
    std::uint64_t originals = 0;
    std::uint64_t attempts = 0;
    std::uint64_t succeeded = 0;
    std::uint64_t budget_denied = 0;  // enforced denials (shadow would-denies are not load that was shed)
    coarse_latency latency;
  };

  void advance(std::int64_t t_ns) {
    const std::int64_t index = t_ns < 0 ? 0 : t_ns / window_ns;
    if (index == current_index_) return;
    if (current_index_ < 0) {
      current_index_ = index;
      return;
    }
    if (index < current_index_) {
      throw std::runtime_error("events out of time order: t_ns " + std::to_string(t_ns) + " after window starting at " +
                               std::to_string(current_index_ * window_ns) + " ns");
    }
    close(current_index_, current_);
    current_ = {};
    current_index_ = index;
  }
  void close(std::int64_t index, const counts& c);
  void add_to_timeline(std::int64_t index, const counts& c);
  bool recovery_applicable() const;

  std::int64_t duration_ns_;
  std::int64_t first_fault_start_ns_ = std::numeric_limits<std::int64_t>::max();
  std::int64_t last_fault_end_ns_ = -1;
  bool has_faults_ = false;

  std::int64_t current_index_ = -1;
  counts current_;
  std::uint64_t pre_originals_ = 0;
  std::uint64_t pre_succeeded_ = 0;
  double window_max_ = -1;            // < 0 until a window had originals
  std::int64_t streak_start_ = -1;    // first window of the current run of recovered windows, -1 when none
  std::vector<counts> timeline_;      // at most timeline_max_points entries
  std::int64_t timeline_factor_ = 1;  // 10 s windows per timeline point
};

}  // namespace squall::reports
