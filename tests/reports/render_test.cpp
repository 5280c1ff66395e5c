// Renderers: JUnit well-formedness and expect-fail handling, HTML content and self-containment, Markdown.
#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "event_stream.hpp"
#include "reports/render.hpp"

using namespace squall::reports::test;
using nlohmann::json;
using squall::reports::render_html;
using squall::reports::render_json;
using squall::reports::render_junit;
using squall::reports::render_markdown;
using squall::reports::render_suite_markdown;

namespace {

std::size_t count(const std::string& haystack, const std::string& needle) {
  std::size_t n = 0;
  for (std::size_t pos = haystack.find(needle); pos != std::string::npos; pos = haystack.find(needle, pos + 1)) ++n;
  return n;
}

// A small XML well-formedness check: balanced tags, quoted attributes, no raw '<' or stray '&' in text or
// attribute values. Returns "" when well-formed, else what is wrong.
std::string xml_problem(const std::string& xml) {
  std::vector<std::string> open;
  std::size_t i = 0;
  const auto entity_ok = [&](std::size_t at) {
    for (const char* e : {"&amp;", "&lt;", "&gt;", "&quot;", "&apos;"}) {
      if (xml.compare(at, std::char_traits<char>::length(e), e) == 0) return true;
    }
    return false;
  };
  if (xml.rfind("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n", 0) != 0) return "missing XML declaration";
  i = xml.find('\n') + 1;
  while (i < xml.size()) {
    if (xml[i] == '&' && !entity_ok(i)) return "stray & at " + std::to_string(i);
    if (xml[i] == '>') return "stray > at " + std::to_string(i);
    if (xml[i] != '<') {
      ++i;
      continue;
    }
    const bool closing = xml[i + 1] == '/';
    std::size_t j = i + (closing ? 2 : 1);
    const std::size_t name_start = j;
    while (j < xml.size() && (std::isalnum(static_cast<unsigned char>(xml[j])) || xml[j] == '_')) ++j;
    const std::string name = xml.substr(name_start, j - name_start);
    if (name.empty()) return "empty tag name at " + std::to_string(i);
    // attributes
    while (j < xml.size() && xml[j] != '>' && !(xml[j] == '/' && xml[j + 1] == '>')) {
      if (xml[j] == ' ') {
        ++j;
        continue;
      }
      while (j < xml.size() && std::isalnum(static_cast<unsigned char>(xml[j]))) ++j;
      if (xml[j] != '=' || xml[j + 1] != '"') return "unquoted attribute in <" + name + ">";
      j += 2;
      while (j < xml.size() && xml[j] != '"') {
        if (xml[j] == '<') return "raw < in an attribute of <" + name + ">";
        if (xml[j] == '&' && !entity_ok(j)) return "stray & in an attribute of <" + name + ">";
        ++j;
      }
      ++j;
    }
    if (j >= xml.size()) return "unterminated tag <" + name;
    const bool self_closing = xml[j] == '/';
    if (closing) {
      if (open.empty() || open.back() != name) return "mismatched </" + name + ">";
      open.pop_back();
    } else if (!self_closing) {
      open.push_back(name);
    }
    i = j + (self_closing ? 2 : 1);
  }
  return open.empty() ? "" : "unclosed <" + open.back() + ">";
}

json sample_report(std::vector<std::string> gates, const std::string& expect = "pass") {
  event_stream st;
  std::uint64_t req = 0;
  for (int w = 0; w < 12; ++w) {
    for (int i = 0; i < 10; ++i) st.request(w * 10 * s + i * 100 * ms, ++req, 1 + (w == 3 ? 2 : 0), w != 4 || i < 3);
    if (w == 3) st.transition(w * 10 * s + 999 * ms, breaker_state::closed, breaker_state::open);
    if (w == 5) st.transition(w * 10 * s + 999 * ms, breaker_state::open, breaker_state::half_open);
    if (w == 6) st.transition(w * 10 * s + 999 * ms, breaker_state::half_open, breaker_state::closed);
  }
  auto h = make_header(120 * s, std::move(gates));
  h.scenario = "demo <&> \"quoted\"";
  h.description = "a <script>alert(1)</script> & more";
  h.expect = expect;
  h.faults = {{"error_storm", "api", 30 * s, 50 * s}};
  return build(h, st);
}

}  // namespace

