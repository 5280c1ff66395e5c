// net::http_client over real loopback sockets against the in-test server: one result per send, of the right kind.
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <functional>
#include <vector>

#include <boost/asio/io_context.hpp>
#include <catch2/catch.hpp>

#include "net/http_client.hpp"
#include "tests/real/test_http_server.hpp"

namespace {

using namespace std::chrono_literals;
using squall::net::http_client;
using squall::stack::attempt_kind;
using squall::stack::attempt_result;
using squall::test::server_mode;
using squall::test::test_http_server;

struct results {
  std::vector<attempt_result> got;
  std::vector<int> calls;  // per send: how many times `done` ran (must be exactly 1)
  squall::stack::http_handler handler() {
    calls.push_back(0);
    return {[](void* self, std::uint64_t i, const attempt_result& r) {
              auto* me = static_cast<results*>(self);
              ++me->calls[i];
              me->got.push_back(r);
            },
            this, calls.size() - 1};
  }
};

squall::net::http_client_config config_for(std::uint16_t port, std::size_t connections = 4, std::size_t queued = 64) {
  squall::net::http_client_config c;
  c.endpoint = {boost::asio::ip::make_address("127.0.0.1"), port};
  c.host = "127.0.0.1:" + std::to_string(port);
  c.max_connections = connections;
  c.max_queued = queued;
  return c;
}

// Runs the loop until `done` holds; bounded by a 10 s deadline so a broken client fails instead of hanging.
bool run_until(boost::asio::io_context& io, const std::function<bool()>& done) {
  const auto deadline = std::chrono::steady_clock::now() + 10s;
  while (!done()) {
    if (std::chrono::steady_clock::now() > deadline) return false;
    io.restart();
    io.run_for(5ms);
  }
  return true;
}

// Waits (bounded) for the server thread to observe something.
bool eventually(const std::function<bool()>& cond) {
  const auto deadline = std::chrono::steady_clock::now() + 5s;
  while (!cond()) {
    if (std::chrono::steady_clock::now() > deadline) return false;
    std::this_thread::sleep_for(1ms);
  }
  return true;
}

// A port nothing listens on: bound, then closed.
std::uint16_t closed_port() {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
  socklen_t len = sizeof addr;
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  ::close(fd);
  return ntohs(addr.sin_port);
}

}  // namespace

TEST_CASE("http client: a 200 response with its latency") {
  test_http_server server(server_mode::ok);
  boost::asio::io_context io;
  http_client client(io, config_for(server.port()));
  results r;
  client.send(1s, r.handler());
  CHECK(r.got.empty());  // never from inside send()
  REQUIRE(run_until(io, [&] { return r.got.size() == 1; }));
  CHECK(r.got[0].kind == attempt_kind::response);
  CHECK(r.got[0].status == 200);
  CHECK(r.got[0].success());
  CHECK(r.got[0].latency.count() > 0);
  CHECK(r.got[0].retry_after.count() == 0);
  CHECK(client.in_flight() == 0);
  CHECK(client.stats().connects == 1);
}

TEST_CASE("http client: 503 with Retry-After is a response carrying retry_after") {
  test_http_server server(server_mode::unavailable);
  boost::asio::io_context io;
  http_client client(io, config_for(server.port()));
  results r;
  client.send(1s, r.handler());
  REQUIRE(run_until(io, [&] { return r.got.size() == 1; }));
  CHECK(r.got[0].kind == attempt_kind::response);
  CHECK(r.got[0].status == 503);
  CHECK_FALSE(r.got[0].success());
  CHECK(r.got[0].retry_after == std::chrono::seconds(7));
}

