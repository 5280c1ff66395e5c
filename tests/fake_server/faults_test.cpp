// The model's answers carried out over real sockets: one test per fault kind, capacity queueing, determinism.
#include <catch2/catch.hpp>

#include <thread>

#include "tests/fake_server/server_fixture.hpp"

namespace squall::test {
namespace {

using fakes::fault_kind;
using namespace std::chrono_literals;

TEST_CASE("fake_server answers 200 with keep-alive and in order when pipelined") {
  running_server s(constant_dependency(0));
  http_client c(s.port());
  REQUIRE(c.connected());
  const http_result first = c.request("GET", "/anything");
  CHECK(first.status == 200);
  CHECK(first.body == "200 OK\n");
  CHECK(c.request("GET", "/again").status == 200);  // same connection
  // Two requests in one write: both answered, in order, on the same connection.
  REQUIRE(c.send("GET /a HTTP/1.1\r\nHost: x\r\n\r\nGET /__squall/faults HTTP/1.1\r\nHost: x\r\n\r\n"));
  const http_result a = c.read_response();
  const http_result b = c.read_response();
  CHECK(a.status == 200);
  CHECK(a.body == "200 OK\n");
  CHECK(b.status == 200);
  CHECK(b.body.find("\"faults\"") != std::string::npos);
}

TEST_CASE("fake_server error_storm answers its status") {
  auto storm = fault_now(fault_kind::error_storm);
  storm.rate = 1;
  storm.status = 503;
  storm.latency_ms = 0;
  running_server s(constant_dependency(0), {storm});
  const http_result r = fetch(s.port(), "GET", "/");
  CHECK(r.status == 503);
  CHECK(r.header("Retry-After").empty());
}

TEST_CASE("fake_server rate_limit answers 429 with Retry-After beyond the limit") {
  auto limit = fault_now(fault_kind::rate_limit);
  limit.limit_per_s = 0;  // every request is over the limit
  limit.retry_after_s = 2;
  running_server s(constant_dependency(0), {limit});
  const http_result r = fetch(s.port(), "GET", "/");
  CHECK(r.status == 429);
  CHECK(r.header("Retry-After") == "2");
}

TEST_CASE("fake_server latency_spike delays the answer by add_ms") {
  auto spike = fault_now(fault_kind::latency_spike);
  spike.add_ms = 150;
  running_server s(constant_dependency(0), {spike});
  const http_result r = fetch(s.port(), "GET", "/");
  CHECK(r.status == 200);
  CHECK(r.elapsed_ms >= 149.0);  // the reply is not sent before the model's time
}

TEST_CASE("fake_server with busy_poll serves a latency fault, records how late each answer left, and stops") {
  auto spike = fault_now(fault_kind::latency_spike);
  spike.add_ms = 50;
  fakes::real::server_options options;
  options.busy_poll = true;
  options.threads = 2;
  {
    running_server s(constant_dependency(0), {spike}, options);
    http_client c(s.port());
    for (int i = 0; i < 3; ++i) {
      const http_result r = c.request("GET", "/");
      CHECK(r.status == 200);
      CHECK(r.elapsed_ms >= 49.0);
    }
    CHECK(eventually([&] { return s.server.metrics().lateness_count() == 3; }));
  }  // the destructor stops the spinning threads (a hang here fails the test by its timeout)
}

TEST_CASE("fake_server reset fault resets the connection") {
  auto reset = fault_now(fault_kind::reset);
  reset.rate = 1;
  running_server s(constant_dependency(5), {reset});
  const http_result r = fetch(s.port(), "GET", "/");
  CHECK(r.status == 0);
  CHECK(r.reset);
  CHECK(eventually([&] { return s.server.metrics().resets() == 1; }));
}

TEST_CASE("fake_server hang is ended by the client's deadline, and by hang_max when the client waits longer") {
  auto hang = fault_now(fault_kind::hang);
  hang.rate = 1;
  running_server s(constant_dependency(0), {hang}, options_with(30s, 400ms));
  {
    http_client c(s.port(), 200);  // the client's own deadline
    const http_result r = c.request("GET", "/");
    CHECK(r.timed_out);
    CHECK(r.status == 0);
  }  // the client leaves: the server notices and stops holding the connection
  CHECK(eventually([&] { return s.server.metrics().hangs() == 1; }));
  http_client patient(s.port(), 5000);
  const http_result r = patient.request("GET", "/");
  CHECK(r.closed);  // closed by the server at hang_max, long before the client's 5 s
  CHECK(r.status == 0);
  // The server counts the hang once its own side of the connection has ended, which can be after the client saw it.
  CHECK(eventually([&] { return s.server.metrics().hangs() == 2; }));
}

TEST_CASE("fake_server outage closes connections without an answer") {
  running_server s(constant_dependency(0), {fault_now(fault_kind::outage)});
  const http_result r = fetch(s.port(), "GET", "/");
  CHECK(r.status == 0);
  CHECK((r.reset || r.closed));
}

TEST_CASE("fake_server queues beyond capacity in FIFO order") {
  running_server s(constant_dependency(150, 1));
  http_result first, second;
  const auto t0 = std::chrono::steady_clock::now();
  std::chrono::steady_clock::time_point second_done;
  std::thread a([&] { first = fetch(s.port(), "GET", "/"); });
  std::this_thread::sleep_for(30ms);  // the second arrives while the first holds the only slot
  std::thread b([&] {
    second = fetch(s.port(), "GET", "/");
    second_done = std::chrono::steady_clock::now();
  });
  a.join();
  b.join();
  CHECK(first.status == 200);
  CHECK(second.status == 200);
  CHECK(first.elapsed_ms >= 149.0);
  // Both arrived after t0: the second waited for the only slot (free >= t0 + 150 ms), then took 150 ms.
  CHECK(std::chrono::duration<double, std::milli>(second_done - t0).count() >= 299.0);
  CHECK(second.elapsed_ms > 150.0);
}

TEST_CASE("fake_server draws the same answers for the same seed and request order") {
  auto storm = fault_now(fault_kind::error_storm);
  storm.rate = 0.5;
  storm.latency_ms = 0;
  const auto statuses = [&](std::uint64_t seed) {
    fakes::real::server_options o;
    o.seed = seed;
    running_server s(constant_dependency(0), {storm}, o);
    http_client c(s.port());
    std::string out;
    for (int i = 0; i < 40; ++i) out += std::to_string(c.request("GET", "/").status) + " ";
    return out;
  };
  const std::string one = statuses(7);
  CHECK(one == statuses(7));
  CHECK(one != statuses(8));
  CHECK(one.find("503") != std::string::npos);
  CHECK(one.find("200") != std::string::npos);
}

}  // namespace
}  // namespace squall::test