TEST_CASE("xml_problem itself catches broken XML") {
  const std::string decl = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n";
  CHECK(xml_problem(decl + "<a><b/></a>") == "");
  CHECK(xml_problem(decl + "<a><b></a>") != "");
  CHECK(xml_problem(decl + "<a x=\"1 < 2\"/>") != "");
  CHECK(xml_problem(decl + "<a>x & y</a>") != "");
}

TEST_CASE("render_json is dump(2) with a newline") {
  const json r = sample_report({});
  CHECK(render_json(r) == r.dump(2) + "\n");
}

TEST_CASE("JUnit: one suite per scenario, one case per gate, escaped and well-formed") {
  const json first = sample_report({"requests.originals == 120", "latency_ms.p99 < 1", "no.such.metric < 1"});
  const std::string xml = render_junit({first, sample_report({"goodput.ratio > 0.5"})});
  INFO(xml);
  CHECK(xml_problem(xml) == "");
  CHECK(count(xml, "<testsuite ") == 2);
  CHECK(count(xml, "<testcase ") == 4);
  CHECK_THAT(xml, Catch::Contains("<testsuites name=\"squall\" tests=\"4\" failures=\"1\" errors=\"1\" skipped=\"0\">"));
  CHECK_THAT(xml, Catch::Contains("<testsuite name=\"demo &lt;&amp;&gt; &quot;quoted&quot;\" tests=\"3\" failures=\"1\" "
                                  "errors=\"1\" skipped=\"0\">"));
  CHECK_THAT(xml, Catch::Contains("name=\"latency_ms.p99 &lt; 1\">\n      <failure message=\"value=10\">"));
  CHECK_THAT(xml, Catch::Contains("name=\"no.such.metric &lt; 1\">\n      <error message=\"unknown: "));
  CHECK_THAT(xml, Catch::Contains("<testcase classname=\"squall.demo &lt;&amp;&gt; &quot;quoted&quot;\" "
                                  "name=\"requests.originals == 120\"/>"));
  CHECK_THAT(xml, Catch::Contains("<property name=\"repro\" value=\"squall run unit.json --seed 7\"/>"));
}

TEST_CASE("JUnit: a scenario expected to fail skips its failed gates and checks that one failed") {
  SECTION("some gate failed: the expected failure passes") {
    const std::string xml = render_junit({sample_report({"latency_ms.p99 < 1", "goodput.ratio > 0.5"}, "fail")});
    INFO(xml);
    CHECK(xml_problem(xml) == "");
    CHECK_THAT(xml, Catch::Contains("<skipped message=\"expected to fail: value=10\"/>"));
    CHECK_THAT(xml, Catch::Contains("name=\"expected failure\"/>"));
    CHECK(count(xml, "<failure") == 0);
    CHECK_THAT(xml, Catch::Contains("tests=\"3\" failures=\"0\" errors=\"0\" skipped=\"1\""));
  }
  SECTION("no gate failed: the expected failure fails") {
    const std::string xml = render_junit({sample_report({"goodput.ratio > 0.5"}, "fail")});
    INFO(xml);
    CHECK(xml_problem(xml) == "");
    CHECK(count(xml, "<skipped") == 0);
    CHECK_THAT(xml, Catch::Contains("name=\"expected failure\">\n      <failure message=\"no gate failed\">"));
    CHECK_THAT(xml, Catch::Contains("tests=\"2\" failures=\"1\" errors=\"0\" skipped=\"0\""));
  }
  SECTION("an unknown gate stays an error even when failure is expected") {
    const std::string xml = render_junit({sample_report({"nope < 1"}, "fail")});
    CHECK(count(xml, "<error ") == 1);
    CHECK_THAT(xml, Catch::Contains("name=\"expected failure\">\n      <failure"));
  }
}

TEST_CASE("JUnit: checker errors become an error testcase") {
  event_stream st;
  st.add(event_type::breaker, 1 * s).dep = 9;
  const std::string xml = render_junit({build(make_header(10 * s), st)});
  CHECK(xml_problem(xml) == "");
  CHECK_THAT(xml, Catch::Contains("name=\"checkers\">\n      <error message=\"a checker returned unknown\">breaker: "));
}

