// `squall load` end to end: input errors exit 2 before any traffic; a short run against the in-test server
// writes report.json with every count accounted for.
#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "tests/cli/cli_harness.hpp"
#include "tests/real/test_http_server.hpp"

namespace {

using squall::test::cli_sandbox;
using squall::test::server_mode;
using squall::test::test_http_server;

}  // namespace

TEST_CASE("squall load: a URL that is not http:// exits 2 and says why") {
  cli_sandbox sb;
  for (const char* url : {"ftp://127.0.0.1/", "https://127.0.0.1/", "http://", "http://127.0.0.1:99999/",
                          "http://127.0.0.1:x/", "127.0.0.1:8080"}) {
    const auto r = sb.run(std::string("load '") + url + "' --rate 10 --duration 1s --quiet");
    INFO(url << ": " << r.out);
    CHECK(r.exit_code == 2);
    CHECK(r.out.find("squall load: URL") != std::string::npos);
  }
}

TEST_CASE("squall load: a non-loopback target exits 2 unless --allow-remote") {
  cli_sandbox sb;
  const auto r = sb.run("load http://192.0.2.1:8080/ --rate 10 --duration 1s --quiet");
  INFO(r.out);
  CHECK(r.exit_code == 2);
  CHECK(r.out.find("not a loopback address") != std::string::npos);
  CHECK(r.out.find("--allow-remote") != std::string::npos);
}

TEST_CASE("squall load: bad durations or rates or arrival models exit 2") {
  cli_sandbox sb;
  for (const char* args : {"--rate 10 --duration 10", "--rate 10 --duration 5x", "--rate 10 --duration -1s",
                           "--rate 10 --duration 0ms", "--rate 10 --duration 25h", "--rate 0", "--rate -5",
                           "--rate 10 --arrivals bursty", "--rate 10 --connections 0", "--rate 10 --timeout-ms 0"}) {
    const auto r = sb.run(std::string("load http://127.0.0.1:1/ --quiet ") + args);
    INFO(args << ": " << r.out);
    CHECK(r.exit_code == 2);
    CHECK(r.out.find("squall load: --") != std::string::npos);
  }
  CHECK(sb.run("load http://127.0.0.1:1/").exit_code == 2);  // --rate is required
}

TEST_CASE("squall load: --help teaches with examples") {
  cli_sandbox sb;
  const auto r = sb.run("load --help");
  CHECK(r.exit_code == 0);
  CHECK(r.out.find("squall load http://127.0.0.1:8080/ --rate 5000 --duration 60s") != std::string::npos);
  CHECK(r.out.find("--allow-remote") != std::string::npos);
}

TEST_CASE("squall load: a short constant run writes report.json with the counts") {
  test_http_server server(server_mode::ok);
  cli_sandbox sb;
  const std::string url = "http://127.0.0.1:" + std::to_string(server.port()) + "/ping";
  const auto r = sb.run("load " + url + " --rate 200 --duration 500ms --connections 4 --arrivals constant "
                        "--timeout-ms 2000 --quiet --out res");
  INFO(r.out);
  REQUIRE(r.exit_code == 0);
  CHECK(r.out.empty());  // --quiet
  const auto report = nlohmann::json::parse(squall::test::read_file(sb.path("res/report.json")));
  CHECK(report["kind"] == "load");
  CHECK(report["target"] == url);
  CHECK(report["requests"]["arrivals"] == 100);
  CHECK(report["requests"]["sent"] == 100);
  CHECK(report["requests"]["dropped"] == 0);
  CHECK(report["requests"]["completed"] == 100);
  CHECK(report["requests"]["ok"] == 100);
  CHECK(report["requests"]["by_kind"]["response"] == 100);
  CHECK(report["requests"]["by_status"]["200"] == 100);
  CHECK(report["latency_ms"]["count"] == 100);
  CHECK(report["service_ms"]["count"] == 100);
  CHECK(report["latency_ms"]["p50"].get<double>() >= report["service_ms"]["p50"].get<double>() * 0.99);
  CHECK(report["rate"]["target_per_s"] == 200);
  CHECK(report["config"]["connections"] == 4);
  CHECK(report["repro"].get<std::string>().find("squall load " + url + " --rate 200") == 0);
  CHECK(server.requests() == 100);
  CHECK(server.accepted() <= 4);
  const std::string md = squall::test::read_file(sb.path("res/report.md"));
  CHECK(md.find("latency from intended send") != std::string::npos);
}
