// The admin API (faults added, listed, removed and expiring at runtime; JSON errors with 4xx) and /metrics.
#include <catch2/catch.hpp>

#include <nlohmann/json.hpp>

#include "tests/fake_server/server_fixture.hpp"

namespace squall::test {
namespace {

using nlohmann::json;

json body_of(const http_result& r) { return json::parse(r.body); }

TEST_CASE("fake_server admin adds, lists, removes and resets faults") {
  running_server s(constant_dependency(0));
  const http_result added =
      fetch(s.port(), "POST", "/__squall/faults", R"({"kind": "error_storm", "rate": 1, "status": 502, "duration_s": 60})");
  REQUIRE(added.status == 201);
  const json fault = body_of(added);
  CHECK(fault["kind"] == "error_storm");
  CHECK(fault["status"] == 502);
  CHECK(fault["active"] == true);
  const auto id = fault["id"].get<std::uint64_t>();

  const json listed = body_of(fetch(s.port(), "GET", "/__squall/faults"));
  REQUIRE(listed["faults"].size() == 1);
  CHECK(listed["faults"][0]["id"] == id);
  CHECK(fetch(s.port(), "GET", "/").status == 502);

  const http_result removed = fetch(s.port(), "DELETE", "/__squall/faults/" + std::to_string(id));
  CHECK(removed.status == 200);
  CHECK(fetch(s.port(), "GET", "/").status == 200);
  const http_result again = fetch(s.port(), "DELETE", "/__squall/faults/" + std::to_string(id));
  CHECK(again.status == 404);
  CHECK(body_of(again).contains("hint"));

  CHECK(fetch(s.port(), "POST", "/__squall/faults", R"({"kind": "hang", "rate": 0.1, "to_s": 60})").status == 201);
  CHECK(fetch(s.port(), "POST", "/__squall/faults", R"({"kind": "outage", "from_s": 30, "to_s": 60})").status == 201);
  const json two = body_of(fetch(s.port(), "GET", "/__squall/faults"));
  REQUIRE(two["faults"].size() == 2);
  CHECK(two["faults"][1]["active"] == false);  // starts in 30 s
  const http_result reset = fetch(s.port(), "POST", "/__squall/reset");
  CHECK(reset.status == 200);
  CHECK(body_of(reset)["removed"] == 2);
  CHECK(body_of(fetch(s.port(), "GET", "/__squall/faults"))["faults"].empty());
}

TEST_CASE("fake_server admin fault expires at the end of its duration") {
  running_server s(constant_dependency(0));
  REQUIRE(fetch(s.port(), "POST", "/__squall/faults",
                R"({"kind": "rate_limit", "limit_per_s": 0, "retry_after_s": 1, "duration_s": 0.3})")
              .status == 201);
  CHECK(fetch(s.port(), "GET", "/").status == 429);
  CHECK(eventually([&] { return fetch(s.port(), "GET", "/").status == 200; }));
  CHECK(body_of(fetch(s.port(), "GET", "/__squall/faults"))["faults"].empty());
}

TEST_CASE("fake_server admin errors are JSON with a 4xx status, the path and a hint") {
  running_server s(constant_dependency(0));
  const auto error_of = [&](const std::string& method, const std::string& target, const std::string& body) {
    const http_result r = fetch(s.port(), method, target, body);
    CHECK(r.status >= 400);
    CHECK(r.status < 500);
    CHECK(r.header("Content-Type") == "application/json");
    const json e = body_of(r);
    CHECK(e.contains("error"));
    CHECK(e.contains("path"));
    CHECK(e.contains("hint"));
    return std::make_pair(r.status, e);
  };
  auto [status, e] = error_of("POST", "/__squall/faults", R"({"kind": "error_storm", "rate": 2, "duration_s": 5})");
  CHECK(status == 400);
  CHECK(e["path"] == "rate");
  std::tie(status, e) = error_of("POST", "/__squall/faults", R"({"kind": "error_strom", "duration_s": 5})");
  CHECK(e["path"] == "kind");
  CHECK(e["hint"].get<std::string>().find("error_storm") != std::string::npos);
  std::tie(status, e) = error_of("POST", "/__squall/faults", R"({"kind": "outage", "duration_s": 5, "to_s": 9})");
  CHECK(e["path"] == "duration_s");
  std::tie(status, e) = error_of("POST", "/__squall/faults", R"({"kind": "outage"})");
  CHECK(e["path"] == "");  // keys missing from (or unknown in) an object are reported at the object
  CHECK(e["error"].get<std::string>().find("'to_s'") != std::string::npos);  // faults are bounded in time
  std::tie(status, e) = error_of("POST", "/__squall/faults", R"({"kind": "error_storm", "duration_s": 5, "rat": 1})");
  CHECK(e["error"].get<std::string>().find("unknown key 'rat'") != std::string::npos);
  CHECK(e["hint"].get<std::string>().find("'rate'") != std::string::npos);
  std::tie(status, e) = error_of("POST", "/__squall/faults", R"({"kind": "rate_limit", "limit_per_s": -1})");
  CHECK(e["error"].get<std::string>().find("'to_s'") != std::string::npos);
  REQUIRE(e["more"].size() == 1);  // every error, not only the first
  CHECK(e["more"][0]["path"] == "limit_per_s");
  std::tie(status, e) = error_of("POST", "/__squall/faults", "{not json");
  CHECK(status == 400);
  std::tie(status, e) = error_of("POST", "/__squall/faults", R"({"kind": "process_pause", "duration_s": 5})");
  CHECK(e["path"] == "kind");
  std::tie(status, e) = error_of("PUT", "/__squall/faults", "");
  CHECK(status == 405);
  std::tie(status, e) = error_of("GET", "/__squall/nothing", "");
  CHECK(status == 404);
  std::tie(status, e) = error_of("DELETE", "/__squall/faults/abc", "");
  CHECK(status == 404);
  // The server still serves.
  CHECK(fetch(s.port(), "GET", "/").status == 200);
}

TEST_CASE("fake_server metrics count requests by status, resets and faults") {
  auto storm = fault_now(fakes::fault_kind::error_storm);
  storm.rate = 1;
  storm.status = 503;
  storm.latency_ms = 0;
  storm.from = std::chrono::seconds(3600);  // scheduled, not active
  storm.to = std::chrono::seconds(3700);
  running_server s(constant_dependency(0), {storm});
  http_client c(s.port());
  for (int i = 0; i < 5; ++i) REQUIRE(c.request("GET", "/").status == 200);
  REQUIRE(fetch(s.port(), "POST", "/__squall/faults", R"({"kind": "error_storm", "rate": 1, "duration_s": 60})")
              .status == 201);
  for (int i = 0; i < 3; ++i) REQUIRE(c.request("GET", "/").status == 503);
  const http_result r = fetch(s.port(), "GET", "/metrics");
  CHECK(r.status == 200);
  CHECK(r.header("Content-Type").rfind("text/plain", 0) == 0);
  const std::string& m = r.body;
  CHECK(m.find("squall_fake_requests_total{status=\"200\"} 5\n") != std::string::npos);
  CHECK(m.find("squall_fake_requests_total{status=\"503\"} 3\n") != std::string::npos);
  CHECK(m.find("squall_fake_active_faults 1\n") != std::string::npos);
  CHECK(m.find("squall_fake_resets_total 0\n") != std::string::npos);
  CHECK(m.find("squall_fake_latency_seconds_bucket{le=\"+Inf\"} 8\n") != std::string::npos);
  CHECK(m.find("squall_fake_latency_seconds_count 8\n") != std::string::npos);
  CHECK(m.find("squall_fake_answer_lateness_seconds_count 8\n") != std::string::npos);  // every answer's
  CHECK(m.find("squall_fake_answer_lateness_seconds_bucket{le=\"0.0001\"}") != std::string::npos);
  CHECK(m.find("squall_fake_queue_depth 0\n") != std::string::npos);
  CHECK(m.find("# TYPE squall_fake_latency_seconds histogram") != std::string::npos);
}

}  // namespace
}  // namespace squall::test
