#include "runner/scenario_json_checks.hpp"

#include <algorithm>
#include <set>
#include <string>

#include <fmt/format.h>

#include "runner/scenario_errors.hpp"

namespace squall::runner {
namespace {

bool is_json_space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

std::string line_column(std::string_view text, std::size_t offset) {
  const std::string_view before = text.substr(0, offset);
  const auto line = std::count(before.begin(), before.end(), '\n') + 1;
  const std::size_t last_newline = before.rfind('\n');
  const std::size_t column = offset - (last_newline == std::string_view::npos ? 0 : last_newline + 1) + 1;
  return fmt::format("line {}, column {}", line, column);
}

// nlohmann's what() starts with "[json.exception.parse_error.101] "; users need only the rest, and a token
// echoed in "last read: '...'" can be as long as the file.
std::string json_error_text(const nlohmann::json::exception& e) {
  std::string_view what = e.what();
  if (what.starts_with("[json.exception.")) {
    if (const std::size_t close = what.find("] "); close != std::string_view::npos) what.remove_prefix(close + 2);
  }
  constexpr std::size_t max_shown = 300;
  if (what.size() > max_shown) return std::string(what.substr(0, max_shown)) + "...";
  return std::string(what);
}

// Tracks where the parser is, to name the object holding a duplicate key.
class duplicate_finder {
 public:
  explicit duplicate_finder(std::vector<scenario_error>& errors) : errors_(errors) {}

  bool on_event(nlohmann::json::parse_event_t event, const nlohmann::json& parsed) {
    using event_t = nlohmann::json::parse_event_t;
    switch (event) {
      case event_t::object_start:
      case event_t::array_start:
        enter_value();
        frames_.push_back(frame{event == event_t::array_start, 0, false, {}, {}});
        break;
      case event_t::object_end:
      case event_t::array_end:
        frames_.pop_back();
        break;
      case event_t::key: on_key(parsed.get<std::string>()); break;
      case event_t::value: enter_value(); break;
    }
    return true;
  }

 private:
  struct frame {
    bool array = false;
    std::size_t index = 0;      // array: elements started so far
    bool started = false;
    std::string key;            // object: the current key
    std::set<std::string> keys; // object: keys seen
  };

  // A value starts: inside an array it is the next element.
  void enter_value() {
    if (frames_.empty() || !frames_.back().array) return;
    frame& f = frames_.back();
    if (f.started) ++f.index;
    f.started = true;
  }

  void on_key(std::string key) {
    frame& f = frames_.back();
    if (!f.keys.insert(key).second) {
      errors_.push_back(scenario_error{path_of_current(), "duplicate key " + quote(key),
                                       "JSON keeps only the last value; remove the other"});
    }
    f.key = std::move(key);
  }

  // The path of the innermost container: each enclosing frame contributes its current key or index.
  std::string path_of_current() const {
    std::string path;
    for (std::size_t i = 0; i + 1 < frames_.size(); ++i) {
      path = frames_[i].array ? path_index(path, frames_[i].index) : path_key(path, frames_[i].key);
    }
    return path;
  }

  std::vector<scenario_error>& errors_;
  std::vector<frame> frames_;
};

}  // namespace

std::vector<scenario_error> check_scenario_text(std::string_view text) {
  if (text.size() > scenario_max_bytes) {
    return {{"", fmt::format("the scenario is {} bytes; scenarios are limited to 1 MiB", text.size()), ""}};
  }
  if (std::all_of(text.begin(), text.end(), is_json_space)) {
    return {{"", "the file is empty", "a scenario is a JSON object; see docs/scenario-format.md"}};
  }
  return {};
}

std::optional<std::size_t> find_too_deep(std::string_view text, int max_depth) {
  int depth = 0;
  bool in_string = false;
  bool escaped = false;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (in_string) {
      if (escaped) {
        escaped = false;
      } else if (c == '\\') {
        escaped = true;
      } else if (c == '"') {
        in_string = false;
      }
      continue;
    }
    if (c == '"') {
      in_string = true;
    } else if (c == '[' || c == '{') {
      if (++depth > max_depth) return i;
    } else if (c == ']' || c == '}') {
      --depth;  // unbalanced text is left for the JSON parser to report
    }
  }
  return std::nullopt;
}

strict_parse parse_strict_json(std::string_view text) {
  strict_parse out;
  if (const auto at = find_too_deep(text, scenario_max_depth)) {
    out.errors.push_back({"", fmt::format("nesting is deeper than {} levels (at {})", scenario_max_depth,
                                          line_column(text, *at)),
                          "a scenario nests a few levels; check for runaway brackets"});
    return out;
  }
  duplicate_finder duplicates(out.errors);
  try {
    out.value = nlohmann::json::parse(
        text, [&](int, nlohmann::json::parse_event_t event, nlohmann::json& parsed) {
          return duplicates.on_event(event, parsed);
        });
  } catch (const nlohmann::json::exception& e) {
    out.errors.clear();  // duplicates seen before a syntax error are noise next to it
    out.errors.push_back({"", "not valid JSON: " + json_error_text(e), ""});
  }
  return out;
}

}  // namespace squall::runner
