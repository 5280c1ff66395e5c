#pragma once
// A minimal SVG line chart for the HTML report: linear axes with "nice" ticks and unit labels, shaded fault
// windows, polylines with gaps, and coloured state bands. Emits plain SVG text with fixed-precision coordinates.
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace squall::reports::detail {

struct svg_series {
  std::string name;
  std::string css_class;                    // stroke colour comes from the page's CSS
  std::vector<double> x;                    // seconds
  std::vector<std::optional<double>> y;     // empty = no data: the line breaks there
};

struct svg_span {
  double from_s = 0;
  double to_s = 0;
  std::string css_class;
  std::string title;  // tooltip; escaped by the chart
};

struct svg_chart {
  std::string title;
  std::string x_label = "time (s)";
  std::string y_label;
  double x_max = 1;
  double y_max = 1;
  std::vector<svg_span> shaded;  // fault windows behind the data
  std::vector<svg_series> series;
};

std::string render_line_chart(const svg_chart& chart);

// A horizontal band per row (e.g. "breaker", "shadow breaker"), each a sequence of coloured spans over time.
struct svg_band_row {
  std::string label;
  std::vector<svg_span> spans;
};
std::string render_band_chart(const std::string& title, double x_max, const std::vector<svg_band_row>& rows,
                              const std::vector<svg_span>& shaded);

// The CSS of the HTML report (render_html.cpp): the classes these charts and svg_plots.hpp's plots use. Other
// pages that embed the charts inline it in their <style> to look the same.
std::string_view report_css();
// The start of a self-contained report page up to <body>: the title (plain text, escaped here), report_css() and
// the page's own extra rules (none when empty).
std::string html_page_head(std::string_view title, std::string_view extra_css = {});

// 1, 2 or 5 × 10^k, so that about `target` steps cover `range`.
double nice_step(double range, int target);

}  // namespace squall::reports::detail
