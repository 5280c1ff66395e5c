// The sweep/tune plots: bins, structure (bars, points, cells), labels with units, escaping, empty input.
#include <catch2/catch.hpp>

#include <cmath>
#include <limits>
#include <string>
#include <vector>

#include "reports/svg_chart.hpp"
#include "reports/svg_plots.hpp"

using namespace squall::reports::detail;

namespace {

std::size_t count(const std::string& haystack, const std::string& needle) {
  std::size_t n = 0;
  for (std::size_t pos = haystack.find(needle); pos != std::string::npos; pos = haystack.find(needle, pos + 1)) ++n;
  return n;
}

const double no_value = std::nan("");

}  // namespace

TEST_CASE("histogram_bins: integers over a short range get one bin per integer, empty ones included") {
  const auto bins = histogram_bins({3, 1, 1, 5, 3, 3}, 20);
  REQUIRE(bins.size() == 5);
  CHECK(bins[0].from == 0.5);
  CHECK(bins[0].to == 1.5);
  CHECK(bins[4].to == 5.5);
  CHECK(bins[0].count == 2);
  CHECK(bins[1].count == 0);
  CHECK(bins[2].count == 3);
  CHECK(bins[3].count == 0);
  CHECK(bins[4].count == 1);
}

TEST_CASE("histogram_bins: reals get equal-width bins from min to max, the maximum in the last") {
  const auto bins = histogram_bins({0.0, 0.1, 0.25, 0.5, 0.74, 0.76, 1.0}, 4);
  REQUIRE(bins.size() == 4);
  CHECK(bins[0].from == 0.0);
  CHECK(bins[1].from == Approx(0.25));
  CHECK(bins[3].to == 1.0);
  CHECK(bins[0].count == 2);  // 0, 0.1
  CHECK(bins[1].count == 1);  // 0.25
  CHECK(bins[2].count == 2);  // 0.5, 0.74
  CHECK(bins[3].count == 2);  // 0.76, 1.0
}

TEST_CASE("histogram_bins: no more bins than distinct values, non-finite ignored, one value one bin") {
  const auto two = histogram_bins({0.5, 0.5, 2.5, no_value, std::numeric_limits<double>::infinity()}, 20);
  REQUIRE(two.size() == 2);
  CHECK(two[0].count == 2);
  CHECK(two[1].count == 1);
  const auto one = histogram_bins({0.25, 0.25}, 20);
  REQUIRE(one.size() == 1);
  CHECK(one[0].count == 2);
  CHECK(one[0].from < 0.25);
  CHECK(one[0].to > 0.25);
  CHECK(histogram_bins({no_value}, 20).empty());
  CHECK(histogram_bins({}, 20).empty());
  // Integers spanning more than `bins` values fall back to equal-width bins.
  const auto wide = histogram_bins({0, 100}, 10);
  REQUIRE(wide.size() == 2);
  CHECK(wide[1].to == 100);
}

TEST_CASE("histogram: one bar per non-empty bin, tooltips with counts, axes, markers and the seed count") {
  histogram_plot p{"p99 latency over 7 seeds", "latency p99 (ms)", {3, 1, 1, 5, 3, 3, no_value}, 20, {4.5}};
  const std::string svg = render_histogram(p);
  INFO(svg);
  CHECK(svg.rfind("<svg class=\"chart plot\"", 0) == 0);
  CHECK(count(svg, "<svg ") == 1);
  CHECK(count(svg, "</svg>") == 1);
  CHECK(count(svg, "<rect class=\"plot-bar\"") == 3);
  CHECK_THAT(svg, Catch::Contains("<title>2 seeds at 1</title>"));
  CHECK_THAT(svg, Catch::Contains("<title>3 seeds at 3</title>"));
  CHECK_THAT(svg, Catch::Contains("<title>1 seed at 5</title>"));
  CHECK_THAT(svg, Catch::Contains(">latency p99 (ms)</text>"));
  CHECK_THAT(svg, Catch::Contains(">seeds</text>"));
  CHECK_THAT(svg, Catch::Contains(">p99 latency over 7 seeds</text>"));
  CHECK_THAT(svg, Catch::Contains("n = 6 seeds, 1 not finite (left out)"));
  CHECK(count(svg, "<line class=\"plot-marker\"") == 1);
  CHECK_THAT(svg, Catch::Contains("<title>4.5</title>"));
  CHECK(count(svg, "<line class=\"grid\"") >= 3);   // count axis 0..3
  CHECK(count(svg, "<line class=\"tick\"") >= 3);   // value axis
  CHECK(render_histogram(p) == svg);                 // deterministic
}

