#pragma once
// "Did you mean ...?" for typos in keys, enum values, dependency names and gate metrics.
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace squall::runner {

// Case-insensitive Levenshtein distance, or max + 1 as soon as it must exceed `max` (long inputs stay cheap).
std::size_t edit_distance(std::string_view a, std::string_view b, std::size_t max);

// The candidate `word` most likely stands for: the nearest within edit distance 2 (and less than the word's
// length, so "id" does not become "kind"), else one that is a prefix of the other (both sides >= 3
// characters). Ties go to the earlier candidate. For dotted paths ("latency.p99") a candidate also matches
// segment by segment ("latency_ms.p99").
std::optional<std::string_view> closest(std::string_view word, const std::vector<std::string_view>& candidates);

// "did you mean 'x'?" when there is a close candidate, else "<intro>: a, b, c" (or "" when there are none).
std::string suggest(std::string_view word, const std::vector<std::string_view>& candidates,
                    std::string_view intro);

}  // namespace squall::runner
