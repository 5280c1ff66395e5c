#include "reports/request_checker.hpp"

#include "reports/json_number.hpp"

namespace squall::reports {

namespace {
std::uint64_t reason_count(const std::uint64_t (&by_reason)[6], history::fail_reason r) {
  return by_reason[static_cast<int>(r)];
}
}  // namespace

nlohmann::json request_checker::requests_json() const {
  using history::fail_reason;
  return {{"originals", originals_},
          {"attempts", attempts_},
          {"succeeded", succeeded_},
          {"failed", failed_},
          {"indeterminate", indeterminate_},
          {"rejected_open", reason_count(by_reason_, fail_reason::breaker_open)},
          {"gave_up_attempts", reason_count(by_reason_, fail_reason::exhausted)},
          {"gave_up_budget", reason_count(by_reason_, fail_reason::budget)},
          {"permanent", reason_count(by_reason_, fail_reason::permanent)},
          {"queue_full", reason_count(by_reason_, fail_reason::queue_full)},
          {"timeouts", timeouts_},
          {"resets", resets_},
          {"connect_failures", connect_failures_},
          {"retries", retries_},
          // Still waiting for a worker or in flight when the run ended: counted in originals only.
          {"unfinished", originals_ - succeeded_ - failed_}};
}

nlohmann::json request_checker::amplification_json() const {
  return {{"overall", ratio(static_cast<double>(attempts_), static_cast<double>(originals_))},
          {"admitted", ratio(static_cast<double>(attempts_), static_cast<double>(admitted_))}};
}

nlohmann::json request_checker::budget_json() const {
  return {{"denied", denied_}, {"shadow_would_deny", shadow_would_deny_}};
}

nlohmann::json latency_ms_json(const latency_histogram& h) {
  const auto ms = [&](double ns) -> nlohmann::json {
    if (h.count() == 0) return nullptr;
    return number(ns / 1e6);
  };
  return {{"count", h.count()},
          {"p50", ms(h.quantile(0.50))},
          {"p90", ms(h.quantile(0.90))},
          {"p99", ms(h.quantile(0.99))},
          {"p999", ms(h.quantile(0.999))},
          {"max", ms(static_cast<double>(h.max()))},
          {"mean", ms(h.mean())}};
}

nlohmann::json request_checker::latency_json() const { return latency_ms_json(latency_); }

nlohmann::json request_checker::goodput_ratio_json() const {
  return ratio(static_cast<double>(succeeded_), static_cast<double>(originals_));
}

}  // namespace squall::reports
