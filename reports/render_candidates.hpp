#pragma once
// The report's `candidates` section (shadow candidates, docs/report-format.md) for the Markdown and HTML
// renderers. Both return "" when the report has no `candidates` object, so other reports render as before.
#include <string>

#include <nlohmann/json.hpp>

namespace squall::reports::detail {

// "#### Shadow candidates": one table row for the enforced policy and one per candidate, then the note.
std::string candidates_markdown(const nlohmann::json& report);

// A <section> with the same table, each candidate breaker's state as a band beside the enforced one's, and the
// note.
std::string candidates_html(const nlohmann::json& report);

}  // namespace squall::reports::detail
