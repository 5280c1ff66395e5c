#include "runner/tune_paths.hpp"

#include <algorithm>
#include <string_view>

namespace squall::runner {

namespace {

using json = nlohmann::json;

bool is_index(std::string_view token) {
  if (!token.empty() && token.front() == '[') token = token.substr(1, token.size() >= 2 ? token.size() - 2 : 0);
  return !token.empty() && token.size() <= 9 && std::all_of(token.begin(), token.end(), [](char c) { return c >= '0' && c <= '9'; });
}

// "[3]" and "3" name the same array element.
std::string_view bare(std::string_view token) {
  if (token.size() >= 2 && token.front() == '[' && token.back() == ']') return token.substr(1, token.size() - 2);
  return token;
}

// `dependencies` is the format's one map: its keys are names, its values "dependency" objects.
const spec::object_spec* map_values(std::string_view key) {
  return key == "dependencies" ? &spec::object_named("dependency") : nullptr;
}

// The field `key` of an object of kind `s` whose selector reads `variant`; with no such variant, the field of
// whichever variants have it, when they agree on its type.
const spec::field* find_field(const spec::object_spec& s, const std::string& key, const std::string& variant) {
  if (const spec::field* f = s.find(key, variant)) return f;
  const spec::field* found = nullptr;
  for (const std::string_view v : s.variants_with(key)) {
    const spec::field* f = s.find(key, v);
    if (found != nullptr && f != nullptr && f->type != found->type) return nullptr;
    found = f;
  }
  return found;
}

}  // namespace

std::vector<std::string> path_tokens(const std::string& path) {
  std::vector<std::string> out;
  std::string current;
  for (const char c : path) {
    if (c == '.' || c == '[') {
      if (!current.empty()) out.push_back(current);
      current = c == '[' ? "[" : "";
    } else {
      current += c;
      if (c == ']') {
        out.push_back(current);
        current.clear();
      }
    }
  }
  if (!current.empty()) out.push_back(current);
  return out;
}

bool paths_overlap(const std::string& a, const std::string& b) {
  const auto ta = path_tokens(a), tb = path_tokens(b);
  const std::size_t n = std::min(ta.size(), tb.size());
  for (std::size_t i = 0; i < n; ++i)
    if (bare(ta[i]) != bare(tb[i])) return false;
  return true;
}

std::optional<spec::field_type> field_type_at(const json& document, const std::string& path) {
  const spec::object_spec* s = &spec::object_named("scenario");
  const json* node = &document;
  const spec::field* f = nullptr;
  const auto tokens = path_tokens(path);
  for (std::size_t i = 0; i < tokens.size(); ++i) {
    const std::string& token = tokens[i];
    if (f != nullptr && f->type == spec::field_type::array) {
      // An element of the array the previous token named: its items are objects of kind f->ref.
      if (!is_index(token) || f->ref.empty()) return std::nullopt;
      const std::size_t k = std::stoul(std::string(bare(token)));
      node = node != nullptr && node->is_array() && k < node->size() ? &(*node)[k] : nullptr;
      s = &spec::object_named(f->ref);
      f = nullptr;
      continue;
    }
    if (s == nullptr || token.front() == '[') return std::nullopt;
    std::string variant;
    if (!s->selector.empty() && node != nullptr && node->is_object()) {
      const auto it = node->find(std::string(s->selector));
      if (it != node->end() && it->is_string()) variant = it->get<std::string>();
    }
    f = find_field(*s, token, variant);
    if (f == nullptr) return std::nullopt;
    node = node != nullptr && node->is_object() && node->contains(token) ? &(*node)[token] : nullptr;
    if (f->type == spec::field_type::object) {
      if (const spec::object_spec* values = f->ref.empty() ? map_values(token) : nullptr) {
        if (++i >= tokens.size()) return f->type;
        node = node != nullptr && node->is_object() && node->contains(tokens[i]) ? &(*node)[tokens[i]] : nullptr;
        s = values;
      } else {
        s = f->ref.empty() ? nullptr : &spec::object_named(f->ref);
      }
      if (i + 1 < tokens.size()) f = nullptr;
    }
  }
  return f == nullptr ? std::nullopt : std::optional<spec::field_type>(f->type);
}

}  // namespace squall::runner