TEST_CASE("histogram: real-valued bins show their interval, the last one closed") {
  const std::string svg = render_histogram({"goodput", "goodput (ratio)", {0.9, 0.95, 1.0}, 2, {}});
  INFO(svg);
  CHECK(count(svg, "<rect class=\"plot-bar\"") == 2);
  CHECK_THAT(svg, Catch::Contains("<title>1 seed in [0.9, 0.95)</title>"));
  CHECK_THAT(svg, Catch::Contains("<title>2 seeds in [0.95, 1]</title>"));  // 0.95 sits on the edge: upper bin
  // Tick labels carry the decimals the step needs, no float noise.
  CHECK_THAT(svg, Catch::Contains(">0.90</text>"));
  CHECK(svg.find("0.9000000") == std::string::npos);
}

TEST_CASE("histogram: empty or all non-finite input renders no data") {
  for (const auto& values : {std::vector<double>{}, std::vector<double>{no_value, -std::numeric_limits<double>::infinity()}}) {
    const std::string svg = render_histogram({"flaps <per> hour", "flaps per hour", values, 20, {}});
    CHECK_THAT(svg, Catch::Contains(">no data</text>"));
    CHECK_THAT(svg, Catch::Contains("flaps &lt;per&gt; hour"));
    CHECK(count(svg, "<rect") == 0);
    CHECK(count(svg, "</svg>") == 1);
  }
}

TEST_CASE("scatter: one circle per finite point, front and chosen drawn over the rest, labels escaped") {
  scatter_plot p{"Candidates", "goodput (ratio)", "retry amplification (×)", {}};
  p.points.push_back({0.90, 1.2, "#1 open_ms=5000", false, false});
  p.points.push_back({0.95, 1.4, "#2 <b>&\"x\"", true, false});
  p.points.push_back({0.99, 1.1, "#3 failure_threshold=5", true, true});
  p.points.push_back({no_value, 1.0, "#4 broken", false, false});
  const std::string svg = render_scatter(p);
  INFO(svg);
  CHECK(count(svg, "<circle class=\"plot-point\" cx") == 1);
  CHECK(count(svg, "<circle class=\"plot-point plot-front\" cx") == 1);
  CHECK(count(svg, "<circle class=\"plot-point plot-chosen\" cx") == 1);
  CHECK(count(svg, "<title>") == 3);
  CHECK_THAT(svg, Catch::Contains("#2 &lt;b&gt;&amp;&quot;x&quot;: goodput (ratio) 0.95, retry amplification (×) 1.4"));
  CHECK(svg.find("<b>") == std::string::npos);
  CHECK(svg.find("#4 broken") == std::string::npos);
  CHECK_THAT(svg, Catch::Contains("n = 3 points, 1 not finite (left out)"));
  CHECK_THAT(svg, Catch::Contains(">goodput (ratio)</text>"));
  CHECK_THAT(svg, Catch::Contains(">retry amplification (×)</text>"));
  CHECK_THAT(svg, Catch::Contains(">Pareto front</text>"));
  CHECK_THAT(svg, Catch::Contains(">recommended</text>"));
  // The chosen point comes last so it is drawn on top.
  CHECK(svg.find("plot-chosen\" cx") > svg.find("plot-front\" cx"));
  CHECK(svg.find("plot-front\" cx") > svg.find("<circle class=\"plot-point\" cx"));
  CHECK(render_scatter(p) == svg);
}

