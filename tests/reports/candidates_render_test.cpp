// Shadow candidates in Markdown and HTML: a row per candidate in scenario order beside the enforced policy,
// the note, and each candidate breaker's state as a band; nothing at all without candidates.
#include <catch2/catch.hpp>

#include "reports/render.hpp"
#include "reports/render_candidates.hpp"

using nlohmann::json;
using squall::reports::detail::candidates_html;
using squall::reports::detail::candidates_markdown;

namespace {

json breaker_json(int transitions, double time_open_s, json events) {
  return {{"would_reject", 40},   {"transitions", transitions}, {"flaps", 1},
          {"flaps_per_hour", 4.0}, {"time_open_s", time_open_s}, {"by_kind", json::object()},
          {"events", std::move(events)}, {"events_truncated", false}};
}

json sample_report() {
  json r;
  r["scenario"] = "shadow";
  r["verdict"] = "pass";
  r["duration_s"] = 100.0;
  r["faults"] = json::array({{{"kind", "outage"}, {"target", "api"}, {"from_s", 10.0}, {"to_s", 20.0}}});
  r["breaker"] = {{"rejected", 40}, {"transitions", 2}, {"flaps_per_hour", 4.0}, {"time_open_s", 5.0},
                  {"events", json::array({{{"t_s", 10.0}, {"from", "closed"}, {"to", "open"}},
                                          {{"t_s", 15.0}, {"from", "open"}, {"to", "half_open"}}})},
                  {"shadow", {{"would_reject", 0}, {"transitions", 0}}}};
  r["budget"] = {{"denied", 3}, {"shadow_would_deny", 0}};
  json c;
  c["note"] = "Shadow candidates see only the outcomes of calls the enforced policy let through.";
  // "zeta" comes first in the scenario: rendered first although report.json sorts it last.
  c["zeta"] = {{"index", 1},
               {"breaker", breaker_json(2, 5.0, json::array({{{"t_s", 10.0}, {"from", "closed"}, {"to", "open"}}}))},
               {"budget", {{"would_deny", 3}}},
               {"agreement", {{"breaker", 1.0}, {"breaker_decisions", 1200}, {"budget", 1.0}, {"budget_decisions", 30}}}};
  c["alpha"] = {{"index", 2},
                {"breaker", nullptr},
                {"budget", {{"would_deny", 9}}},
                {"agreement", {{"breaker", nullptr}, {"breaker_decisions", nullptr}, {"budget", 0.8}, {"budget_decisions", 30}}}};
  r["candidates"] = c;
  return r;
}

}  // namespace

TEST_CASE("candidates markdown: one table, the enforced row first, candidates in scenario order, the note") {
  const std::string md = candidates_markdown(sample_report());
  CHECK_THAT(md, Catch::Contains("#### Shadow candidates"));
  CHECK_THAT(md, Catch::Contains("| policy | breaker rejects |"));
  CHECK_THAT(md, Catch::Contains("| enforced policy | 40 | 2 | 4 | 5 s | 3 | – | – |"));
  CHECK_THAT(md, Catch::Contains("| `zeta` | 40 | 2 | 4 | 5 s | 3 | 100 % of 1200 | 100 % of 30 |"));
  CHECK_THAT(md, Catch::Contains("| `alpha` | – | – | – | – | 9 | – | 80 % of 30 |"));
  CHECK(md.find("`zeta`") < md.find("`alpha`"));
  CHECK_THAT(md, Catch::Contains("see only the outcomes of calls the enforced policy let through"));
  CHECK_THAT(squall::reports::render_markdown(sample_report()), Catch::Contains("#### Shadow candidates"));
}

TEST_CASE("candidates html: the table, the note and a band per breaker") {
  const std::string html = candidates_html(sample_report());
  CHECK_THAT(html, Catch::Contains("<h2>Shadow candidates</h2>"));
  CHECK_THAT(html, Catch::Contains("<td><code>zeta</code></td>"));
  CHECK_THAT(html, Catch::Contains("100 % of 1200"));
  CHECK_THAT(html, Catch::Contains("<svg"));
  CHECK_THAT(html, Catch::Contains("\">enforced</text>"));
  CHECK_THAT(html, Catch::Contains("\">zeta</text>"));
  CHECK(html.find("\">alpha</text>") == std::string::npos);  // no breaker, no band
  CHECK_THAT(html, Catch::Contains("let through"));
  CHECK_THAT(squall::reports::render_html(sample_report()), Catch::Contains("<h2>Shadow candidates</h2>"));
}

TEST_CASE("candidates render: nothing without candidates, a line when the section is unknown") {
  json report = sample_report();
  report.erase("candidates");
  CHECK(candidates_markdown(report).empty());
  CHECK(candidates_html(report).empty());
  report["candidates"] = {{"unknown", "checker failed"}};
  CHECK_THAT(candidates_markdown(report), Catch::Contains("Unknown: checker failed"));
  CHECK_THAT(candidates_html(report), Catch::Contains("Unknown: checker failed"));
}
