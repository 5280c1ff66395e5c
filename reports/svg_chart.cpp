#include "reports/svg_chart.hpp"

#include <algorithm>
#include <cmath>

#include <fmt/format.h>

#include "reports/render_text.hpp"

namespace squall::reports::detail {

namespace {

constexpr double width = 880;
constexpr double left = 70;
constexpr double right = 20;
constexpr double top = 30;

std::string tick_label(double v) {
  if (std::fabs(v) >= 1000 || v == std::floor(v)) return fmt::format("{:.0f}", v);
  return fmt::format("{:.3g}", v);
}

struct frame {
  double height;
  double bottom;
  double x_max;
  double y_max;
  double plot_w() const { return width - left - right; }
  double plot_h() const { return height - top - bottom; }
  double x(double s) const { return left + std::clamp(s / x_max, 0.0, 1.0) * plot_w(); }
  double y(double v) const { return top + plot_h() - std::clamp(v / y_max, 0.0, 1.0) * plot_h(); }
};

std::string x_axis(const frame& f, const std::string& label) {
  std::string out = fmt::format("<line class=\"axis\" x1=\"{:.1f}\" y1=\"{:.1f}\" x2=\"{:.1f}\" y2=\"{:.1f}\"/>\n",
                                left, top + f.plot_h(), left + f.plot_w(), top + f.plot_h());
  const double step = nice_step(f.x_max, 8);
  for (double t = 0; t <= f.x_max * (1 + 1e-9); t += step) {
    out += fmt::format(
        "<line class=\"tick\" x1=\"{0:.1f}\" y1=\"{1:.1f}\" x2=\"{0:.1f}\" y2=\"{2:.1f}\"/>"
        "<text class=\"tick-label\" x=\"{0:.1f}\" y=\"{3:.1f}\" text-anchor=\"middle\">{4}</text>\n",
        f.x(t), top + f.plot_h(), top + f.plot_h() + 5, top + f.plot_h() + 18, tick_label(t));
  }
  out += fmt::format("<text class=\"axis-label\" x=\"{:.1f}\" y=\"{:.1f}\" text-anchor=\"middle\">{}</text>\n",
                     left + f.plot_w() / 2, f.height - 6, escape_xml(label));
  return out;
}

std::string shading(const frame& f, const std::vector<svg_span>& spans) {
  std::string out;
  for (const svg_span& s : spans) {
    const double x0 = f.x(s.from_s);
    const double x1 = f.x(s.to_s);
    out += fmt::format(
        "<rect class=\"{}\" x=\"{:.1f}\" y=\"{:.1f}\" width=\"{:.1f}\" height=\"{:.1f}\"><title>{}</title></rect>\n",
        escape_xml(s.css_class), x0, top, std::max(1.0, x1 - x0), f.plot_h(), escape_xml(s.title));
    // The window's name inside it, at the top, when it fits (about 6.5 px per character at 11 px).
    if (x1 - x0 >= 6.5 * static_cast<double>(s.title.size()) + 8) {
      out += fmt::format("<text class=\"fault-label\" x=\"{:.1f}\" y=\"{:.1f}\">{}</text>\n", x0 + 4, top + 12,
                         escape_xml(s.title));
    }
  }
  return out;
}

}  // namespace

double nice_step(double range, int target) {
  if (!(range > 0)) return 1;
  const double raw = range / target;
  const double magnitude = std::pow(10.0, std::floor(std::log10(raw)));
  for (const double m : {1.0, 2.0, 5.0, 10.0}) {
    if (raw <= m * magnitude) return m * magnitude;
  }
  return 10 * magnitude;
}

std::string render_line_chart(const svg_chart& chart) {
  const double y_step = nice_step(chart.y_max, 5);
  const frame f{260, 44, chart.x_max > 0 ? chart.x_max : 1, std::max(y_step, std::ceil(chart.y_max / y_step) * y_step)};
  std::string out = fmt::format(
      "<svg class=\"chart\" viewBox=\"0 0 {:.0f} {:.0f}\" width=\"{:.0f}\" height=\"{:.0f}\" role=\"img\" "
      "aria-label=\"{}\">\n<text class=\"chart-title\" x=\"{:.1f}\" y=\"18\">{}</text>\n",
      width, f.height, width, f.height, escape_xml(chart.title), left, escape_xml(chart.title));
  out += shading(f, chart.shaded);
  // y axis with grid lines.
  out += fmt::format("<line class=\"axis\" x1=\"{0:.1f}\" y1=\"{1:.1f}\" x2=\"{0:.1f}\" y2=\"{2:.1f}\"/>\n", left, top,
                     top + f.plot_h());
  for (double v = 0; v <= f.y_max * (1 + 1e-9); v += y_step) {
    out += fmt::format(
        "<line class=\"grid\" x1=\"{0:.1f}\" y1=\"{1:.1f}\" x2=\"{2:.1f}\" y2=\"{1:.1f}\"/>"
        "<text class=\"tick-label\" x=\"{3:.1f}\" y=\"{4:.1f}\" text-anchor=\"end\">{5}</text>\n",
        left, f.y(v), left + f.plot_w(), left - 6, f.y(v) + 4, tick_label(v));
  }
  out += fmt::format(
      "<text class=\"axis-label\" transform=\"rotate(-90)\" x=\"{:.1f}\" y=\"16\" text-anchor=\"middle\">{}</text>\n",
      -(top + f.plot_h() / 2), escape_xml(chart.y_label));
  out += x_axis(f, chart.x_label);

  double legend_x = left + f.plot_w();
  for (auto it = chart.series.rbegin(); it != chart.series.rend(); ++it) {
    const svg_series& s = *it;
    std::string points;
    const auto flush = [&] {
      if (!points.empty()) {
        out += fmt::format("<polyline class=\"series {}\" points=\"{}\"/>\n", escape_xml(s.css_class), points);
      }
      points.clear();
    };
    for (std::size_t i = 0; i < s.x.size() && i < s.y.size(); ++i) {
      if (!s.y[i]) {
        flush();
        continue;
      }
      if (!points.empty()) points += ' ';
      points += fmt::format("{:.1f},{:.1f}", f.x(s.x[i]), f.y(*s.y[i]));
    }
    flush();
    legend_x -= 10 + 7.0 * static_cast<double>(s.name.size()) + 20;
    out += fmt::format(
        "<line class=\"series {0}\" x1=\"{1:.1f}\" y1=\"14\" x2=\"{2:.1f}\" y2=\"14\"/>"
        "<text class=\"legend\" x=\"{3:.1f}\" y=\"18\">{4}</text>\n",
        escape_xml(s.css_class), legend_x, legend_x + 16, legend_x + 20, escape_xml(s.name));
  }
  out += "</svg>\n";
  return out;
}

std::string render_band_chart(const std::string& title, double x_max, const std::vector<svg_band_row>& rows,
                              const std::vector<svg_span>& shaded) {
  const double row_h = 26;
  const double height = top + row_h * static_cast<double>(rows.size()) + 44;
  const frame f{height, 44, x_max > 0 ? x_max : 1, 1};
  std::string out = fmt::format(
      "<svg class=\"chart\" viewBox=\"0 0 {:.0f} {:.0f}\" width=\"{:.0f}\" height=\"{:.0f}\" role=\"img\" "
      "aria-label=\"{}\">\n<text class=\"chart-title\" x=\"{:.1f}\" y=\"18\">{}</text>\n",
      width, height, width, height, escape_xml(title), left, escape_xml(title));
  for (std::size_t r = 0; r < rows.size(); ++r) {
    const double y = top + row_h * static_cast<double>(r) + 3;
    out += fmt::format("<text class=\"tick-label\" x=\"{:.1f}\" y=\"{:.1f}\" text-anchor=\"end\">{}</text>\n",
                       left - 6, y + row_h / 2, escape_xml(rows[r].label));
    for (const svg_span& s : rows[r].spans) {
      const double x0 = f.x(s.from_s);
      const double x1 = f.x(s.to_s);
      if (x1 <= x0 && s.to_s <= s.from_s) continue;
      out += fmt::format(
          "<rect class=\"{}\" x=\"{:.1f}\" y=\"{:.1f}\" width=\"{:.1f}\" height=\"{:.1f}\"><title>{}</title></rect>\n",
          escape_xml(s.css_class), x0, y, std::max(0.5, x1 - x0), row_h - 6, escape_xml(s.title));
    }
  }
  // Fault windows as outlines over the bands, so both stay visible.
  for (const svg_span& s : shaded) {
    const double x0 = f.x(s.from_s);
    const double x1 = f.x(s.to_s);
    out += fmt::format(
        "<rect class=\"fault-outline\" x=\"{:.1f}\" y=\"{:.1f}\" width=\"{:.1f}\" height=\"{:.1f}\"><title>{}</title>"
        "</rect>\n",
        x0, top, std::max(1.0, x1 - x0), f.plot_h(), escape_xml(s.title));
  }
  out += x_axis(f, "time (s)");
  out += "</svg>\n";
  return out;
}

}  // namespace squall::reports::detail
