// The breaker the stack holds: one of the two models, chosen once from the config. Dispatch is an index test
// (not std::visit) so the CLOSED path stays a couple of predictable branches.
#include <variant>

#include "stack/resilience/breaker.hpp"

namespace squall::stack::resilience {
namespace {

std::variant<consecutive_breaker, failure_rate_breaker> make_model(const breaker_config& config) {
  if (config.model == breaker_model::failure_rate) return failure_rate_breaker{config};
  return consecutive_breaker{config};
}

}  // namespace

circuit_breaker::circuit_breaker(const breaker_config& config) : config_(config), model_(make_model(config)) {}

bool circuit_breaker::allow(instant now) {
  if (auto* c = std::get_if<consecutive_breaker>(&model_)) [[likely]] return c->allow(now);
  return std::get_if<failure_rate_breaker>(&model_)->allow(now);
}

void circuit_breaker::record(instant now, bool failure, duration call_duration) {
  if (auto* c = std::get_if<consecutive_breaker>(&model_)) [[likely]] {
    c->record(now, failure, call_duration);
    return;
  }
  std::get_if<failure_rate_breaker>(&model_)->record(now, failure, call_duration);
}

breaker_state circuit_breaker::state() const {
  return std::visit([](const auto& m) { return m.state(); }, model_);
}

const breaker_stats& circuit_breaker::stats() const {
  return std::visit([](const auto& m) -> const breaker_stats& { return m.stats(); }, model_);
}

}  // namespace squall::stack::resilience
