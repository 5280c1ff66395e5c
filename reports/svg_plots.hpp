#pragma once
// Plots for multi-run reports (issue 4): a histogram of one metric over seeds (`squall sweep`), a scatter of
// candidates over two metrics with the Pareto front marked and a heatmap over two varied parameters
// (`squall tune`). Self-contained SVG text, labelled axes with units, deterministic (fixed-precision numbers),
// styled by the page's CSS classes like svg_chart.hpp's charts. Empty input renders a small "no data" SVG.
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
std::string render_heatmap(const heatmap_plot& plot);

}  // namespace squall::reports::detail
