#pragma once
// The words a scenario uses for enum values, in one place: the field table (scenario_spec.cpp) offers them
// as choices and the builders map them back to the config enums.
#include <array>
#include <optional>
#include <string_view>
#include <vector>

#include "fakes/http_config.hpp"
#include "fakes/kv_store.hpp"
#include "runner/scenario.hpp"
#include "sim/arrivals.hpp"
#include "stack/lock/lock_config.hpp"
#include "stack/resilience/retry.hpp"
#include "stack/worker/job_config.hpp"

namespace squall::runner::names {

template <class E>
struct named {
  std::string_view name;
  E value;
};

namespace res = stack::resilience;

inline constexpr std::array<named<sim::arrival_model>, 3> arrival_models{{
    {"poisson", sim::arrival_model::poisson},
    {"constant", sim::arrival_model::constant},
    {"steps", sim::arrival_model::steps},
}};

inline constexpr std::array<named<fakes::latency_dist>, 6> latency_dists{{
    {"constant", fakes::latency_dist::constant},
    {"uniform", fakes::latency_dist::uniform},
    {"exponential", fakes::latency_dist::exponential},
    {"lognormal", fakes::latency_dist::lognormal},
    {"normal", fakes::latency_dist::normal},
    {"pareto", fakes::latency_dist::pareto},
}};

inline constexpr std::array<named<fakes::fault_kind>, 6> fault_kinds{{
    {"error_storm", fakes::fault_kind::error_storm},
    {"latency_spike", fakes::fault_kind::latency_spike},
    {"outage", fakes::fault_kind::outage},
    {"hang", fakes::fault_kind::hang},
    {"rate_limit", fakes::fault_kind::rate_limit},
    {"reset", fakes::fault_kind::reset},
}};

// Faults against job nodes and the store ("faults" holds both kinds; these go to scenario::node_faults).
inline constexpr std::array<named<node_fault_kind>, 7> node_fault_kinds{{
    {"process_pause", node_fault_kind::process_pause},
    {"clock_skew", node_fault_kind::clock_skew},
    {"clock_jump", node_fault_kind::clock_jump},
    {"worker_crash", node_fault_kind::worker_crash},
    {"redis_restart", node_fault_kind::redis_restart},
    {"redis_unavailable", node_fault_kind::redis_unavailable},
    {"partition", node_fault_kind::partition},
}};

inline constexpr std::array<named<stack::worker::job_source>, 2> job_sources{{
    {"queue", stack::worker::job_source::queue},
    {"cron", stack::worker::job_source::cron},
}};

inline constexpr std::array<named<stack::worker::idempotency_mode>, 3> idempotency_modes{{
    {"none", stack::worker::idempotency_mode::none},
    {"check_then_act", stack::worker::idempotency_mode::check_then_act},
    {"claim_first", stack::worker::idempotency_mode::claim_first},
}};

inline constexpr std::array<named<stack::lock::release_mode>, 2> release_modes{{
    {"owner_checked", stack::lock::release_mode::owner_checked},
    {"blind", stack::lock::release_mode::blind},
}};

inline constexpr std::array<named<fakes::kv_persistence>, 3> persistence_modes{{
    {"none", fakes::kv_persistence::none},
    {"aof_everysec", fakes::kv_persistence::aof_everysec},
    {"aof_always", fakes::kv_persistence::aof_always},
}};

inline constexpr std::array<named<res::backoff_kind>, 5> backoff_kinds{{
    {"none", res::backoff_kind::none},
    {"full_jitter", res::backoff_kind::full_jitter},
    {"equal_jitter", res::backoff_kind::equal_jitter},
    {"decorrelated", res::backoff_kind::decorrelated},
    {"playbook", res::backoff_kind::playbook},
}};

inline constexpr std::array<named<res::budget_model>, 4> budget_models{{
    {"cumulative_ratio", res::budget_model::cumulative_ratio},
    {"windowed", res::budget_model::windowed},
    {"concurrency", res::budget_model::concurrency},
    {"token_bucket", res::budget_model::token_bucket},
}};

inline constexpr std::array<named<res::breaker_model>, 2> breaker_models{{
    {"consecutive", res::breaker_model::consecutive},
    {"failure_rate", res::breaker_model::failure_rate},
}};

inline constexpr std::array<named<res::policy_mode>, 2> policy_modes{{
    {"enforce", res::policy_mode::enforce},
    {"shadow", res::policy_mode::shadow},
}};

inline constexpr std::array<named<res::breaker_check>, 2> breaker_checks{{
    {"per_attempt", res::breaker_check::per_attempt},
    {"per_request", res::breaker_check::per_request},
}};

inline constexpr std::array<named<res::breaker_window>, 2> breaker_windows{{
    {"count", res::breaker_window::count},
    {"time", res::breaker_window::time},
}};

// retry_on's named error classes (integers 400..599 name single statuses).
inline constexpr std::array<std::string_view, 5> retry_on_classes{"5xx", "429", "timeout", "reset",
                                                                  "connect_failure"};

inline constexpr std::array<std::string_view, 2> expect_values{"pass", "fail"};

template <class E, std::size_t N>
std::optional<E> lookup(const std::array<named<E>, N>& table, std::string_view name) {
  for (const auto& entry : table) {
    if (entry.name == name) return entry.value;
  }
  return std::nullopt;
}

template <class E, std::size_t N>
std::vector<std::string_view> all(const std::array<named<E>, N>& table) {
  std::vector<std::string_view> out;
  for (const auto& entry : table) out.push_back(entry.name);
  return out;
}

template <std::size_t N>
std::vector<std::string_view> all(const std::array<std::string_view, N>& table) {
  return {table.begin(), table.end()};
}

}  // namespace squall::runner::names