TEST_CASE("http client: Retry-After as delta-seconds or HTTP-date and garbage as 0") {
  using squall::net::parse_retry_after;
  const auto now = std::chrono::system_clock::from_time_t(1'700'000'000);  // Tue, 14 Nov 2023 22:13:20 GMT
  CHECK(parse_retry_after("120", now) == std::chrono::seconds(120));
  CHECK(parse_retry_after(" 0 ", now) == std::chrono::seconds(0));
  CHECK(parse_retry_after("Tue, 14 Nov 2023 22:13:50 GMT", now) == std::chrono::seconds(30));
  CHECK(parse_retry_after("Tue, 14 Nov 2023 22:00:00 GMT", now).count() == 0);  // in the past
  CHECK(parse_retry_after("soon", now).count() == 0);
  CHECK(parse_retry_after("-5", now).count() == 0);
  CHECK(parse_retry_after("", now).count() == 0);
}

TEST_CASE("http client: a server that never answers ends in timeout and its connection is closed") {
  test_http_server server(server_mode::hang);
  boost::asio::io_context io;
  http_client client(io, config_for(server.port()));
  results r;
  client.send(100ms, r.handler());
  REQUIRE(run_until(io, [&] { return r.got.size() == 1; }));
  CHECK(r.got[0].kind == attempt_kind::timeout);
  CHECK(r.got[0].latency >= 100ms);  // never before the deadline
  CHECK(server.requests() == 1);     // the request did reach the server: the outcome is indeterminate
  CHECK(eventually([&] { return server.closed() == 1; }));
  CHECK(client.stats().timeouts_closed == 1);
  CHECK(r.calls == std::vector<int>{1});
}

TEST_CASE("http client: a connection reset mid-response is a reset") {
  test_http_server server(server_mode::reset);
  boost::asio::io_context io;
  http_client client(io, config_for(server.port()));
  results r;
  client.send(2s, r.handler());
  REQUIRE(run_until(io, [&] { return r.got.size() == 1; }));
  CHECK(r.got[0].kind == attempt_kind::reset);
  CHECK(server.requests() == 1);  // sent once: a request that may have reached the server is never resent
}

TEST_CASE("http client: a refused connection is a connect_failure") {
  boost::asio::io_context io;
  http_client client(io, config_for(closed_port()));
  results r;
  client.send(2s, r.handler());
  client.send(2s, r.handler());
  REQUIRE(run_until(io, [&] { return r.got.size() == 2; }));
  CHECK(r.got[0].kind == attempt_kind::connect_failure);
  CHECK(r.got[1].kind == attempt_kind::connect_failure);
  CHECK(client.open_connections() == 0);
}

TEST_CASE("http client: never more connections than the pool allows and requests wait FIFO") {
  test_http_server server(server_mode::ok, 20ms);
  boost::asio::io_context io;
  http_client client(io, config_for(server.port(), 3));
  results r;
  for (int i = 0; i < 12; ++i) client.send(5s, r.handler());
  CHECK(client.in_flight() == 12);
  REQUIRE(run_until(io, [&] { return r.got.size() == 12; }));
  for (const auto& a : r.got) CHECK(a.status == 200);
  CHECK(server.accepted() == 3);
  CHECK(server.max_open() == 3);
  CHECK(server.requests() == 12);
  CHECK(client.stats().max_open == 3);
  CHECK(r.calls == std::vector<int>(12, 1));
}

TEST_CASE("http client: keep-alive reuses one connection for sequential requests") {
  test_http_server server(server_mode::ok);
  boost::asio::io_context io;
  http_client client(io, config_for(server.port()));
  results r;
  for (std::size_t i = 0; i < 10; ++i) {
    client.send(2s, r.handler());
    REQUIRE(run_until(io, [&] { return r.got.size() == i + 1; }));
    CHECK(r.got[i].status == 200);
  }
  CHECK(server.accepted() == 1);
  CHECK(server.requests() == 10);
  CHECK(client.stats().connects == 1);
}

TEST_CASE("http client: a keep-alive connection the server closed is reopened without resending") {
  test_http_server server(server_mode::close_after);
  boost::asio::io_context io;
  http_client client(io, config_for(server.port(), 1));
  results r;
  for (std::size_t i = 0; i < 3; ++i) {
    client.send(2s, r.handler());
    REQUIRE(run_until(io, [&] { return r.got.size() == i + 1; }));
    CHECK(r.got[i].kind == attempt_kind::response);
    CHECK(r.got[i].status == 200);
    REQUIRE(eventually([&] { return server.closed() == static_cast<int>(i + 1); }));
  }
  CHECK(server.accepted() == 3);
  CHECK(server.requests() == 3);  // each request reached the server exactly once
  CHECK(client.stats().reconnects == 2);
}

TEST_CASE("http client: the deadline covers waiting for a connection and the queue is bounded") {
  test_http_server server(server_mode::hang);
  boost::asio::io_context io;
  http_client client(io, config_for(server.port(), 1, 2));
  results r;
  client.send(1s, r.handler());     // takes the only connection, never answered
  client.send(150ms, r.handler());  // queued
  client.send(150ms, r.handler());  // queued
  client.send(150ms, r.handler());  // beyond max_queued: rejected
  CHECK(client.stats().rejected == 1);
  REQUIRE(run_until(io, [&] { return r.got.size() == 4; }));
  CHECK(r.got[0].kind == attempt_kind::connect_failure);  // the rejected one, at once
  CHECK(r.got[0].latency.count() == 0);
  for (std::size_t i = 1; i < 4; ++i) CHECK(r.got[i].kind == attempt_kind::timeout);
  CHECK(r.got[1].latency >= 150ms);  // the queued ones: their wait counts against their deadline
  CHECK(r.got[2].latency >= 150ms);
  CHECK(r.got[3].latency >= 1s);
  CHECK(server.requests() == 1);  // the queued ones never got the connection
  CHECK(r.calls == std::vector<int>(4, 1));
}