TEST_CASE("scatter: a single point or identical points still get a usable axis") {
  const std::string svg = render_scatter({"one", "x (s)", "y (ms)", {{5, 5, "a", false, false}, {5, 5, "b", false, false}}});
  INFO(svg);
  CHECK(count(svg, "<circle class=\"plot-point\" cx") == 2);
  CHECK(svg.find("nan") == std::string::npos);
  CHECK(svg.find("inf") == std::string::npos);
  CHECK_THAT(render_scatter({"none", "x", "y", {}}), Catch::Contains(">no data</text>"));
}

TEST_CASE("heatmap: one rect per finite cell, NaN cells empty, tick labels, values and a legend") {
  heatmap_plot p;
  p.title = "Goodput by breaker threshold and open time";
  p.x_label = "policy.breaker.open_ms";
  p.y_label = "policy.breaker.failure_threshold";
  p.value_label = "goodput (mean over seeds)";
  p.x_ticks = {"5000", "15000", "60000"};
  p.y_ticks = {"3", "5 <x>"};
  p.cells = {{0.90, 0.95, no_value}, {0.99, 0.97, 0.80}};
  const std::string svg = render_heatmap(p);
  INFO(svg);
  CHECK(count(svg, "<rect class=\"heat heat-") == 5);
  CHECK(count(svg, "<rect class=\"heat-empty\"") == 1);
  CHECK_THAT(svg, Catch::Contains("policy.breaker.open_ms = 60000, policy.breaker.failure_threshold = 3: no candidate"));
  CHECK(count(svg, "<text class=\"heat-value") == 5);
  CHECK(count(svg, "<rect class=\"heat-") == 8 + 1);  // the legend's 8 swatches and the empty cell
  CHECK_THAT(svg, Catch::Contains(">5 &lt;x&gt;</text>"));
  CHECK_THAT(svg, Catch::Contains(">60000</text>"));
  CHECK_THAT(svg, Catch::Contains(">policy.breaker.open_ms</text>"));
  CHECK_THAT(svg, Catch::Contains(">policy.breaker.failure_threshold</text>"));
  CHECK_THAT(svg, Catch::Contains("goodput (mean over seeds) (darker is better)"));
  // Best (highest) is darkest, worst lightest.
  CHECK_THAT(svg, Catch::Contains("<rect class=\"heat heat-7\""));
  CHECK_THAT(svg, Catch::Contains("<rect class=\"heat heat-0\""));
  CHECK_THAT(svg, Catch::Contains("policy.breaker.failure_threshold = 5 &lt;x&gt;: goodput (mean over seeds) 0.99"));
  CHECK(render_heatmap(p) == svg);
}

TEST_CASE("heatmap: lower is better flips the colour scale") {
  heatmap_plot p{"amp", "a", "b", "retry amplification (×)", {"1", "2"}, {"1"}, {{1.0, 3.0}}, false};
  const std::string svg = render_heatmap(p);
  INFO(svg);
  const std::size_t low = svg.find("retry amplification (×) 1</title>");
  const std::size_t high = svg.find("retry amplification (×) 3</title>");
  REQUIRE(low != std::string::npos);
  REQUIRE(high != std::string::npos);
  CHECK(svg.rfind("<rect class=\"heat heat-", low) == svg.rfind("<rect class=\"heat heat-7\"", low));   // 1.0 is the best: darkest
  CHECK(svg.rfind("<rect class=\"heat heat-", high) == svg.rfind("<rect class=\"heat heat-0\"", high));  // 3.0 the worst: lightest
}

TEST_CASE("heatmap: no finite cell renders no data") {
  CHECK_THAT(render_heatmap({"t", "a", "b", "v", {"1"}, {"1"}, {{no_value}}, true}), Catch::Contains(">no data</text>"));
  CHECK_THAT(render_heatmap({"t", "a", "b", "v", {}, {}, {}, true}), Catch::Contains(">no data</text>"));
}

