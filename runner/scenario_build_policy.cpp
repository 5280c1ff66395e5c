// The resilience policy: timeout, retry (backoff, retry_on), retry budget and circuit breaker.
#include <algorithm>
#include <cmath>

#include "runner/scenario_build.hpp"
#include "runner/scenario_hints.hpp"

namespace squall::runner {

namespace res = stack::resilience;

// Also used by jobs (lock and store backoff): declared in scenario_build.hpp.
void build_backoff(const nlohmann::json& value, const std::string& path, error_sink& errors,
                   res::backoff_config& out) {
  read_object(errors, value, path, "backoff", [&](object_reader& r) {
    assign(out.kind, r.choice("kind", names::backoff_kinds));
    const auto base = r.time("base_ms");
    const auto cap = r.time("cap_ms");
    if (base && cap && *cap < *base) {
      const std::string cap_shown = format_number(stack::to_ms(*cap)) + (r.has("cap_ms") ? "" : ", the default");
      r.error("cap_ms", "'cap_ms' (" + cap_shown + ") must be >= 'base_ms' (" +
                            format_number(stack::to_ms(*base)) + ")");
    }
    assign(out.base, base);
    assign(out.cap, cap);
  });
}

namespace {

constexpr std::int64_t min_retry_status = 400;
constexpr std::int64_t max_retry_status = 599;

void build_retry_on_item(const nlohmann::json& item, const std::string& path, error_sink& errors,
                         res::retry_on_config& out) {
  const std::string statuses = "an HTTP status from 400 to 599";
  if (item.is_string()) {
    const std::string& word = item.get_ref<const std::string&>();
    if (word == "5xx") out.any_5xx = true;
    else if (word == "429") out.too_many_requests = true;
    else if (word == "timeout") out.timeout = true;
    else if (word == "reset") out.reset = true;
    else if (word == "connect_failure") out.connect_failure = true;
    else {
      const auto classes = names::all(names::retry_on_classes);
      errors.add(path, "unknown error class " + quote(word),
                 suggest(word, classes, "expected one of") + (closest(word, classes) ? "" : ", or " + statuses));
    }
    return;
  }
  // Integers as everywhere else: 429.0 is 429 (JSON Schema's "integer" agrees).
  if (item.is_number() && std::trunc(item.get<double>()) == item.get<double>()) {
    const double status = item.get<double>();
    if (status < static_cast<double>(min_retry_status) || status > static_cast<double>(max_retry_status)) {
      errors.add(path, "must be " + statuses + " (got " + describe_value(item) + ")");
      return;
    }
    out.statuses.set(static_cast<std::size_t>(status));
    return;
  }
  errors.add(path, "expected an error class or " + statuses + ", got " + describe_value(item),
             "error classes: " + list_words(names::all(names::retry_on_classes)));
}

void build_retry(const nlohmann::json& value, const std::string& path, error_sink& errors, res::retry_config& out) {
  read_object(errors, value, path, "retry", [&](object_reader& r) {
    assign(out.max_attempts, r.integer("max_attempts"));
    if (const auto* backoff = r.child("backoff")) build_backoff(*backoff, r.path_of("backoff"), errors, out.backoff);
    if (const auto* retry_on = r.child("retry_on")) {
      // Listing classes replaces the default list: start from nothing.
      out.retry_on = res::retry_on_config{false, false, false, false, false, {}};
      for (std::size_t i = 0; i < retry_on->size(); ++i) {
        build_retry_on_item((*retry_on)[i], path_index(r.path_of("retry_on"), i), errors, out.retry_on);
      }
    }
    assign(out.honor_retry_after, r.flag("honor_retry_after"));
    assign(out.retry_after_cap, r.time("retry_after_cap_ms"));
  });
}

void read_failure_rate(object_reader& r, res::breaker_config& out) {
  assign(out.window, r.choice("window", names::breaker_windows));
  const auto window_size = r.integer("window_size");
  const auto minimum_calls = r.integer("minimum_calls");
  assign(out.window_size, window_size);
  out.minimum_calls = out.window_size;  // resilience4j's default: a full window
  assign(out.minimum_calls, minimum_calls);
  if (out.window == res::breaker_window::count && window_size && minimum_calls && *minimum_calls > *window_size) {
    r.error("minimum_calls", "must be <= window_size for a count window (" + std::to_string(*minimum_calls) +
                                 " > " + std::to_string(*window_size) + ")",
            "a count window never holds more than window_size calls, so the breaker could never open");
  }
  assign(out.failure_rate_threshold, r.number("failure_rate_threshold"));
  assign(out.slow_call, r.time("slow_call_ms"));
  assign(out.slow_call_rate_threshold, r.number("slow_call_rate_threshold"));
}

}  // namespace

void build_budget(const nlohmann::json& value, const std::string& path, error_sink& errors, res::budget_config& out) {
  read_object(errors, value, path, "retry_budget", [&](object_reader& r) {
    assign(out.mode, r.choice("mode", names::policy_modes));
    const auto model = r.variant_as(names::budget_models);
    if (!model) return;
    out.model = *model;
    switch (*model) {
      case res::budget_model::cumulative_ratio: assign(out.ratio, r.number("ratio")); break;
      case res::budget_model::windowed:
        assign(out.ratio, r.number("ratio"));
        assign(out.ttl, r.time("ttl_s"));
        assign(out.min_per_s, r.number("min_per_s"));
        break;
      case res::budget_model::concurrency:
        assign(out.budget_percent, r.number("budget_percent"));
        assign(out.min_retry_concurrency, r.integer("min_retry_concurrency"));
        break;
      case res::budget_model::token_bucket:
        assign(out.capacity, r.integer("capacity"));
        assign(out.retry_cost, r.integer("retry_cost"));
        assign(out.timeout_retry_cost, r.integer("timeout_retry_cost"));
        assign(out.success_increment, r.integer("success_increment"));
        break;
    }
  });
}

void build_breaker(const nlohmann::json& value, const std::string& path, error_sink& errors,
                   res::breaker_config& out) {
  read_object(errors, value, path, "breaker", [&](object_reader& r) {
    assign(out.mode, r.choice("mode", names::policy_modes));
    assign(out.check, r.choice("check", names::breaker_checks));
    assign(out.open, r.time("open_ms"));
    assign(out.half_open_calls, r.integer("half_open_calls"));
    const auto model = r.variant_as(names::breaker_models);
    if (!model) return;
    out.model = *model;
    if (*model == res::breaker_model::consecutive) {
      assign(out.failure_threshold, r.integer("failure_threshold"));
    } else {
      read_failure_rate(r, out);
    }
  });
}

void build_policy(const nlohmann::json& value, const std::string& path, error_sink& errors,
                  res::policy_config& out) {
  read_object(errors, value, path, "policy", [&](object_reader& r) {
    assign(out.timeout, r.time("timeout_ms"));
    if (const auto* retry = r.child("retry")) build_retry(*retry, r.path_of("retry"), errors, out.retry);
    if (const auto* budget = r.child("retry_budget")) {
      out.has_budget = true;
      build_budget(*budget, r.path_of("retry_budget"), errors, out.budget);
    }
    if (const auto* breaker = r.child("breaker")) {
      out.has_breaker = true;
      build_breaker(*breaker, r.path_of("breaker"), errors, out.breaker);
    }
  });
}

}  // namespace squall::runner
