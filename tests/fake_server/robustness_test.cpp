// Hostile and broken clients: malformed and oversized requests, slowloris, abrupt disconnects and too many
// connections never crash the server, and it keeps serving afterwards.
#include <catch2/catch.hpp>

#include <vector>

#include "tests/fake_server/server_fixture.hpp"

namespace squall::test {
namespace {

using namespace std::chrono_literals;

TEST_CASE("fake_server refuses malformed and oversized requests and keeps serving") {
  running_server s(constant_dependency(0));
  const auto answer_to = [&](const std::string& bytes) {
    http_client c(s.port());
    c.send(bytes);
    return c.read_response();
  };
  CHECK(answer_to("GARBAGE\r\n\r\n").status == 400);
  CHECK(answer_to("GET / HTTX/1.1\r\n\r\n").status == 400);
  CHECK(answer_to("GET / HTTP/1.1\r\nX-Big: " + std::string(16 * 1024, 'a') + "\r\n\r\n").status == 431);
  CHECK(answer_to("POST / HTTP/1.1\r\nContent-Length: 5000000\r\n\r\n").status == 413);
  CHECK(answer_to("POST /__squall/faults HTTP/1.1\r\nContent-Length: 100000\r\n\r\n").status == 413);
  CHECK(answer_to("GET / HTTP/1.1\r\nContent-Length: -1\r\n\r\n").status == 400);
  CHECK(answer_to(std::string("\0\1\2\3\r\n\r\n", 8)).status == 400);
  {  // abrupt disconnects: mid-header, mid-body
    http_client c(s.port());
    c.send("GET / HTTP/1.1\r\nHost: x");
  }
  {
    http_client c(s.port());
    c.send("POST / HTTP/1.1\r\nContent-Length: 100\r\n\r\nabc");
  }
  CHECK(fetch(s.port(), "GET", "/").status == 200);
  CHECK(s.metrics().find("squall_fake_bad_requests_total 7\n") != std::string::npos);
}

TEST_CASE("fake_server closes a slow client at the read timeout") {
  running_server s(constant_dependency(0), {}, options_with(300ms, 60s));
  http_client slow(s.port(), 5000);
  REQUIRE(slow.send("GET / HTTP/1.1\r\nHost: x\r\n"));  // never finishes its headers
  const http_result r = slow.read_response();
  CHECK(r.closed);
  CHECK(r.elapsed_ms < 4000);  // the server's read timeout, not the client's deadline, ended it
  CHECK(fetch(s.port(), "GET", "/").status == 200);
  // Counted when the server's side of the closed connection ends, which can be after the client saw the close.
  CHECK(eventually([&] { return s.metrics().find("squall_fake_read_timeouts_total 1\n") != std::string::npos; }));
}

TEST_CASE("fake_server closes connections beyond its limit at once") {
  fakes::real::server_options o;
  o.max_connections = 2;
  running_server s(constant_dependency(0), {}, o);
  http_client a(s.port()), b(s.port());
  REQUIRE(a.request("GET", "/").status == 200);
  REQUIRE(b.request("GET", "/").status == 200);
  http_client third(s.port());
  const http_result r = third.request("GET", "/");
  CHECK(r.status == 0);
  CHECK((r.reset || r.closed));
  a.close();
  CHECK(eventually([&] { return fetch(s.port(), "GET", "/").status == 200; }));
}

TEST_CASE("fake_server stops with connections open and requests waiting") {
  auto s = std::make_unique<running_server>(constant_dependency(10'000));  // answers in 10 s
  std::vector<std::unique_ptr<http_client>> clients;
  for (int i = 0; i < 8; ++i) {
    clients.push_back(std::make_unique<http_client>(s->port(), 5000));
    REQUIRE(clients.back()->send("GET / HTTP/1.1\r\nHost: x\r\n\r\n"));
  }
  REQUIRE(eventually([&] { return s->server.metrics().open_connections() == 8; }));
  s->server.stop();
  for (auto& c : clients) CHECK(c->read_response().status == 0);
  s.reset();
}

}  // namespace
}  // namespace squall::test