TEST_CASE("plots: every element is closed and the page CSS styles their classes") {
  const std::string css(report_css());
  for (const char* cls : {".plot-bar", ".plot-marker", ".plot-point", ".plot-front", ".plot-chosen", ".heat-0",
                          ".heat-7", ".heat-empty", ".heat-value", ".no-data"}) {
    CHECK_THAT(css, Catch::Contains(cls));
  }
  const std::string svg = render_histogram({"h", "x", {1, 2, 3}, 20, {2}}) +
                          render_scatter({"s", "x", "y", {{1, 2, "a", true, true}}}) +
                          render_heatmap({"m", "a", "b", "v", {"1"}, {"1"}, {{1}}, true});
  CHECK(count(svg, "<title>") == count(svg, "</title>"));
  CHECK(count(svg, "<text ") == count(svg, "</text>"));
  CHECK(count(svg, "<svg ") == count(svg, "</svg>"));
}

// The per-run page's "Over time" section charts budget denials and latency percentiles per window when the timeline
// carries them (retry_amplification.timeline[].budget_denied, latency_ms_p50, latency_ms_p99), and says plainly
// when it does not.
#include <nlohmann/json.hpp>

#include "reports/render.hpp"

namespace {

nlohmann::json timeline_report(bool with_extra_fields) {
  nlohmann::json timeline = nlohmann::json::array();
  for (int i = 0; i < 6; ++i) {
    nlohmann::json p = {{"t_s", i * 10}, {"originals", 1000}, {"attempts", i == 2 ? 2500 : 1000},
                        {"succeeded", i == 2 ? 400 : 1000}, {"goodput", i == 2 ? 0.4 : 1.0}};
    if (with_extra_fields) {
      p["budget_denied"] = i == 2 ? 300 : 0;
      p["latency_ms_p50"] = i == 2 ? 120.0 : 20.0;
      p["latency_ms_p99"] = i == 2 ? nlohmann::json(nullptr) : nlohmann::json(90.0);  // null: no success there
    }
    timeline.push_back(p);
  }
  return {{"scenario", "t"},
          {"verdict", "pass"},
          {"duration_s", 60},
          {"faults", {{{"kind", "error_storm"}, {"target", "api"}, {"from_s", 20}, {"to_s", 30}}}},
          {"retry_amplification", {{"timeline_window_s", 10}, {"timeline", timeline}}},
          {"budget", {{"denied", 300}}},
          {"latency_ms", {{"p50", 21.5}, {"p99", 95.0}}},
          {"breaker", {{"transitions", 0}, {"events", nlohmann::json::array()}}}};
}

}  // namespace

TEST_CASE("HTML over time: budget denials and p50/p99 latency are charted when the timeline has them") {
  const std::string html = squall::reports::render_html(timeline_report(true));
  INFO(html);
  CHECK(count(html, "<svg ") == 5);  // load, breaker, denials, goodput, latency
  CHECK(count(html, "<polyline class=\"series denied\"") == 1);
  CHECK(count(html, "<polyline class=\"series p50\"") == 1);
  CHECK(count(html, "<polyline class=\"series p99\"") == 2);  // broken by the null window
  CHECK_THAT(html, Catch::Contains(">denials per second</text>"));
  CHECK_THAT(html, Catch::Contains(">latency (ms)</text>"));
  // 300 denials in a 10 s window are 30 per second: the denials axis tops at 30.
  CHECK_THAT(html, Catch::Contains("text-anchor=\"end\">30</text>"));
  CHECK(count(html, "<rect class=\"fault\"") == 4);  // the fault window on each line chart
  CHECK(count(html, "<text class=\"fault-label\"") == 4);
  CHECK_THAT(html, Catch::Contains("error_storm on api 20–30 s"));
  CHECK(html.find("not in this report.json") == std::string::npos);
}

TEST_CASE("HTML over time: without those timeline fields the page says what is missing and shows the totals") {
  const std::string html = squall::reports::render_html(timeline_report(false));
  INFO(html);
  CHECK(count(html, "<svg ") == 3);  // load, breaker, goodput
  CHECK_THAT(html, Catch::Contains("Budget denials over time: not in this report.json"));
  CHECK_THAT(html, Catch::Contains("total denials 300"));
  CHECK_THAT(html, Catch::Contains("Latency p50/p99 over time: not in this report.json"));
  CHECK_THAT(html, Catch::Contains("p50 21.5 ms, p99 95 ms"));
}
