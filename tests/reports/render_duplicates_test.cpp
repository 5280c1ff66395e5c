// The duplicates section in the Markdown and HTML reports: headline numbers, example chains, and nothing at all
// for reports without a duplicates object.
#include <catch2/catch.hpp>

#include <cstdint>
#include <limits>
#include <string>

#include "event_stream.hpp"
#include "reports/render.hpp"
#include "reports/render_duplicates.hpp"

using namespace squall::reports::test;
using history_event = squall::history::event;
using squall::history::dlq_cause;
using squall::history::effect_outcome;
using squall::reports::render_html;
using squall::reports::render_markdown;
using squall::reports::detail::seconds_3;
using json = nlohmann::json;

namespace {

std::size_t count(const std::string& haystack, const std::string& needle) {
  std::size_t n = 0;
  for (std::size_t pos = haystack.find(needle); pos != std::string::npos; pos = haystack.find(needle, pos + 1)) ++n;
  return n;
}

struct ledger_stream : event_stream {
  history_event& keyed(event_type type, std::int64_t t, std::int32_t proc, std::uint64_t key) {
    history_event& e = add(type, t);
    e.proc = proc;
    e.key = key;
    return e;
  }
  void delivery(std::int64_t t, std::int32_t proc, std::uint64_t msg, std::uint64_t key, std::uint16_t n) {
    history_event& e = keyed(event_type::delivery, t, proc, key);
    e.req = msg;
    e.attempt = n;
  }
  void acquire(std::int64_t t, std::int32_t proc, std::uint64_t key, std::uint64_t token, std::int64_t ttl_ns) {
    history_event& e = keyed(event_type::lock_acquired, t, proc, key);
    e.token = token;
    e.value_ns = ttl_ns;
  }
  void effect(std::int64_t t, std::int32_t proc, std::uint64_t key, std::uint64_t token,
              effect_outcome outcome = effect_outcome::applied) {
    history_event& e = keyed(event_type::effect, t, proc, key);
    e.token = token;
    e.outcome = outcome;
  }
};

// Key 7 is applied twice across a store restart and a clock jump (the chain to explain); keys 8..11 are
// applied twice by two workers; plus a fencing rejection, a permanent DLQ and an idempotency skip.
json ledger_report() {
  ledger_stream st;
  st.delivery(1 * s, 0, 41, 7, 1);
  st.acquire(1 * s + 1 * ms, 0, 7, 1, 10 * s);
  st.effect(2 * s, 0, 7, 1);
  {
    history_event& e = st.add(event_type::store_restart, 3 * s);
    e.value_ns = 2 * s;
    e.data_lost = true;
  }
  {
    history_event& e = st.add(event_type::clock_jump, 3 * s + 500 * ms);
    e.proc = 2;
    e.value_ns = -5 * s;
  }
  st.delivery(4 * s, 1, 41, 7, 2);
  st.acquire(4 * s + 1 * ms, 1, 7, 2, 10 * s);
  st.effect(5 * s, 1, 7, 2);
  for (std::uint64_t k = 8; k <= 11; ++k) {
    const auto t = static_cast<std::int64_t>(k) * 2 * s;
    st.effect(t, 0, k, 0);
    st.effect(t + 1 * ms, 1, k, 0);
  }
  st.effect(30 * s, 3, 20, 1, effect_outcome::rejected_stale);
  st.keyed(event_type::dlq, 31 * s, 3, 30).cause = dlq_cause::permanent;
  st.keyed(event_type::idempotency_skip, 32 * s, 3, 40);
  return build(make_header(60 * s), st);
}

// Hand-made: more examples than either renderer shows, with examples_truncated.
json many_examples_report() {
  json examples = json::array();
  for (int k = 0; k < 25; ++k) {
    examples.push_back({{"key", k},
                        {"applications", 2},
                        {"first_applied_s", 1.0},
                        {"second_applied_s", 2.5},
                        {"chain", json::array({{{"t_ns", 2'500'000'000}, {"seq", 3}, {"type", "effect"},
                                                {"proc", "w1"}, {"token", 0}, {"outcome", "applied"}}})},
                        {"chain_truncated", k == 0}});
  }
  return {{"scenario", "many"},
          {"verdict", "pass"},
          {"duplicates",
           {{"effects_applied", 60}, {"effects_duplicated", 30}, {"keys_affected", 30}, {"examples", examples},
            {"examples_truncated", true}}}};
}

}  // namespace

TEST_CASE("render duplicates: seconds with 3 decimals from integer nanoseconds", "[render][duplicates]") {
  CHECK(seconds_3(0) == "0.000");
  CHECK(seconds_3(1'000'499) == "0.001");
  CHECK(seconds_3(1'500'000) == "0.002");  // half away from zero
  CHECK(seconds_3(3'500'000'000) == "3.500");
  CHECK(seconds_3(-5'000'000'000) == "-5.000");
  CHECK(seconds_3(-400'000) == "0.000");  // no negative zero
  CHECK(seconds_3(std::numeric_limits<std::int64_t>::min()) == "-9223372036.855");
}

TEST_CASE("render duplicates: Markdown shows the numbers and the first 3 example chains", "[render][duplicates]") {
  const json r = ledger_report();
  REQUIRE(r["duplicates"]["examples"].size() == 5);
  const std::string md = render_markdown(r);
  INFO(md);
  CHECK(count(md, "#### Duplicates\n") == 1);
  CHECK_THAT(md, Catch::Contains("| duplicates | value |\n|---|---|\n"
                                 "| effects applied / duplicated | 10 / 5 |\n"
                                 "| keys affected | 5 |\n"
                                 "| lock overlaps / overlap effects | 1 / 0 |\n"
                                 "| fencing rejections | 1 |\n"
                             "| fencing token regressions (store lost its counter) | 0 |\n"
                                 "| stale-lock stall | 0 s |\n"
                                 "| deliveries / redeliveries | 2 / 1 |\n"
                                 "| DLQ total (max deliveries / permanent) | 1 (0 / 1) |\n"
                                 "| idempotency skips | 1 |\n"));
  CHECK_THAT(md, Catch::Contains("\nEach chain lists the events that touched the key before its second application, "
                                 "with global markers like store restarts and pauses.\n\n**key 7**"));
  CHECK_THAT(md, Catch::Contains("**key 7**: applied 2 times, first at 2.000 s, second at 5.000 s\n\n"
                                 "- 1.000 s w0 `delivery` req=41 attempt=1\n"
                                 "- 1.001 s w0 `lock_acquired` token=1 ttl=10.000s\n"
                                 "- 2.000 s w0 `effect` token=1 outcome=applied\n"
                                 "- 3.000 s `store_restart` downtime=2.000s data_lost=true\n"
                                 "- 3.500 s w2 `clock_jump` jump=-5.000s\n"
                                 "- 4.000 s w1 `delivery` req=41 attempt=2\n"
                                 "- 4.001 s w1 `lock_acquired` token=2 ttl=10.000s\n"
                                 "- 5.000 s w1 `effect` token=2 outcome=applied\n"));
  CHECK_THAT(md, Catch::Contains("**key 8**: applied 2 times, first at 16.000 s, second at 16.001 s\n"));
  CHECK_THAT(md, Catch::Contains("**key 9**"));
  CHECK(md.find("**key 10**") == std::string::npos);
  CHECK(md.find("**key 11**") == std::string::npos);
  CHECK_THAT(md, Catch::Contains("(2 more in report.json)\n"));
  // The duplicates come after the gates and before the repro line, which stays last.
  CHECK(md.find("#### Duplicates") > md.find("No gates."));
  CHECK_THAT(md, Catch::EndsWith("\nRepro: `squall run unit.json --seed 7`\n"));
  CHECK(render_markdown(r) == md);  // deterministic
}

TEST_CASE("render duplicates: HTML shows the numbers and every example chain as a table", "[render][duplicates]") {
  const json r = ledger_report();
  const std::string html = render_html(r);
  INFO(html);
  CHECK(count(html, "<h2>Duplicates</h2>") == 1);
  CHECK_THAT(html, Catch::Contains("<tr><td>effects applied / duplicated</td><td class=\"num\">10 / 5</td></tr>"));
  CHECK_THAT(html, Catch::Contains("<tr><td>stale-lock stall</td><td class=\"num\">0 s</td></tr>"));
  CHECK_THAT(html, Catch::Contains("<tr><td>DLQ total (max deliveries / permanent)</td><td class=\"num\">1 (0 / 1)"
                                   "</td></tr>"));
  CHECK_THAT(html, Catch::Contains("<p>Each chain lists the events that touched the key before its second "
                                   "application, with global markers like store restarts and pauses"));
  CHECK(count(html, "<table class=\"chain\">") == 5);
  CHECK(count(html, "<table") == count(html, "</table>"));
  CHECK_THAT(html, Catch::Contains("<h3>key 7: applied 2 times, first at 2.000 s, second at 5.000 s</h3>"));
  CHECK_THAT(html, Catch::Contains("<h3>key 11: applied 2 times, first at 22.000 s, second at 22.001 s</h3>"));
  CHECK_THAT(html, Catch::Contains("<tr><td class=\"num\">1.000 s</td><td>w0</td><td><code>delivery</code></td>"
                                   "<td>req=41 attempt=1</td></tr>"));
  CHECK_THAT(html, Catch::Contains("<tr class=\"marker\"><td class=\"num\">3.000 s</td><td></td>"
                                   "<td><code>store_restart</code></td><td>downtime=2.000s data_lost=true</td></tr>"));
  CHECK_THAT(html, Catch::Contains("<tr class=\"effect\"><td class=\"num\">5.000 s</td><td>w1</td>"
                                   "<td><code>effect</code></td><td>token=2 outcome=applied</td></tr>"));
  CHECK(html.find("more in report.json") == std::string::npos);
  CHECK(html.find("http") == std::string::npos);
  CHECK(html.find("<script") == std::string::npos);
  CHECK_THAT(html, Catch::EndsWith("</section>\n</body>\n</html>\n"));
  CHECK(render_html(r) == html);  // deterministic
}

TEST_CASE("render duplicates: at most 3 chains in Markdown and 20 in HTML, with what report.json leaves out",
          "[render][duplicates]") {
  const json r = many_examples_report();
  const std::string md = render_markdown(r);
  INFO(md);
  CHECK(count(md, "\n**key ") == 3);
  CHECK_THAT(md, Catch::Contains("**key 0**: applied 2 times, first at 1.000 s, second at 2.500 s (older events "
                                 "dropped)\n"));
  CHECK_THAT(md, Catch::Contains("(22 more in report.json; 30 keys were duplicated, report.json lists the 25 "
                                 "smallest)\n"));
  CHECK_THAT(md, Catch::Contains("| stale-lock stall | – |"));  // missing fields show as a dash

  const std::string html = render_html(r);
  CHECK(count(html, "<table class=\"chain\">") == 20);
  CHECK_THAT(html, Catch::Contains("<h3>key 19: "));
  CHECK(html.find("<h3>key 20: ") == std::string::npos);
  CHECK(count(html, "Older events or markers of this chain were dropped.") == 1);
  CHECK_THAT(html, Catch::Contains("<p class=\"note\">(5 more in report.json; 30 keys were duplicated, report.json "
                                   "lists the 25 smallest)</p>"));
}

TEST_CASE("render duplicates: a report without a duplicates object has no Duplicates heading",
          "[render][duplicates]") {
  event_stream st;
  st.request(1 * s, 1, 2, true);
  st.request(2 * s, 2, 1, false);
  const json r = build(make_header(10 * s), st);
  REQUIRE_FALSE(r.contains("duplicates"));
  const std::string md = render_markdown(r);
  const std::string html = render_html(r);
  CHECK(md.find("Duplicates") == std::string::npos);
  CHECK(md.find("duplicates") == std::string::npos);
  CHECK(html.find("Duplicates") == std::string::npos);
  CHECK(html.find("class=\"chain\"") == std::string::npos);
}

TEST_CASE("render duplicates: numbers without examples, and an unknown section", "[render][duplicates]") {
  ledger_stream st;
  st.delivery(1 * s, 0, 1, 1, 1);
  st.effect(2 * s, 0, 1, 0);
  const json clean = build(make_header(10 * s), st);
  const std::string md = render_markdown(clean);
  CHECK_THAT(md, Catch::Contains("| effects applied / duplicated | 1 / 0 |"));
  CHECK(md.find("Each chain") == std::string::npos);
  CHECK(render_html(clean).find("<table class=\"chain\">") == std::string::npos);

  const json unknown = {{"scenario", "x"},
                        {"verdict", "unknown"},
                        {"duplicates", {{"unknown", "duplicates: more than 262144 distinct keys <&>"}}}};
  CHECK_THAT(render_markdown(unknown),
             Catch::Contains("#### Duplicates\n\nunknown: duplicates: more than 262144 distinct keys &lt;&amp;&gt;\n"));
  CHECK_THAT(render_html(unknown), Catch::Contains("<h2>Duplicates</h2>\n<p>unknown: duplicates: more than 262144 "
                                                   "distinct keys &lt;&amp;&gt;</p>\n</section>\n"));
}
