#pragma once
// Renderers for a seed sweep (`squall sweep`, `squall merge`): sweep.json → Markdown, HTML and a console summary.
// Pure functions of the sweep JSON (docs/sweep-and-sharding.md), so a merged sweep renders byte-identically to a
// single-machine one.
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace squall::reports {

struct sweep_metric {
  const char* path;
  const char* label;  // with its unit, for tables and histogram axes
};

// The metrics the summaries show first and sweep.json keeps per seed ("values") for the histograms.
const std::vector<sweep_metric>& sweep_key_metrics();

// For a PR comment: verdict, key metrics (mean, p5, p50, p95, worst and its seed), gate stability, failing seeds
// with their repro lines (first 20), every metric with a value in a collapsed section.
std::string render_sweep_markdown(const nlohmann::json& sweep);

// One self-contained page (inline CSS and SVG, no scripts): the same tables (failing seeds: the first 200) plus a
// histogram over seeds per key metric that varies, with the scenario's gate thresholds on that metric as markers.
std::string render_sweep_html(const nlohmann::json& sweep);

// The console summary: verdict, key metrics, gate stability, the first 10 failing seeds' repro lines.
std::string render_sweep_text(const nlohmann::json& sweep);

}  // namespace squall::reports