TEST_CASE("HTML: self-contained page with escaped text, charts, fault windows and breaker band") {
  const json r = sample_report({"latency_ms.p99 < 1", "goodput.ratio > 0.5"});
  const std::string html = render_html(r);
  CHECK(html.rfind("<!DOCTYPE html>", 0) == 0);
  CHECK_THAT(html, Catch::EndsWith("</html>\n"));
  CHECK(html.find("http") == std::string::npos);  // no external resources, not even an xmlns URL
  CHECK(html.find("<script") == std::string::npos);
  CHECK(html.find("src=") == std::string::npos);
  CHECK_THAT(html, Catch::Contains("a &lt;script&gt;alert(1)&lt;/script&gt; &amp; more"));
  CHECK_THAT(html, Catch::Contains("<h1>demo &lt;&amp;&gt; &quot;quoted&quot;</h1>"));
  CHECK(count(html, "<svg ") == 5);  // load, breaker state, budget denials, goodput, latency over time
  CHECK(count(html, "</svg>") == 5);
  CHECK(count(html, "<polyline class=\"series originals\"") == 1);
  CHECK(count(html, "<polyline class=\"series attempts\"") == 1);
  CHECK(count(html, "<polyline class=\"series goodput\"") == 1);
  CHECK(count(html, "<rect class=\"fault\"") == 4);          // one fault window on each line chart
  CHECK(count(html, "<rect class=\"fault-outline\"") == 1);  // and outlined on the band
  CHECK(count(html, "<rect class=\"open\"") == 1);
  CHECK(count(html, "<rect class=\"half_open\"") == 1);
  CHECK(count(html, "<rect class=\"closed\"") == 2);
  CHECK_THAT(html, Catch::Contains(">time (s)</text>"));
  CHECK_THAT(html, Catch::Contains(">requests per second</text>"));
  CHECK_THAT(html, Catch::Contains(">goodput (ratio)</text>"));
  CHECK_THAT(html, Catch::Contains("<td>❌</td><td><code>latency_ms.p99 &lt; 1</code></td>"));
  CHECK_THAT(html, Catch::Contains("<td>✅</td><td><code>goodput.ratio &gt; 0.5</code></td>"));
  CHECK(render_html(r) == html);  // deterministic
}

TEST_CASE("HTML: a report with unknown sections still renders") {
  const json r = json::parse(R"({"scenario":"x","verdict":"unknown","retry_amplification":{"unknown":"boom"},
                                 "breaker":{"unknown":"boom"},"checker_errors":[{"section":"breaker","reason":"boom"}]})");
  const std::string html = render_html(r);
  CHECK_THAT(html, Catch::Contains("No timeline"));
  CHECK_THAT(html, Catch::Contains("<code>breaker</code>: boom"));
  CHECK(html.find("<svg") == std::string::npos);
}

TEST_CASE("Markdown: one report and a suite") {
  const json r = sample_report({"latency_ms.p99 < 1", "goodput.ratio > 0.5", "x.y < 1"});
  const std::string md = render_markdown(r);
  INFO(md);
  CHECK(md.rfind("### ❔ unknown demo &lt;&amp;&gt; \"quoted\"\n", 0) == 0);
  CHECK_THAT(md, Catch::Contains("> a &lt;script&gt;alert(1)&lt;/script&gt; &amp; more\n"));
  CHECK_THAT(md, Catch::Contains("| ❌ | `latency_ms.p99 < 1` | 10 |"));
  CHECK_THAT(md, Catch::Contains("| ✅ | `goodput.ratio > 0.5` | 0.9417 |"));
  CHECK_THAT(md, Catch::Contains("| ❔ | `x.y < 1` | unknown: "));
  CHECK_THAT(md, Catch::Contains("| originals / attempts | 120 / 140 |"));
  CHECK_THAT(md, Catch::Contains("Repro: `squall run unit.json --seed 7`"));

  const json expected_fail = sample_report({"latency_ms.p99 < 1"}, "fail");
  const json unexpected_pass = sample_report({"goodput.ratio > 0.5"}, "fail");
  const std::string suite = render_suite_markdown({sample_report({"goodput.ratio > 0.5"}), expected_fail, unexpected_pass});
  INFO(suite);
  CHECK(count(suite, "\n| demo") == 3);
  CHECK_THAT(suite, Catch::Contains("| demo &lt;&amp;&gt; \"quoted\" | ✅ pass | 0.9417 | 1.167 | 0 | 10 | 0 s |"));
  CHECK_THAT(suite, Catch::Contains("| ✅ expected fail |"));
  CHECK_THAT(suite, Catch::Contains("| ❌ unexpected pass |"));
}
