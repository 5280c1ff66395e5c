#include "stack/resilience/classify.hpp"

#include <cstddef>

namespace squall::stack::resilience {
namespace {

bool is_5xx(int status) { return status >= 500 && status <= 599; }

bool matches_retry_on(const retry_on_config& config, const attempt_result& result) {
  switch (result.kind) {
    case attempt_kind::timeout: return config.timeout;
    case attempt_kind::reset: return config.reset;
    case attempt_kind::connect_failure: return config.connect_failure;
    case attempt_kind::response: break;
  }
  const int s = result.status;
  if (config.any_5xx && is_5xx(s)) return true;
  if (config.too_many_requests && s == 429) return true;
  return s >= 0 && static_cast<std::size_t>(s) < config.statuses.size() &&
         config.statuses.test(static_cast<std::size_t>(s));
}

}  // namespace

error_class classify(const retry_on_config& config, const attempt_result& result) {
  if (result.success()) return error_class::success;
  return matches_retry_on(config, result) ? error_class::transient : error_class::permanent;
}

bool is_dependency_failure(const attempt_result& result) {
  if (result.kind != attempt_kind::response) return true;  // timeout, reset, refused: the dependency's side
  return is_5xx(result.status) || result.status == 429;
}

}  // namespace squall::stack::resilience
