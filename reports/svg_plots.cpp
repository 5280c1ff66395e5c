#include "reports/svg_plots.hpp"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <iterator>
#include <limits>
#include <string_view>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "reports/render_text.hpp"
#include "reports/svg_chart.hpp"

namespace squall::reports::detail {

namespace {

// The same page geometry and CSS classes as svg_chart.cpp's line charts, so plots and charts line up.
constexpr double width = 880;
constexpr double right = 20;
constexpr double top = 30;
constexpr int heat_levels = 8;

bool finite(double v) { return std::isfinite(v); }

// A value as the report tables show it: 4 significant digits, whole numbers from 1000 up.
std::string value_text(double v) { return display(nlohmann::json(v)); }

// An axis domain widened to whole multiples of a 1-2-5 step; an empty range gets some room around its value.
struct axis {
  double lo;
  double hi;
  double step;
};

axis nice_axis(double lo, double hi, int target) {
  if (!(hi > lo)) {
    const double pad = lo != 0 ? std::fabs(lo) * 0.1 : 1;
    lo -= pad;
    hi += pad;
  }
  const double step = nice_step(hi - lo, target);
  return {std::floor(lo / step + 1e-9) * step, std::ceil(hi / step - 1e-9) * step, step};
}

// A domain close to the data (2 % room each side, so nothing sits on the frame), with 1-2-5 ticks inside it.
axis tight_axis(double lo, double hi, int target) {
  if (!(hi > lo)) return nice_axis(lo, hi, target);
  const double pad = (hi - lo) * 0.02;
  return {lo - pad, hi + pad, nice_step(hi - lo, target)};
}

// The multiples of the step inside the domain, computed as k × step (no accumulated rounding).
std::vector<double> ticks(const axis& a) {
  std::vector<double> out;
  const auto first = static_cast<std::int64_t>(std::ceil(a.lo / a.step - 1e-9));
  const auto last = static_cast<std::int64_t>(std::floor(a.hi / a.step + 1e-9));
  for (std::int64_t k = first; k <= last; ++k) out.push_back(static_cast<double>(k) * a.step);
  return out;
}

// As many decimals as the step needs: 0.05 → "0.15", 5000 → "15000".
std::string tick_text(double v, double step) {
  if (std::fabs(v) < step * 1e-6) v = 0;
  if (std::fabs(v) >= 1e7) return fmt::format("{:.3g}", v);
  const int decimals = step >= 1 ? 0 : static_cast<int>(std::ceil(-std::log10(step) - 1e-9));
  return fmt::format("{:.{}f}", v, decimals);
}

struct frame {
  double left;
  double height;
  double bottom;
  axis xa;
  axis ya;
  double plot_w() const { return width - left - right; }
  double plot_h() const { return height - top - bottom; }
  double x(double v) const { return left + std::clamp((v - xa.lo) / (xa.hi - xa.lo), 0.0, 1.0) * plot_w(); }
  double y(double v) const { return top + plot_h() - std::clamp((v - ya.lo) / (ya.hi - ya.lo), 0.0, 1.0) * plot_h(); }
};

std::string open_svg(const std::string& title, double height) {
  return fmt::format(
      "<svg class=\"chart plot\" viewBox=\"0 0 {0:.0f} {1:.0f}\" width=\"{0:.0f}\" height=\"{1:.0f}\" role=\"img\" "
      "aria-label=\"{2}\">\n<text class=\"chart-title\" x=\"70.0\" y=\"18\">{2}</text>\n",
      width, height, escape_xml(title));
}

std::string no_data(const std::string& title) {
  return open_svg(title, 70) +
         "<text class=\"no-data\" x=\"70.0\" y=\"48\">no data</text>\n"
         "</svg>\n";
}

// Top-right note such as "n = 200 seeds".
std::string corner_note(const std::string& text) {
  return fmt::format("<text class=\"legend\" x=\"{:.1f}\" y=\"18\" text-anchor=\"end\">{}</text>\n", width - right,
                     escape_xml(text));
}

// Horizontal grid lines with y tick labels, the y axis line and its rotated label.
std::string y_axis(const frame& f, const std::string& label) {
  std::string out;
  for (const double v : ticks(f.ya)) {
    out += fmt::format(
        "<line class=\"grid\" x1=\"{0:.1f}\" y1=\"{1:.1f}\" x2=\"{2:.1f}\" y2=\"{1:.1f}\"/>"
        "<text class=\"tick-label\" x=\"{3:.1f}\" y=\"{4:.1f}\" text-anchor=\"end\">{5}</text>\n",
        f.left, f.y(v), f.left + f.plot_w(), f.left - 6, f.y(v) + 4, tick_text(v, f.ya.step));
  }
  out += fmt::format("<line class=\"axis\" x1=\"{0:.1f}\" y1=\"{1:.1f}\" x2=\"{0:.1f}\" y2=\"{2:.1f}\"/>\n", f.left,
                     top, top + f.plot_h());
  out += fmt::format(
      "<text class=\"axis-label\" transform=\"rotate(-90)\" x=\"{:.1f}\" y=\"16\" text-anchor=\"middle\">{}</text>\n",
      -(top + f.plot_h() / 2), escape_xml(label));
  return out;
}

// The x axis line with ticks, tick labels and the axis label centred below.
std::string x_axis(const frame& f, const std::string& label) {
  const double base = top + f.plot_h();
  std::string out = fmt::format("<line class=\"axis\" x1=\"{:.1f}\" y1=\"{:.1f}\" x2=\"{:.1f}\" y2=\"{:.1f}\"/>\n",
                                f.left, base, f.left + f.plot_w(), base);
  for (const double v : ticks(f.xa)) {
    out += fmt::format(
        "<line class=\"tick\" x1=\"{0:.1f}\" y1=\"{1:.1f}\" x2=\"{0:.1f}\" y2=\"{2:.1f}\"/>"
        "<text class=\"tick-label\" x=\"{0:.1f}\" y=\"{3:.1f}\" text-anchor=\"middle\">{4}</text>\n",
        f.x(v), base, base + 5, base + 18, tick_text(v, f.xa.step));
  }
  out += fmt::format("<text class=\"axis-label\" x=\"{:.1f}\" y=\"{:.1f}\" text-anchor=\"middle\">{}</text>\n",
                     f.left + f.plot_w() / 2, f.height - 6, escape_xml(label));
  return out;
}

std::vector<double> finite_values(const std::vector<double>& values) {
  std::vector<double> out;
  std::copy_if(values.begin(), values.end(), std::back_inserter(out), finite);
  return out;
}

bool all_integral(const std::vector<double>& values) {
  return std::all_of(values.begin(), values.end(),
                     [](double v) { return v == std::floor(v) && std::fabs(v) < 9.0e15; });
}

std::string bin_title(const histogram_bin& b, bool last, bool integer_bins) {
  const std::string seeds = fmt::format("{} {}", b.count, b.count == 1 ? "seed" : "seeds");
  if (integer_bins) return seeds + " at " + value_text(b.from + 0.5);
  return fmt::format("{} in [{}, {}{}", seeds, value_text(b.from), value_text(b.to), last ? "]" : ")");
}

std::string gathered_note(std::size_t shown, std::size_t total, const char* unit) {
  std::string note = fmt::format("n = {} {}", shown, unit);
  if (shown < total) note += fmt::format(", {} not finite (left out)", total - shown);
  return note;
}

}  // namespace

std::vector<histogram_bin> histogram_bins(const std::vector<double>& values, int bins) {
  std::vector<double> v = finite_values(values);
  if (v.empty()) return {};
  std::sort(v.begin(), v.end());
  const double lo = v.front();
  const double hi = v.back();
  const auto bins_max = static_cast<std::size_t>(std::max(1, bins));
  std::vector<histogram_bin> out;
  if (all_integral(v) && hi - lo + 1 <= static_cast<double>(bins_max)) {
    const auto n = static_cast<std::size_t>(hi - lo) + 1;
    for (std::size_t i = 0; i < n; ++i) out.push_back({lo + static_cast<double>(i) - 0.5, lo + static_cast<double>(i) + 0.5, 0});
    for (const double x : v) ++out[static_cast<std::size_t>(x - lo)].count;
    return out;
  }
  if (hi == lo) {
    const double pad = lo != 0 ? std::fabs(lo) * 0.01 : 0.5;
    return {{lo - pad, hi + pad, v.size()}};
  }
  const auto distinct = static_cast<std::size_t>(std::unique(v.begin(), v.end()) - v.begin());
  const std::size_t n = std::min(bins_max, distinct);
  const double range = hi - lo;
  for (std::size_t i = 0; i < n; ++i) {
    const double from = lo + range * static_cast<double>(i) / static_cast<double>(n);
    const double to = i + 1 == n ? hi : lo + range * static_cast<double>(i + 1) / static_cast<double>(n);
    out.push_back({from, to, 0});
  }
  // By comparison with the edges as stored, so a value on an edge lands in the bin its tooltip promises.
  for (const double x : finite_values(values)) {
    const auto above = std::upper_bound(out.begin(), out.end(), x,
                                        [](double value, const histogram_bin& b) { return value < b.from; });
    (above - 1)->count++;
  }
  return out;
}

std::string render_histogram(const histogram_plot& plot) {
  const std::vector<double> values = finite_values(plot.values);
  const std::vector<histogram_bin> bins = histogram_bins(values, plot.bins);
  if (bins.empty()) return no_data(plot.title);
  const double min_value = *std::min_element(values.begin(), values.end());
  const bool integer_bins = all_integral(values) && bins.front().from == min_value - 0.5;
  double lo = bins.front().from;
  double hi = bins.back().to;
  for (const double m : plot.markers) {
    if (!finite(m)) continue;
    lo = std::min(lo, m);
    hi = std::max(hi, m);
  }
  std::size_t count_max = 0;
  for (const histogram_bin& b : bins) count_max = std::max(count_max, b.count);
  const double y_step = std::max(1.0, nice_step(static_cast<double>(count_max), 5));
  const axis ya{0, std::max(y_step, std::ceil(static_cast<double>(count_max) / y_step) * y_step), y_step};
  const frame f{70, 260, 44, tight_axis(lo, hi, 8), ya};

  std::string out = open_svg(plot.title, f.height);
  out += corner_note(gathered_note(values.size(), plot.values.size(), "seeds"));
  out += y_axis(f, "seeds");
  for (std::size_t i = 0; i < bins.size(); ++i) {
    const histogram_bin& b = bins[i];
    if (b.count == 0) continue;
    const double x0 = f.x(b.from) + 0.5;
    const double x1 = f.x(b.to) - 0.5;
    const double y0 = f.y(static_cast<double>(b.count));
    out += fmt::format(
        "<rect class=\"plot-bar\" x=\"{:.1f}\" y=\"{:.1f}\" width=\"{:.1f}\" height=\"{:.1f}\"><title>{}</title></rect>\n",
        x0, y0, std::max(1.0, x1 - x0), top + f.plot_h() - y0,
        escape_xml(bin_title(b, i + 1 == bins.size(), integer_bins)));
  }
  for (const double m : plot.markers) {
    if (!finite(m)) continue;
    out += fmt::format(
        "<line class=\"plot-marker\" x1=\"{0:.1f}\" y1=\"{1:.1f}\" x2=\"{0:.1f}\" y2=\"{2:.1f}\"><title>{3}</title></line>\n"
        "<text class=\"marker-label\" x=\"{4:.1f}\" y=\"{5:.1f}\">{3}</text>\n",
        f.x(m), top, top + f.plot_h(), escape_xml(value_text(m)), f.x(m) + 3, top + 10);
  }
  out += x_axis(f, plot.x_label);
  out += "</svg>\n";
  return out;
}

namespace {

axis padded_axis(double lo, double hi, int target) {
  const double pad = (hi - lo) * 0.03;
  return nice_axis(lo - pad, hi + pad, target);
}

std::string scatter_legend(bool any_plain, bool any_front, bool any_chosen, std::size_t shown, std::size_t total) {
  // Laid out right to left from the corner note.
  struct item {
    bool present;
    const char* css;
    double r;
    const char* text;
  };
  const item items[] = {{any_chosen, "plot-point plot-chosen", 6, "recommended"},
                        {any_front, "plot-point plot-front", 4.5, "Pareto front"},
                        {any_plain, "plot-point", 3.5, "candidate"}};
  const std::string note = gathered_note(shown, total, "points");
  std::string out = corner_note(note);
  double x = width - right - 6.5 * static_cast<double>(note.size()) - 16;
  for (const item& it : items) {
    if (!it.present) continue;
    x -= 6.5 * static_cast<double>(std::string_view(it.text).size()) + 22;
    out += fmt::format(
        "<circle class=\"{} plot-key\" cx=\"{:.1f}\" cy=\"14\" r=\"{:.1f}\"/><text class=\"legend\" x=\"{:.1f}\" y=\"18\">{}</text>\n",
        it.css, x, it.r, x + 9, it.text);
  }
  return out;
}

}  // namespace

std::string render_scatter(const scatter_plot& plot) {
  std::vector<const scatter_point*> points;
  for (const scatter_point& p : plot.points) {
    if (finite(p.x) && finite(p.y)) points.push_back(&p);
  }
  if (points.empty()) return no_data(plot.title);
  double x_lo = points.front()->x;
  double x_hi = x_lo;
  double y_lo = points.front()->y;
  double y_hi = y_lo;
  for (const scatter_point* p : points) {
    x_lo = std::min(x_lo, p->x);
    x_hi = std::max(x_hi, p->x);
    y_lo = std::min(y_lo, p->y);
    y_hi = std::max(y_hi, p->y);
  }
  const frame f{70, 360, 44, padded_axis(x_lo, x_hi, 8), padded_axis(y_lo, y_hi, 6)};
  std::string out = open_svg(plot.title, f.height);
  const auto any = [&](auto pred) { return std::any_of(points.begin(), points.end(), pred); };
  out += scatter_legend(any([](const scatter_point* p) { return !p->highlighted && !p->chosen; }),
                        any([](const scatter_point* p) { return p->highlighted; }),
                        any([](const scatter_point* p) { return p->chosen; }), points.size(), plot.points.size());
  out += y_axis(f, plot.y_label);
  out += x_axis(f, plot.x_label);
  // Plain points first, the front over them, the chosen one on top.
  const auto layer = [](const scatter_point* p) { return p->chosen ? 2 : p->highlighted ? 1 : 0; };
  for (int l = 0; l <= 2; ++l) {
    for (const scatter_point* p : points) {
      if (layer(p) != l) continue;
      const char* css = l == 2 ? "plot-point plot-chosen" : l == 1 ? "plot-point plot-front" : "plot-point";
      const double r = l == 2 ? 6 : l == 1 ? 4.5 : 3.5;
      std::string title = p->label.empty() ? std::string() : p->label + ": ";
      title += plot.x_label + " " + value_text(p->x) + ", " + plot.y_label + " " + value_text(p->y);
      out += fmt::format("<circle class=\"{}\" cx=\"{:.1f}\" cy=\"{:.1f}\" r=\"{:.1f}\"><title>{}</title></circle>\n",
                         css, f.x(p->x), f.y(p->y), r, escape_xml(title));
    }
  }
  out += "</svg>\n";
  return out;
}

namespace {

constexpr double heat_cell_h = 30;

// The colour step of a value, 0 (worst) to heat_levels - 1 (best); all equal values sit in the middle.
int heat_level(double v, double lo, double hi, bool higher_is_better) {
  if (!(hi > lo)) return heat_levels / 2 - 1;
  const int level = std::min(heat_levels - 1, static_cast<int>(std::floor((v - lo) / (hi - lo) * heat_levels)));
  return higher_is_better ? level : heat_levels - 1 - level;
}

std::string heat_legend(const heatmap_plot& plot, double y, double lo, double hi) {
  constexpr double swatch_w = 24;
  const double x0 = width - right - 70 - swatch_w * heat_levels;
  std::string out = fmt::format("<text class=\"legend\" x=\"70.0\" y=\"{:.1f}\">{} (darker is better)</text>\n",
                                y + 9, escape_xml(plot.value_label));
  const double worst = plot.higher_is_better ? lo : hi;
  const double best = plot.higher_is_better ? hi : lo;
  out += fmt::format("<text class=\"legend\" x=\"{:.1f}\" y=\"{:.1f}\" text-anchor=\"end\">{}</text>\n", x0 - 6, y + 9,
                     escape_xml(value_text(worst)));
  for (int l = 0; l < heat_levels; ++l) {
    out += fmt::format("<rect class=\"heat-{}\" x=\"{:.1f}\" y=\"{:.1f}\" width=\"{:.1f}\" height=\"10\"/>\n", l,
                       x0 + swatch_w * l, y, swatch_w);
  }
  out += fmt::format("<text class=\"legend\" x=\"{:.1f}\" y=\"{:.1f}\">{}</text>\n", x0 + swatch_w * heat_levels + 6,
                     y + 9, escape_xml(value_text(best)));
  return out;
}

}  // namespace

std::string render_heatmap(const heatmap_plot& plot) {
  std::size_t rows = std::max(plot.cells.size(), plot.y_ticks.size());
  std::size_t cols = plot.x_ticks.size();
  for (const auto& row : plot.cells) cols = std::max(cols, row.size());
  const auto cell = [&](std::size_t r, std::size_t c) {
    return r < plot.cells.size() && c < plot.cells[r].size() ? plot.cells[r][c] : std::nan("");
  };
  double lo = std::numeric_limits<double>::infinity();
  double hi = -std::numeric_limits<double>::infinity();
  for (std::size_t r = 0; r < rows; ++r) {
    for (std::size_t c = 0; c < cols; ++c) {
      if (!finite(cell(r, c))) continue;
      lo = std::min(lo, cell(r, c));
      hi = std::max(hi, cell(r, c));
    }
  }
  if (!finite(lo)) return no_data(plot.title);

  std::size_t label_chars = 0;
  for (const std::string& t : plot.y_ticks) label_chars = std::max(label_chars, t.size());
  const double left = std::clamp(7.0 * static_cast<double>(label_chars) + 36, 70.0, 300.0);
  // The row parameter's name sits above the row labels, horizontal: a parameter path rarely fits rotated beside a
  // few rows.
  const double grid_top = top + 20;
  const double plot_h = heat_cell_h * static_cast<double>(rows);
  const double height = grid_top + plot_h + 84;
  const double cell_w = (width - left - right) / static_cast<double>(cols);

  std::string out = open_svg(plot.title, height);
  for (std::size_t r = 0; r < rows; ++r) {
    const double y = grid_top + plot_h - heat_cell_h * static_cast<double>(r + 1);
    const std::string y_tick = r < plot.y_ticks.size() ? plot.y_ticks[r] : std::string();
    out += fmt::format("<text class=\"tick-label\" x=\"{:.1f}\" y=\"{:.1f}\" text-anchor=\"end\">{}</text>\n", left - 6,
                       y + heat_cell_h / 2 + 4, escape_xml(y_tick));
    for (std::size_t c = 0; c < cols; ++c) {
      const double x = left + cell_w * static_cast<double>(c);
      const std::string x_tick = c < plot.x_ticks.size() ? plot.x_ticks[c] : std::string();
      const std::string where = plot.x_label + " = " + x_tick + ", " + plot.y_label + " = " + y_tick;
      const double v = cell(r, c);
      if (!finite(v)) {
        out += fmt::format(
            "<rect class=\"heat-empty\" x=\"{:.1f}\" y=\"{:.1f}\" width=\"{:.1f}\" height=\"{:.1f}\"><title>{}: no "
            "candidate</title></rect>\n",
            x + 1, y + 1, cell_w - 2, heat_cell_h - 2, escape_xml(where));
        continue;
      }
      const int level = heat_level(v, lo, hi, plot.higher_is_better);
      out += fmt::format(
          "<rect class=\"heat heat-{}\" x=\"{:.1f}\" y=\"{:.1f}\" width=\"{:.1f}\" height=\"{:.1f}\"><title>{}: {} "
          "{}</title></rect>\n",
          level, x + 1, y + 1, cell_w - 2, heat_cell_h - 2, escape_xml(where), escape_xml(plot.value_label),
          escape_xml(value_text(v)));
      const std::string text = value_text(v);
      if (cell_w >= 7.0 * static_cast<double>(text.size()) + 6) {
        out += fmt::format("<text class=\"heat-value{}\" x=\"{:.1f}\" y=\"{:.1f}\" text-anchor=\"middle\">{}</text>\n",
                           level >= heat_levels / 2 ? " on-dark" : "", x + cell_w / 2, y + heat_cell_h / 2 + 4,
                           escape_xml(text));
      }
    }
  }
  const double base = grid_top + plot_h;
  for (std::size_t c = 0; c < cols; ++c) {
    const std::string x_tick = c < plot.x_ticks.size() ? plot.x_ticks[c] : std::string();
    out += fmt::format("<text class=\"tick-label\" x=\"{:.1f}\" y=\"{:.1f}\" text-anchor=\"middle\">{}</text>\n",
                       left + cell_w * (static_cast<double>(c) + 0.5), base + 16, escape_xml(x_tick));
  }
  out += fmt::format("<text class=\"axis-label\" x=\"{:.1f}\" y=\"{:.1f}\" text-anchor=\"middle\">{}</text>\n",
                     left + (width - left - right) / 2, base + 34, escape_xml(plot.x_label));
  out += fmt::format("<text class=\"axis-label\" x=\"{:.1f}\" y=\"{:.1f}\">{}</text>\n", 8.0, grid_top - 6,
                     escape_xml(plot.y_label));
  out += heat_legend(plot, base + 52, lo, hi);
  out += "</svg>\n";
  return out;
}

}  // namespace squall::reports::detail
