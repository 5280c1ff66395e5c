// `squall fake http` end to end: bad configs exit 2 with the JSON path; a server on a free loopback port
// answers, takes faults, and stops cleanly on SIGTERM.
#include <catch2/catch.hpp>

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <regex>

#include "tests/cli/cli_harness.hpp"
#include "tests/fake_server/http_client.hpp"

namespace squall::test {
namespace {

constexpr const char* good_dependency =
    R"({"capacity": 8, "latency": {"dist": "constant", "value_ms": 1}, "errors": {"rate": 0}})";

TEST_CASE("fake_server_cli bad config exits 2 with the JSON path") {
  cli_sandbox box;
  write_file(box.path("dep.json"), R"({"capacity": 0, "latency": {"dist": "lognormal", "median_ms": 20, "sigma": 0.5}})");
  cli_result r = box.run("fake http --listen 127.0.0.1:0 --config dep.json");
  CHECK(r.exit_code == 2);
  CHECK(r.out.find("dep.json: capacity:") != std::string::npos);

  write_file(box.path("typo.json"), R"({"capacity": 8, "latency": {"dist": "constant", "valu_ms": 1}})");
  r = box.run("fake http --listen 127.0.0.1:0 --config typo.json");
  CHECK(r.exit_code == 2);
  CHECK(r.out.find("typo.json: latency: unknown key 'valu_ms'") != std::string::npos);
  CHECK(r.out.find("value_ms") != std::string::npos);  // did-you-mean

  write_file(box.path("s.json"), small_scenario());
  r = box.run("fake http --listen 127.0.0.1:0 --config s.json --dependency web");
  CHECK(r.exit_code == 2);
  CHECK(r.out.find("no dependency named 'web'") != std::string::npos);

  write_file(box.path("ok.json"), good_dependency);
  r = box.run("fake http --listen 0.0.0.0:0 --config ok.json");
  CHECK(r.exit_code == 2);
  CHECK(r.out.find("--allow-remote") != std::string::npos);
  r = box.run("fake http --listen 127.0.0.1 --config ok.json");
  CHECK(r.exit_code == 2);
  r = box.run("fake http --help");
  CHECK(r.exit_code == 0);
  CHECK(r.out.find("/__squall/faults") != std::string::npos);
}

TEST_CASE("fake_server_cli serves on a free port and stops on SIGTERM") {
  cli_sandbox box;
  write_file(box.path("dep.json"), good_dependency);
  const std::string out_file = box.path("out.txt").string();
  const char* bin = std::getenv("SQUALL_BIN");
  REQUIRE(bin != nullptr);
  const pid_t pid = fork();
  REQUIRE(pid >= 0);
  if (pid == 0) {
    const std::string config = box.path("dep.json").string();
    FILE* out = std::freopen(out_file.c_str(), "w", stdout);
    (void)out;
    execl(bin, bin, "fake", "http", "--listen", "127.0.0.1:0", "--config", config.c_str(), "--quiet",
          static_cast<char*>(nullptr));
    _exit(127);
  }
  std::smatch m;
  const std::regex url(R"(http://127\.0\.0\.1:(\d+)/)");
  std::string printed;
  const bool started = eventually([&] {
    printed = read_file(out_file);
    return std::regex_search(printed, m, url);
  }, 10000);
  if (started) {
    const auto port = static_cast<std::uint16_t>(std::stoi(m[1].str()));
    CHECK(printed.find("/__squall/faults") != std::string::npos);
    CHECK(printed.find("/metrics") != std::string::npos);
    CHECK(fetch(port, "GET", "/").status == 200);
    CHECK(fetch(port, "POST", "/__squall/faults", R"({"kind": "error_storm", "status": 500, "duration_s": 30})")
              .status == 201);
    CHECK(fetch(port, "GET", "/").status == 500);
    // A second server on the taken port is a clear usage error, not an internal one.
    const cli_result taken = box.run("fake http --listen 127.0.0.1:" + std::to_string(port) + " --config dep.json");
    CHECK(taken.exit_code == 2);
    CHECK(taken.out.find("cannot listen on 127.0.0.1:" + std::to_string(port) + ": Address already in use") !=
          std::string::npos);
  }
  kill(pid, SIGTERM);
  int status = 0;
  const bool exited = eventually([&] { return waitpid(pid, &status, WNOHANG) == pid; }, 10000);
  if (!exited) {
    kill(pid, SIGKILL);
    waitpid(pid, &status, 0);
  }
  REQUIRE(started);
  CHECK(exited);
  CHECK(WIFEXITED(status));
  CHECK(WEXITSTATUS(status) == 0);
}

}  // namespace
}  // namespace squall::test
