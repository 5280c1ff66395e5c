#pragma once
// The report's `duplicates` section (docs/report-format.md) for the Markdown and HTML renderers. Both return ""
// when the report has no `duplicates` object, so HTTP-only reports render exactly as before.
#include <cstdint>
#include <string>

#include <nlohmann/json.hpp>

namespace squall::reports::detail {

// "#### Duplicates": a table of the headline numbers, then the first 3 example chains as bullet lists.
std::string duplicates_markdown(const nlohmann::json& report);

// A <section> with the same numbers as a table and each example chain (up to 20) as a table.
std::string duplicates_html(const nlohmann::json& report);

// Integer nanoseconds as seconds with 3 decimals, rounded half away from zero: "-5.000", "1.001".
std::string seconds_3(std::int64_t ns);

}  // namespace squall::reports::detail
