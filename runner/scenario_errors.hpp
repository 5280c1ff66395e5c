#pragma once
// Collecting scenario errors with their JSON paths, and the wording shared by every message.
#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "runner/scenario_parser.hpp"

namespace squall::runner {

// Collects every error, up to a bound: a hostile 1 MiB file could otherwise yield a million of them.
class error_sink {
 public:
  static constexpr std::size_t max_errors = 100;

  void add(std::string path, std::string message, std::string hint = {});
  bool empty() const { return errors_.empty(); }
  std::size_t size() const { return errors_.size(); }
  // The errors, closed by a note when some were dropped.
  std::vector<scenario_error> take() &&;

 private:
  std::vector<scenario_error> errors_;
  std::size_t dropped_ = 0;
};

// JSON paths as messages show them: "policy.breaker.open_ms", "faults[1].kind"; "" is the document.
std::string path_key(const std::string& parent, std::string_view key);
std::string path_index(const std::string& parent, std::size_t index);

// "a string", "an object", "null", "2.5": what a message says it got.
std::string describe_value(const nlohmann::json& value);
// Shortest text that reads back as the same double: 0.1, 1000000, 1e+16.
std::string format_number(double value);
// 'text', cut to a readable length.
std::string quote(std::string_view text);
// "a, b, c": lists for hints.
std::string list_words(const std::vector<std::string_view>& words);

}  // namespace squall::runner
