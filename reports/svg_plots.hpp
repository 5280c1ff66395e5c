#pragma once
// Plots for multi-run reports (issue 4): a histogram of one metric over seeds (`squall sweep`), a scatter of
// candidates over two metrics with the Pareto front marked and a heatmap over two varied parameters
// (`squall tune`). Self-contained SVG text, labelled axes with units, deterministic (fixed-precision numbers),
// styled by the page's CSS classes like svg_chart.hpp's charts. Empty input renders a small "no data" SVG.
#include <cstddef>
#include <string>
#include <vector>

namespace squall::reports::detail {

struct histogram_plot {
  std::string title;
  std::string x_label;          // the metric with its unit, e.g. "latency p99 (ms)"
  std::vector<double> values;   // one per seed; non-finite values are ignored
  int bins = 20;                // at most this many equal-width bins between min and max
  std::vector<double> markers;  // vertical lines, e.g. a gate's threshold
};
std::string render_histogram(const histogram_plot& plot);

// The bins render_histogram draws. Integer values spanning at most `bins` consecutive integers get one bin per
// integer, [v - 0.5, v + 0.5); otherwise min(bins, distinct values) equal-width bins from min to max, each
// [from, to) except the last, [from, max]. One value (or all equal) gives a single bin around it. Non-finite
// values are ignored; no finite value gives no bins.
struct histogram_bin {
  double from = 0;
  double to = 0;
  std::size_t count = 0;
};
std::vector<histogram_bin> histogram_bins(const std::vector<double>& values, int bins);

struct scatter_point {
  double x = 0;
  double y = 0;
  std::string label;        // tooltip, e.g. "#12 failure_threshold=5 open_ms=15000"; escaped by the plot
  bool highlighted = false; // e.g. on the Pareto front
  bool chosen = false;      // e.g. the recommendation (drawn larger, on top)
};
struct scatter_plot {
  std::string title;
  std::string x_label;
  std::string y_label;
  std::vector<scatter_point> points;
};
std::string render_scatter(const scatter_plot& plot);

struct heatmap_plot {
  std::string title;
  std::string x_label;                     // the first varied parameter
  std::string y_label;                     // the second
  std::string value_label;                 // what the colour means, e.g. "goodput (mean over seeds)"
  std::vector<std::string> x_ticks;        // column labels (parameter values)
  std::vector<std::string> y_ticks;        // row labels
  std::vector<std::vector<double>> cells;  // [row][column]; NaN = no candidate there (drawn empty)
  bool higher_is_better = true;            // colour scale direction
};
// Row 0 is drawn at the bottom, like a y axis. Colours come in 8 steps (CSS classes heat-0 … heat-7) between the
// lowest and highest finite cell, the darkest always the best value; each cell shows its value when it fits.
std::string render_heatmap(const heatmap_plot& plot);

}  // namespace squall::reports::detail
