#pragma once
// Small helpers the renderers share: escaping and compact number display.
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

namespace squall::reports::detail {

// & < > " ' escaped; control characters other than tab/newline/CR dropped (they are invalid in XML 1.0).
std::string escape_xml(std::string_view s);

// Safe inside a Markdown table cell: `|` escaped, < > & as entities, newlines flattened.
std::string escape_md_cell(std::string_view s);

// A code span safe inside a Markdown table cell: backticks replaced, `|` escaped, newlines flattened.
std::string md_code(std::string_view s);

// A JSON value for display: integers exactly, doubles with 4 significant digits (whole numbers from 1000 up),
// null and missing as "–".
std::string display(const nlohmann::json& v);

// The value at a dotted path ("latency_ms.p99"), or null.
const nlohmann::json& at_path(const nlohmann::json& report, std::string_view path);

// The member `key` of an object, or null (also when `j` is not an object): reading a hand-edited or truncated
// results file (sweep.json, tune.json) never throws.
const nlohmann::json& member(const nlohmann::json& j, std::string_view key);

// member() for display: a string as it is, anything else through display().
std::string member_text(const nlohmann::json& j, std::string_view key);

// "✅ pass" / "❌ fail" / "❔ unknown", honouring expect "fail" (a failed gate is the expected outcome).
std::string verdict_badge(const nlohmann::json& report);

// "12 s", "metastable", "n/a" or "–" when unknown.
std::string recovery_text(const nlohmann::json& report);

// A run with only job events (no HTTP requests): the request, latency and breaker sections say nothing.
bool jobs_only(const nlohmann::json& report);

}  // namespace squall::reports::detail
