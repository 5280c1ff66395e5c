// JUnit XML for CI test reporters: a scenario is a suite, a gate is a test case.
#include <fmt/format.h>

#include "reports/gates.hpp"
#include "reports/render.hpp"
#include "reports/render_text.hpp"

namespace squall::reports {

using detail::display;
using detail::escape_xml;

namespace {

struct suite_counts {
  int tests = 0;
  int failures = 0;
  int errors = 0;
  int skipped = 0;
};

std::string testcase(const std::string& classname, const std::string& name, const std::string& body) {
  if (body.empty()) return fmt::format("    <testcase classname=\"{}\" name=\"{}\"/>\n", classname, escape_xml(name));
  return fmt::format("    <testcase classname=\"{}\" name=\"{}\">\n      {}\n    </testcase>\n", classname,
                     escape_xml(name), body);
}

std::string render_suite(const nlohmann::json& report, suite_counts& total) {
  const std::string scenario = report.value("scenario", std::string("scenario"));
  const std::string classname = escape_xml("squall." + scenario);
  const bool expect_fail = report.value("expect", "pass") == "fail";
  suite_counts c;
  std::string cases;
  bool any_failed = false;

  const nlohmann::json& gates = detail::at_path(report, "gates");
  if (gates.is_array()) {
    for (const auto& g : gates) {
      const std::string expr = g.value("expr", std::string());
      const nlohmann::json value = g.value("value", nlohmann::json());
      std::string body;
      ++c.tests;
      if (gate_is_unknown(g)) {
        ++c.errors;
        const std::string why = g.value("error", std::string("no value"));
        body = fmt::format("<error message=\"unknown: {}\">{}</error>", escape_xml(why), escape_xml(expr));
      } else if (!g.value("passed", false)) {
        any_failed = true;
        const std::string message = "value=" + display(value);
        if (expect_fail) {
          ++c.skipped;
          body = fmt::format("<skipped message=\"expected to fail: {}\"/>", escape_xml(message));
        } else {
          ++c.failures;
          body = fmt::format("<failure message=\"{}\">{} with {}</failure>", escape_xml(message), escape_xml(expr),
                             escape_xml(message));
        }
      }
      cases += testcase(classname, expr, body);
    }
  }
  if (expect_fail) {
    ++c.tests;
    std::string body;
    if (!any_failed) {
      ++c.failures;
      body =
          "<failure message=\"no gate failed\">this scenario demonstrates a failure, but every gate passed or was "
          "unknown</failure>";
    }
    cases += testcase(classname, "expected failure", body);
  }
  const nlohmann::json& errors = detail::at_path(report, "checker_errors");
  if (errors.is_array() && !errors.empty()) {
    ++c.tests;
    ++c.errors;
    std::string reasons;
    for (const auto& e : errors) {
      reasons += e.value("section", std::string("?")) + ": " + e.value("reason", std::string("?")) + "\n";
    }
    cases += testcase(classname, "checkers",
                      fmt::format("<error message=\"a checker returned unknown\">{}</error>", escape_xml(reasons)));
  }

  total.tests += c.tests;
  total.failures += c.failures;
  total.errors += c.errors;
  total.skipped += c.skipped;
  std::string out = fmt::format(
      "  <testsuite name=\"{}\" tests=\"{}\" failures=\"{}\" errors=\"{}\" skipped=\"{}\">\n    <properties>\n",
      escape_xml(scenario), c.tests, c.failures, c.errors, c.skipped);
  out += fmt::format("      <property name=\"seed\" value=\"{}\"/>\n", display(report.value("seed", nlohmann::json())));
  out += fmt::format("      <property name=\"verdict\" value=\"{}\"/>\n",
                     escape_xml(report.value("verdict", std::string("unknown"))));
  out += fmt::format("      <property name=\"repro\" value=\"{}\"/>\n",
                     escape_xml(report.value("repro", std::string())));
  out += "    </properties>\n" + cases + "  </testsuite>\n";
  return out;
}

}  // namespace

std::string render_junit(const std::vector<nlohmann::json>& reports) {
  suite_counts total;
  std::string suites;
  for (const auto& r : reports) suites += render_suite(r, total);
  return fmt::format(
             "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites name=\"squall\" tests=\"{}\" failures=\"{}\" "
             "errors=\"{}\" skipped=\"{}\">\n",
             total.tests, total.failures, total.errors, total.skipped) +
         suites + "</testsuites>\n";
}

}  // namespace squall::reports
