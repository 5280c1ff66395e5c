// Shadow candidates end to end on a real scenario (scenarios/shadow-candidates.json), through the squall binary:
// adding candidates leaves the enforced policy's report and history unchanged, a control candidate agrees with
// the enforced policy on every decision, and `squall check` rebuilds the same report from the history.
#include <sstream>

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "tests/cli/cli_harness.hpp"

using namespace squall::test;
using nlohmann::json;

namespace {

json example() {
  return json::parse(read_file(fs::path(SQUALL_SOURCE_DIR) / "scenarios" / "shadow-candidates.json"));
}

// The example at a third of its length and rate, faults included, so that its histories stay small (~20 MB).
json small_example() {
  json s = example();
  s["duration_s"] = 300;
  s["workload"]["arrivals"]["rate_per_s"] = 100;
  s["faults"][0]["from_s"] = 30;
  s["faults"][0]["to_s"] = 150;
  s["faults"][1]["from_s"] = 200;
  s["faults"][1]["to_s"] = 230;
  return s;
}

// The history's lines without their `seq` (candidates' events take sequence numbers too) and without the
// candidates' own lines; the header is left out.
std::vector<json> enforced_lines(const std::string& history) {
  std::vector<json> out;
  std::istringstream in(history);
  std::string line;
  std::getline(in, line);  // header
  while (std::getline(in, line)) {
    json e = json::parse(line);
    if (e.contains("candidate")) continue;
    e.erase("seq");
    out.push_back(std::move(e));
  }
  return out;
}

}  // namespace

TEST_CASE("shadow candidates leave the enforced report byte-identical but for the candidates section") {
  // Same gates on both sides (the example's gates read the candidates), same file name (it is in the repro).
  json with = small_example();
  with["gates"] = {"breaker.flaps_per_hour >= 0", "goodput.ratio > 0"};
  json without = with;
  without.erase("candidates");
  cli_sandbox a;
  cli_sandbox b;
  write_file(a.path("s.json"), with.dump(2));
  write_file(b.path("s.json"), without.dump(2));
  REQUIRE(a.run("run s.json --out out --history h.jsonl --quiet").exit_code == 0);
  REQUIRE(b.run("run s.json --out out --history h.jsonl --quiet").exit_code == 0);

  const std::string report_without = read_file(b.path("out/shadow-candidates/report.json"));
  json report_with = json::parse(read_file(a.path("out/shadow-candidates/report.json")));
  REQUIRE(report_with.contains("candidates"));
  CHECK_FALSE(json::parse(report_without).contains("candidates"));
  report_with.erase("candidates");
  CHECK(report_with.dump(2) + "\n" == report_without);

  const auto lines_with = enforced_lines(read_file(a.path("h.jsonl")));
  const auto lines_without = enforced_lines(read_file(b.path("h.jsonl")));
  CHECK(lines_with.size() == lines_without.size());
  CHECK(lines_with == lines_without);
}

TEST_CASE("a control candidate agrees 100 percent and has the enforced breaker's transitions") {
  cli_sandbox box;
  write_file(box.path("s.json"), example().dump(2));
  REQUIRE(box.run("run s.json --out out --quiet").exit_code == 0);
  const json report = json::parse(read_file(box.path("out/shadow-candidates/report.json")));
  const json& control = report.at("candidates").at("control");
  const json& enforced = report.at("breaker");
  CHECK(control.at("agreement").at("breaker") == 1);
  CHECK(control.at("agreement").at("budget") == 1);
  CHECK(control.at("agreement").at("breaker_decisions").get<double>() > 100000);
  for (const char* field : {"transitions", "by_kind", "flaps", "flaps_per_hour", "time_open_s", "events"}) {
    INFO(field);
    CHECK(control.at("breaker").at(field) == enforced.at(field));
  }
  CHECK(control.at("breaker").at("would_reject") == enforced.at("rejected"));
  CHECK(control.at("budget").at("would_deny") == report.at("budget").at("denied"));
  // The alternatives disagree somewhere: the noise floor of 0 makes any difference a real one.
  CHECK(report.at("candidates").at("longer-open").at("agreement").at("breaker").get<double>() < 1);
  CHECK(report.at("candidates").at("note").get<std::string>().find("squall tune") != std::string::npos);
}

TEST_CASE("squall check of a history with candidates reproduces report.json") {
  cli_sandbox box;
  write_file(box.path("s.json"), small_example().dump(2));
  REQUIRE(box.run("run s.json --out run --history h.jsonl --quiet").exit_code == 0);
  REQUIRE(box.run("check h.jsonl --out checked --quiet").exit_code == 0);
  const std::string original = read_file(box.path("run/shadow-candidates/report.json"));
  CHECK(read_file(box.path("checked/report.json")) == original);
  CHECK(original.find("\"candidates\"") != std::string::npos);
  CHECK(read_file(box.path("h.jsonl")).find("\"candidate\":3") != std::string::npos);

  const auto gated = box.run("check h.jsonl --gates 'candidates.control.agreement.breaker < 1'");
  CHECK(gated.exit_code == 1);
}
