#pragma once
// Request-level counts, retry amplification, budget decisions, goodput and end-to-end latency: integer
// counters and one fixed-size histogram, so it costs O(1) per event and never allocates.
#include <cstdint>

#include <nlohmann/json.hpp>

#include "history/event.hpp"
#include "reports/latency_histogram.hpp"

namespace squall::reports {

// report.json's latency object of a histogram of nanoseconds: count, p50, p90, p99, p999, max, mean in ms (null
// when empty). `squall run`'s latency_ms and `squall load`'s latency_ms / service_ms share it.
nlohmann::json latency_ms_json(const latency_histogram& h);

class request_checker {
 public:
  void on_event(const history::event& e) {
    using history::event_type;
    switch (e.type) {
      case event_type::invoke: ++originals_; break;
      case event_type::attempt:
        ++attempts_;
        if (e.attempt == 1) ++admitted_;  // an original that made its first attempt
        break;
      case event_type::attempt_end:
        switch (e.result) {
          case history::attempt_result::timeout: ++timeouts_; break;
          case history::attempt_result::reset: ++resets_; break;
          case history::attempt_result::connect_failure: ++connect_failures_; break;
          case history::attempt_result::response: break;
        }
        break;
      case event_type::retry: ++retries_; break;
      case event_type::budget_deny: ++(e.shadow ? shadow_would_deny_ : denied_); break;
      case event_type::ok:
        ++succeeded_;
        latency_.record(e.value_ns);
        break;
      case event_type::info:
        ++indeterminate_;
        [[fallthrough]];
      case event_type::fail:
        ++failed_;
        ++by_reason_[static_cast<int>(e.reason)];
        break;
      default: break;
    }
  }

  nlohmann::json requests_json() const;
  nlohmann::json amplification_json() const;  // overall, admitted
  nlohmann::json budget_json() const;
  nlohmann::json latency_json() const;
  nlohmann::json goodput_ratio_json() const;

 private:
  std::uint64_t originals_ = 0;
  std::uint64_t attempts_ = 0;
  std::uint64_t admitted_ = 0;
  std::uint64_t succeeded_ = 0;
  std::uint64_t failed_ = 0;
  std::uint64_t indeterminate_ = 0;
  std::uint64_t by_reason_[6] = {};  // indexed by fail_reason, over fail and info
  std::uint64_t timeouts_ = 0;
  std::uint64_t resets_ = 0;
  std::uint64_t connect_failures_ = 0;
  std::uint64_t retries_ = 0;
  std::uint64_t denied_ = 0;
  std::uint64_t shadow_would_deny_ = 0;
  latency_histogram latency_;
};

}  // namespace squall::reports
