#include "runner/scenario_hints.hpp"

#include <algorithm>

#include "runner/scenario_errors.hpp"

namespace squall::runner {
namespace {

constexpr std::size_t max_typo_distance = 2;
constexpr std::size_t min_prefix_length = 3;
constexpr std::size_t prefix_score = max_typo_distance + 1;

char lower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }

bool starts_with_ci(std::string_view text, std::string_view prefix) {
  if (prefix.size() > text.size()) return false;
  for (std::size_t i = 0; i < prefix.size(); ++i) {
    if (lower(text[i]) != lower(prefix[i])) return false;
  }
  return true;
}

// How alike two words are: 0..2 for typos, prefix_score for a prefix match, nullopt when unrelated.
std::optional<std::size_t> word_score(std::string_view word, std::string_view candidate) {
  const std::size_t d = edit_distance(word, candidate, max_typo_distance);
  if (d <= max_typo_distance && d < word.size()) return d;
  const std::string_view shorter = word.size() < candidate.size() ? word : candidate;
  const std::string_view longer = word.size() < candidate.size() ? candidate : word;
  if (shorter.size() >= min_prefix_length && starts_with_ci(longer, shorter)) return prefix_score;
  return std::nullopt;
}

std::vector<std::string_view> split_dots(std::string_view s) {
  std::vector<std::string_view> out;
  std::size_t begin = 0;
  while (true) {
    const std::size_t dot = s.find('.', begin);
    out.push_back(s.substr(begin, dot == std::string_view::npos ? std::string_view::npos : dot - begin));
    if (dot == std::string_view::npos) return out;
    begin = dot + 1;
  }
}

// Dotted paths: every segment alike, scored by their sum.
std::optional<std::size_t> path_score(std::string_view word, std::string_view candidate) {
  const auto a = split_dots(word);
  const auto b = split_dots(candidate);
  if (a.size() < 2 || a.size() != b.size()) return std::nullopt;
  std::size_t total = 0;
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (a[i] == b[i]) continue;
    const auto s = word_score(a[i], b[i]);
    if (!s) return std::nullopt;
    total += *s;
  }
  return total;
}

}  // namespace

std::size_t edit_distance(std::string_view a, std::string_view b, std::size_t max) {
  const std::size_t gap = a.size() > b.size() ? a.size() - b.size() : b.size() - a.size();
  if (gap > max) return max + 1;
  std::vector<std::size_t> row(b.size() + 1);
  for (std::size_t j = 0; j <= b.size(); ++j) row[j] = j;
  for (std::size_t i = 1; i <= a.size(); ++i) {
    std::size_t diagonal = row[0];
    row[0] = i;
    std::size_t row_min = row[0];
    for (std::size_t j = 1; j <= b.size(); ++j) {
      const std::size_t above = row[j];
      const std::size_t cost = lower(a[i - 1]) == lower(b[j - 1]) ? 0 : 1;
      row[j] = std::min({above + 1, row[j - 1] + 1, diagonal + cost});
      diagonal = above;
      row_min = std::min(row_min, row[j]);
    }
    if (row_min > max) return max + 1;
  }
  return std::min(row[b.size()], max + 1);
}

std::optional<std::string_view> closest(std::string_view word, const std::vector<std::string_view>& candidates) {
  std::optional<std::string_view> best;
  std::size_t best_score = 0;
  for (const std::string_view candidate : candidates) {
    auto score = word_score(word, candidate);
    if (!score) score = path_score(word, candidate);
    if (score && (!best || *score < best_score)) {
      best = candidate;
      best_score = *score;
    }
  }
  return best;
}

std::string suggest(std::string_view word, const std::vector<std::string_view>& candidates,
                    std::string_view intro) {
  if (const auto match = closest(word, candidates)) return "did you mean " + quote(*match) + "?";
  if (candidates.empty()) return "";
  return std::string(intro) + ": " + list_words(candidates);
}

}  // namespace squall::runner
