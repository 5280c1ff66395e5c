#include "runner/scenario_overrides.hpp"

#include <cstddef>
#include <optional>
#include <string_view>

#include "runner/scenario_json_checks.hpp"

namespace squall::runner {
namespace {

struct segment {
  std::string key;                   // object key (empty for a bracket index)
  std::optional<std::size_t> index;  // bracket index, or the value of an all-digit key
  bool bracket = false;              // "[n]": must index an array
};

std::optional<std::size_t> as_index(std::string_view s) {
  constexpr std::size_t max_digits = 9;  // larger indexes are out of range of any 1 MiB document anyway
  if (s.empty() || s.size() > max_digits) return std::nullopt;
  std::size_t n = 0;
  for (const char c : s) {
    if (c < '0' || c > '9') return std::nullopt;
    n = n * 10 + static_cast<std::size_t>(c - '0');
  }
  return n;
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

// Splits "faults[0].rate" into segments; returns the problem, or "" when the path is well formed.
std::string parse_path(std::string_view path, std::vector<segment>& out) {
  if (path.empty()) return "the path before '=' is empty";
  std::size_t begin = 0;
  while (true) {
    const std::size_t dot = path.find('.', begin);
    const std::string_view part = path.substr(begin, dot == std::string_view::npos ? std::string_view::npos
                                                                                    : dot - begin);
    const std::size_t open = part.find('[');
    const std::string_view name = part.substr(0, open);
    if (name.empty()) return "empty path segment; write keys joined by '.', e.g. policy.retry.max_attempts";
    out.push_back(segment{std::string(name), as_index(name), false});
    for (std::size_t pos = open; pos != std::string_view::npos && pos < part.size();) {
      const std::size_t close = part.find(']', pos);
      const auto index = close == std::string_view::npos ? std::nullopt : as_index(part.substr(pos + 1, close - pos - 1));
      if (part[pos] != '[' || !index) return "bad index in '" + std::string(part) + "'; write e.g. faults[0]";
      out.push_back(segment{"", index, true});
      pos = close + 1;
    }
    if (out.size() > static_cast<std::size_t>(scenario_max_depth)) {
      return "the path is deeper than " + std::to_string(scenario_max_depth) + " levels";
    }
    if (dot == std::string_view::npos) return "";
    begin = dot + 1;
  }
}

// JSON when the text is JSON (checked like a scenario: depth, duplicate keys), else the text as a string.
std::optional<nlohmann::json> parse_value(std::string_view text, std::string& problem) {
  if (find_too_deep(text, scenario_max_depth)) {
    problem = "the value nests deeper than " + std::to_string(scenario_max_depth) + " levels";
    return std::nullopt;
  }
  if (nlohmann::json::accept(text)) {
    strict_parse parsed = parse_strict_json(text);
    if (!parsed.errors.empty()) {
      problem = parsed.errors.front().message;
      return std::nullopt;
    }
    return std::move(parsed.value);
  }
  nlohmann::json value = std::string(text);
  try {
    (void)value.dump();  // a string that is not UTF-8 would throw later, when the document is written
  } catch (const nlohmann::json::exception&) {
    problem = "the value is not valid UTF-8";
    return std::nullopt;
  }
  return value;
}

// Walks `path` from `document` and stores `value` at its end; returns the problem, or "".
std::string set_at(nlohmann::json& document, const std::vector<segment>& path, nlohmann::json value) {
  nlohmann::json* node = &document;
  std::string where;  // the path walked so far, for messages
  for (std::size_t i = 0; i < path.size(); ++i) {
    const segment& seg = path[i];
    const bool last = i + 1 == path.size();
    const std::string shown = where.empty() ? "the document" : quote(where);
    if (node->is_array() && seg.index) {
      if (*seg.index >= node->size()) {
        return "index " + std::to_string(*seg.index) + " is out of range: " + shown + " has " +
               std::to_string(node->size()) + " items";
      }
      where = path_index(where, *seg.index);
      node = &(*node)[*seg.index];
    } else if (node->is_object() && !seg.bracket) {
      where = path_key(where, seg.key);
      if (!last && !node->contains(seg.key)) (*node)[seg.key] = nlohmann::json::object();
      node = &(*node)[seg.key];
    } else if (seg.bracket) {
      return shown + " is " + describe_value(*node) + ", not an array";
    } else {
      return shown + " is " + describe_value(*node) + "; it has no key " + quote(seg.key);
    }
    if (last) *node = std::move(value);
  }
  return "";
}

void apply_one(nlohmann::json& document, const std::string& text, error_sink& errors) {
  const auto fail = [&](const std::string& path, const std::string& problem, std::string hint = {}) {
    errors.add(path, "--set " + quote(text) + ": " + problem, std::move(hint));
  };
  const std::size_t eq = text.find('=');
  if (eq == std::string::npos) {
    fail("", "missing '='", "write path=value, e.g. policy.breaker.failure_threshold=8");
    return;
  }
  const std::string_view path_text = trim(std::string_view(text).substr(0, eq));
  std::vector<segment> path;
  if (std::string problem = parse_path(path_text, path); !problem.empty()) {
    fail("", problem);
    return;
  }
  std::string problem;
  auto value = parse_value(std::string_view(text).substr(eq + 1), problem);
  if (!value) {
    fail(std::string(path_text), problem);
    return;
  }
  if (problem = set_at(document, path, std::move(*value)); !problem.empty()) fail(std::string(path_text), problem);
}

}  // namespace

void apply_overrides(nlohmann::json& document, const std::vector<std::string>& overrides, error_sink& errors) {
  for (const std::string& text : overrides) apply_one(document, text, errors);
}

}  // namespace squall::runner
