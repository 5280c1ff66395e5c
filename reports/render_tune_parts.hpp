#pragma once
// Internal to the tune renderers (render_tune*.cpp): reading tune.json and the pieces of text the console,
// Markdown and HTML renderers share, so that the three say the same thing. tune.json is ours, but a hand-edited or
// truncated one must not crash a renderer: every read has a default.
#include <cstddef>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace squall::reports::detail::tune_parts {

inline constexpr std::size_t top_rows = 20;  // console and Markdown tables

// The member `key` of an object, else null.
const nlohmann::json& get(const nlohmann::json& j, const char* key);
// get() as text: a string as it is, anything else through display().
std::string str(const nlohmann::json& j, const char* key);
// get() when it is an array, else an empty one.
const nlohmann::json& list(const nlohmann::json& j, const char* key);

// Candidates best first (by "ranking", ids are 1-based positions in "candidates").
std::vector<const nlohmann::json*> ranked(const nlohmann::json& tune);
bool skipped(const nlohmann::json& c);
std::size_t ran_count(const nlohmann::json& tune);
// The recommendation, else the closest candidate (null when neither).
const nlohmann::json& choice_of(const nlohmann::json& tune);

// A varied parameter's value as a cell: strings unquoted.
std::string value_text(const nlohmann::json& v);

// The candidate table: rank, id, parameter values, metric means, gates, margin, Pareto mark.
std::vector<std::string> header_cells(const nlohmann::json& tune);
std::vector<std::string> row_cells(const nlohmann::json& tune, const nlohmann::json& c);

// "max goodput.ratio, min latency_ms.p99, ..."
std::string objectives_text(const nlohmann::json& tune);
// "64 candidates (grid) × 20 seeds from seed 42"
std::string scope_text(const nlohmann::json& tune);
// What was found, in one sentence.
std::string headline(const nlohmann::json& tune);
std::string holdout_text(const nlohmann::json& tune);
// How the goodput floor was applied, or "" when it was off or had nothing to compare.
std::string floor_text(const nlohmann::json& tune);
std::string choice_heading(const nlohmann::json& tune, const nlohmann::json& choice);
// The first skipped candidates with the parser's message, as a Markdown list or indented plain text; "" if none.
std::string skipped_text(const nlohmann::json& tune, bool markdown);

// How a margin is computed, for the notes under the Markdown and HTML tables.
extern const char* const margin_note;

}  // namespace squall::reports::detail::tune_parts
