#pragma once
// Renderers for `squall tune`: tune.json → the console table, Markdown for a PR comment and a self-contained HTML
// page with the Pareto scatter and heatmaps over the first two varied parameters. Pure functions of tune.json
// (docs/tuning.md), deterministic bytes.
#include <string>

#include <nlohmann/json.hpp>

namespace squall::reports {

// The top 20 candidates best first (Pareto members marked), skipped candidates, the recommendation as --set
// flags and a JSON snippet (or, when no candidate passes, the closest one), the hold-out result.
std::string render_tune_text(const nlohmann::json& tune);

// The same for a PR comment.
std::string render_tune_markdown(const nlohmann::json& tune);

// One page (inline CSS and SVG, no scripts): the recommendation, a scatter of goodput against retry amplification
// with the Pareto front, heatmaps over the first two varied parameters, and the candidate table.
std::string render_tune_html(const nlohmann::json& tune);

}  // namespace squall::reports
