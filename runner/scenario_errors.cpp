#include "runner/scenario_errors.hpp"

#include <utility>

#include <fmt/format.h>

namespace squall::runner {

void error_sink::add(std::string path, std::string message, std::string hint) {
  if (errors_.size() >= max_errors) {
    ++dropped_;
    return;
  }
  errors_.push_back(scenario_error{std::move(path), std::move(message), std::move(hint)});
}

std::vector<scenario_error> error_sink::take() && {
  if (dropped_ > 0) {
    errors_.push_back(scenario_error{"", fmt::format("{} more errors not shown", dropped_),
                                     "fix the errors above and run again"});
  }
  return std::move(errors_);
}

std::string path_key(const std::string& parent, std::string_view key) {
  if (parent.empty()) return std::string(key);
  return parent + "." + std::string(key);
}

std::string path_index(const std::string& parent, std::size_t index) {
  return parent + "[" + std::to_string(index) + "]";
}

std::string format_number(double value) { return fmt::format("{}", value); }

std::string quote(std::string_view text) {
  constexpr std::size_t max_shown = 60;
  if (text.size() <= max_shown) return "'" + std::string(text) + "'";
  return "'" + std::string(text.substr(0, max_shown)) + "...'";
}

std::string describe_value(const nlohmann::json& value) {
  switch (value.type()) {
    case nlohmann::json::value_t::null: return "null";
    case nlohmann::json::value_t::object: return "an object";
    case nlohmann::json::value_t::array: return "an array";
    case nlohmann::json::value_t::string: return "a string";
    case nlohmann::json::value_t::boolean: return "a boolean";
    case nlohmann::json::value_t::number_integer: return std::to_string(value.get<std::int64_t>());
    case nlohmann::json::value_t::number_unsigned: return std::to_string(value.get<std::uint64_t>());
    case nlohmann::json::value_t::number_float: return format_number(value.get<double>());
    default: return "an unexpected value";
  }
}

std::string list_words(const std::vector<std::string_view>& words) {
  std::string out;
  for (std::size_t i = 0; i < words.size(); ++i) {
    if (i > 0) out += ", ";
    out += words[i];
  }
  return out;
}

}  // namespace squall::runner
