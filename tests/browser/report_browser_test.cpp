// The HTML report in a real browser. The squall binary writes report.html for a scenario, headless Chromium loads
// it from disk and
//   - dumps the DOM it built (--dump-dom): the charts, the gate table and the duplicates section must be there, with
//     as many SVG elements as the file has (nothing dropped by the parser), and nothing that loads a resource;
//   - logs the page's console to stderr (--enable-logging=stderr): any console message from the page fails the test,
//     an uncaught exception anywhere too. The report has no scripts, so a console line can only mean something is
//     wrong; a canary page checks first that this Chromium still prints console messages where the test looks;
//   - saves a screenshot to ${CMAKE_BINARY_DIR}/artifacts, which CI uploads.
// Chromium missing is a failure that says how to install it, never a skip: CI installs it via scripts/install-deps.sh.
#include <sys/wait.h>

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include <cstdio>
#include <cstdlib>
#include <sstream>
#include <string>
#include <vector>

#include "tests/cli/cli_harness.hpp"

using namespace squall::test;
using nlohmann::json;

namespace {

const fs::path source_dir = SQUALL_SOURCE_DIR;
const fs::path artifacts_dir = SQUALL_ARTIFACTS_DIR;

using shell_result = cli_result;  // stdout only; stderr goes where the command redirects it
shell_result shell(const std::string& cmd) { return run_shell(cmd); }

std::string quoted(const std::string& s) {
  std::string out = "'";
  for (const char c : s) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

// $SQUALL_CHROMIUM, else `chromium` on the PATH; empty when there is none.
std::string chromium_path() {
  if (const char* env = std::getenv("SQUALL_CHROMIUM"); env && *env) return env;
  const shell_result r = shell("command -v chromium 2>/dev/null");
  std::string path = r.out.substr(0, r.out.find('\n'));
  return r.exit_code == 0 ? path : "";
}

std::size_t count(const std::string& haystack, const std::string& needle) {
  std::size_t n = 0;
  for (std::size_t pos = haystack.find(needle); pos != std::string::npos; pos = haystack.find(needle, pos + 1)) ++n;
  return n;
}

// One headless Chromium run on a local file, bounded by `timeout` (60 s, then SIGKILL 5 s later). Every run gets
// its own profile directory, so concurrent test processes never meet on Chromium's profile lock.
struct browser_run {
  int exit_code = -1;
  std::string stdout_text;
  std::string log;  // Chromium's stderr: its own log lines and the page's console
};

browser_run chromium(const cli_sandbox& box, const std::string& mode_flags, const fs::path& page) {
  static int runs = 0;
  const std::string exe = chromium_path();
  const fs::path log = box.path("chromium-" + std::to_string(++runs) + ".log");
  const std::string cmd = "timeout --kill-after=5 60 " + quoted(exe) +
                          " --headless=new --no-sandbox --disable-gpu --disable-dev-shm-usage --no-first-run"
                          " --no-default-browser-check --disable-extensions --hide-scrollbars"
                          " --user-data-dir=" + quoted(box.path("profile-" + std::to_string(runs)).string()) +
                          " --enable-logging=stderr --v=0 " + mode_flags + " " +
                          quoted("file://" + fs::absolute(page).string()) + " 2>" + quoted(log.string());
  const shell_result r = shell(cmd);
  return {r.exit_code, r.out, read_file(log)};
}

// The page's console as Chromium logs it: "[pid:tid:date:INFO:CONSOLE:12] "message", source: file:///… (12)"
// (older releases print "CONSOLE(12)"). Both contain ":CONSOLE". Uncaught exceptions come through the same channel
// as "Uncaught TypeError: …"; lines with "Uncaught" are collected wherever they appear.
std::vector<std::string> console_lines(const std::string& log) {
  std::vector<std::string> lines;
  std::istringstream in(log);
  for (std::string line; std::getline(in, line);) {
    if (line.find(":CONSOLE") != std::string::npos || line.find("Uncaught") != std::string::npos) {
      lines.push_back(line);
    }
  }
  return lines;
}

std::string joined(const std::vector<std::string>& lines) {
  std::string out;
  for (const std::string& l : lines) out += l + "\n";
  return out;
}

void require_chromium() {
  if (chromium_path().empty()) {
    FAIL("chromium is not installed: run scripts/install-deps.sh (it installs Debian's chromium package; CI runs it "
         "too), or point $SQUALL_CHROMIUM at a Chromium binary");
  }
}

// Runs squall on a scenario from the repository's suite and returns the path of its report.html.
fs::path run_scenario(const cli_sandbox& box, const std::string& scenario, const std::string& extra_args) {
  const std::string path = (source_dir / "scenarios" / (scenario + ".json")).string();
  const auto r = box.run("run " + quoted(path) + " --out out --quiet " + extra_args);
  INFO(r.out);
  REQUIRE((r.exit_code == 0 || r.exit_code == 1));  // 1: a gate failed, still a complete report
  const fs::path html = box.path("out/" + scenario + "/report.html");
  REQUIRE(fs::exists(html));
  return html;
}

// The DOM Chromium built, with no console output from the page.
std::string rendered_dom(const cli_sandbox& box, const fs::path& html) {
  const browser_run run = chromium(box, "--dump-dom", html);
  INFO(run.log);
  REQUIRE(run.exit_code == 0);  // 124/137: timed out
  REQUIRE(run.stdout_text.find("<html") != std::string::npos);
  const std::vector<std::string> console = console_lines(run.log);
  INFO("console output from the page:\n" << joined(console));
  CHECK(console.empty());
  return run.stdout_text;
}

// A screenshot in the artifacts directory; a blank or failed capture is a few hundred bytes.
void screenshot(const cli_sandbox& box, const fs::path& html, const std::string& name) {
  fs::create_directories(artifacts_dir);
  const fs::path png = artifacts_dir / (name + ".png");
  std::error_code ec;
  fs::remove(png, ec);
  const browser_run run = chromium(box, "--screenshot=" + quoted(png.string()) + " --window-size=1280,2400", html);
  INFO(run.log);
  REQUIRE(run.exit_code == 0);
  REQUIRE(fs::exists(png));
  CHECK(fs::file_size(png) > 10 * 1024);
  CHECK(read_file(png).rfind("\x89PNG\r\n\x1a\n", 0) == 0);
  fs::copy_file(html, artifacts_dir / (name + ".html"), fs::copy_options::overwrite_existing);
}

// Nothing in the page may fetch anything: no scripts, stylesheets, images, frames or URLs at all.
void check_self_contained(const std::string& dom) {
  CHECK(dom.find("<script") == std::string::npos);
  CHECK(dom.find("<link") == std::string::npos);
  CHECK(dom.find("<img") == std::string::npos);
  CHECK(dom.find("<iframe") == std::string::npos);
  CHECK(dom.find("src=") == std::string::npos);
  CHECK(dom.find("url(") == std::string::npos);
  CHECK(dom.find("http:") == std::string::npos);
  CHECK(dom.find("https:") == std::string::npos);
}

}  // namespace

TEST_CASE("the console check sees console errors and uncaught exceptions in this Chromium") {
  require_chromium();
  cli_sandbox box;
  write_file(box.path("canary.html"),
             "<!DOCTYPE html><html><head><title>canary</title></head><body><p>canary</p>\n"
             "<script>console.error('canary console error');</script>\n"
             "<script>undefinedCanaryFunction();</script>\n</body></html>\n");
  const browser_run run = chromium(box, "--dump-dom", box.path("canary.html"));
  INFO(run.log);
  REQUIRE(run.exit_code == 0);
  const std::string console = joined(console_lines(run.log));
  CHECK_THAT(console, Catch::Contains("canary console error"));
  CHECK_THAT(console, Catch::Contains("Uncaught ReferenceError"));
  CHECK_THAT(console, Catch::Contains("canary.html"));
}

TEST_CASE("storm-hour report renders its charts and gate table with no console output") {
  require_chromium();
  cli_sandbox box;
  const fs::path html = run_scenario(box, "storm-hour", "--set duration_s=300");
  const std::string source = read_file(html);
  const json report = json::parse(read_file(box.path("out/storm-hour/report.json")));
  const std::string dom = rendered_dom(box, html);
  INFO(dom);

  CHECK_THAT(dom, Catch::Contains("<title>squall: storm-hour"));
  check_self_contained(dom);
  // Every chart and every drawn element made it into the DOM.
  CHECK(count(dom, "<svg ") >= 3);  // load, breaker band, goodput (more when the timeline has more)
  for (const char* element : {"<svg ", "<polyline ", "<rect ", "<line ", "<text "}) {
    INFO(element);
    CHECK(count(dom, element) == count(source, element));
  }
  CHECK(count(dom, "<polyline class=\"series originals\"") >= 1);
  CHECK(count(dom, "<polyline class=\"series attempts\"") >= 1);
  CHECK(count(dom, "<polyline class=\"series goodput\"") >= 1);
  // storm-hour has two fault windows, shaded on every line chart and outlined on the breaker band.
  REQUIRE(report["faults"].size() == 2);
  CHECK(count(dom, "<rect class=\"fault\"") >= 4);
  CHECK(count(dom, "<rect class=\"fault-outline\"") == 2);
  CHECK(count(dom, "<rect class=\"open\"") >= 1);
  CHECK(count(dom, "<rect class=\"closed\"") >= 1);
  CHECK_THAT(dom, Catch::Contains(">time (s)</text>"));
  CHECK_THAT(dom, Catch::Contains(">requests per second</text>"));
  CHECK_THAT(dom, Catch::Contains(">goodput (ratio)</text>"));
  // The gate table: one row per gate, marked passed or failed like report.json says.
  CHECK_THAT(dom, Catch::Contains("<h2>Gates</h2>"));
  CHECK_THAT(dom, Catch::Contains("<th>gate</th>"));
  std::size_t passed = 0;
  for (const auto& g : report["gates"]) passed += g["passed"].get<bool>() ? 1 : 0;
  CHECK(count(dom, "<tr class=\"passed\">") == passed);
  CHECK(count(dom, "<tr class=\"failed\">") == report["gates"].size() - passed);

  screenshot(box, html, "report-storm-hour");
}

TEST_CASE("jobs report renders the duplicates section and its chains with no console output") {
  require_chromium();
  cli_sandbox box;
  const fs::path html = run_scenario(box, "jobs-pause-no-fencing", "");
  const json report = json::parse(read_file(box.path("out/jobs-pause-no-fencing/report.json")));
  const std::string dom = rendered_dom(box, html);
  INFO(dom);

  check_self_contained(dom);
  CHECK_THAT(dom, Catch::Contains("<h2>Gates</h2>"));
  CHECK_THAT(dom, Catch::Contains("<h2>Duplicates</h2>"));
  CHECK_THAT(dom, Catch::Contains("effects applied / duplicated"));
  // Pauses without fencing duplicate effects: each shown key gets its explanation chain, effects highlighted.
  REQUIRE(report["duplicates"]["effects_duplicated"].get<double>() > 0);
  CHECK(count(dom, "<table class=\"chain\">") >= 1);
  CHECK(count(dom, "<table class=\"chain\">") == count(read_file(html), "<table class=\"chain\">"));
  CHECK(count(dom, "<tr class=\"effect\"") >= 2);
  // A jobs-only run has no HTTP timeline: no charts, no empty chart frames.
  CHECK(count(dom, "<svg") == 0);

  screenshot(box, html, "report-jobs-pause-no-fencing");
}
