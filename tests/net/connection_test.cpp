// redis_connection against a real redis-server: reply types, FIFO matching under pipelining, deadlines with late
// replies, refusal, a killed server, bounded outstanding commands.
#include <catch2/catch.hpp>

#include <optional>
#include <string>
#include <vector>

#include "net/managed_redis.hpp"
#include "net/redis_connection.hpp"
#include "support.hpp"

namespace squall::net::test {
namespace {

// Sends one command and runs the loop until its callback ran.
redis_result call(boost::asio::io_context& io, redis_connection& conn, std::initializer_list<std::string_view> args,
                  stack::duration timeout = std::chrono::seconds(2)) {
  std::optional<redis_result> got;
  conn.command(args, timeout, [&](redis_result&& r) { got = std::move(r); });
  REQUIRE(run_until(io, [&] { return got.has_value(); }));
  return std::move(*got);
}

TEST_CASE("connection: each reply type comes back as sent by the server", "[net][connection]") {
  managed_redis redis;
  boost::asio::io_context io;
  redis_connection conn(io, config_for(redis));

  const std::string_view binary("v\r\nwith \0 binary", 15);
  auto set = call(io, conn, {"SET", "k", binary});
  REQUIRE(set.status == redis_status::ok);
  CHECK(set.reply.type == redis_reply::kind::status);
  CHECK(set.reply.str == "OK");

  auto get = call(io, conn, {"GET", "k"});
  CHECK(get.reply.type == redis_reply::kind::string);
  CHECK(get.reply.str == binary);

  CHECK(call(io, conn, {"GET", "missing"}).reply.type == redis_reply::kind::nil);
  auto incr = call(io, conn, {"INCR", "n"});
  CHECK(incr.reply.type == redis_reply::kind::integer);
  CHECK(incr.reply.integer == 1);
  auto err = call(io, conn, {"INCR", "k"});
  CHECK(err.status == redis_status::ok);
  CHECK(err.reply.is_error());
  CHECK(err.reply.str.rfind("ERR", 0) == 0);

  call(io, conn, {"RPUSH", "l", "a", "b"});
  auto arr = call(io, conn, {"LRANGE", "l", "0", "-1"});
  REQUIRE(arr.reply.type == redis_reply::kind::array);
  REQUIRE(arr.reply.elements.size() == 2);
  CHECK(arr.reply.elements[1].str == "b");

  const std::vector<std::string> args = {"ECHO", std::string(100'000, 'x')};  // larger than one read buffer
  std::optional<redis_result> big;
  conn.command(args, std::chrono::seconds(2), [&](redis_result&& r) { big = std::move(r); });
  REQUIRE(run_until(io, [&] { return big.has_value(); }));
  CHECK(big->reply.str.size() == 100'000);
  CHECK(conn.stats().connects == 1);
}

TEST_CASE("connection: pipelined replies are matched to their commands in order", "[net][connection]") {
  managed_redis redis;
  boost::asio::io_context io;
  redis_connection conn(io, config_for(redis));
  std::vector<std::int64_t> seen;
  for (int i = 0; i < 2000; ++i)
    conn.command({"INCR", "counter"}, std::chrono::seconds(5),
                 [&](redis_result&& r) { seen.push_back(r.status == redis_status::ok ? r.reply.integer : -1); });
  CHECK(conn.outstanding() == 2000);
  REQUIRE(run_until(io, [&] { return seen.size() == 2000; }));
  for (std::size_t i = 0; i < seen.size(); ++i) REQUIRE(seen[i] == static_cast<std::int64_t>(i + 1));
  CHECK(conn.outstanding() == 0);
}

TEST_CASE("connection: a deadline gives timeout, and the late reply is dropped, not misdelivered", "[net][connection]") {
  managed_redis redis;
  boost::asio::io_context io;
  redis_connection conn(io, config_for(redis));
  call(io, conn, {"SET", "a", "first"});
  call(io, conn, {"SET", "b", "second"});

  redis.pause_clients(std::chrono::milliseconds(1000));
  std::optional<redis_result> slow, next;
  conn.command({"GET", "a"}, std::chrono::milliseconds(50), [&](redis_result&& r) { slow = std::move(r); });
  conn.command({"GET", "b"}, std::chrono::seconds(3), [&](redis_result&& r) { next = std::move(r); });
  REQUIRE(run_until(io, [&] { return slow.has_value(); }));
  CHECK(slow->status == redis_status::timeout);
  CHECK_FALSE(next.has_value());
  REQUIRE(run_until(io, [&] { return next.has_value(); }));
  CHECK(next->status == redis_status::ok);
  CHECK(next->reply.str == "second");
  CHECK(conn.stats().timeouts == 1);
  CHECK(conn.stats().late_replies == 1);
  CHECK(call(io, conn, {"GET", "a"}).reply.str == "first");
}

TEST_CASE("connection: nothing listening gives unavailable, then connects once the server is up", "[net][connection]") {
  boost::asio::io_context io;
  redis_connection_config c;
  c.port = free_loopback_port();
  redis_connection conn(io, c);
  auto r = call(io, conn, {"PING"});
  CHECK(r.status == redis_status::unavailable);
  CHECK(conn.stats().connect_failures == 1);
  CHECK_FALSE(conn.connected());
}

TEST_CASE("connection: a killed server fails pending commands, a restarted one is reconnected", "[net][connection]") {
  managed_redis redis;
  boost::asio::io_context io;
  redis_connection conn(io, config_for(redis));
  REQUIRE(call(io, conn, {"PING"}).status == redis_status::ok);

  redis.pause_clients(std::chrono::milliseconds(2000));  // keeps the next command waiting for its reply
  std::optional<redis_result> pending;
  conn.command({"GET", "x"}, std::chrono::seconds(3), [&](redis_result&& r) { pending = std::move(r); });
  run_for(io, std::chrono::milliseconds(50));  // written, not answered
  redis.kill();
  REQUIRE(run_until(io, [&] { return pending.has_value(); }));
  CHECK(pending->status == redis_status::lost);  // it was sent: it may have run
  CHECK(conn.stats().disconnects == 1);

  // Refused while down (backoff or connect failure), then back after the restart.
  CHECK(call(io, conn, {"PING"}).status == redis_status::unavailable);
  redis.restart();
  std::optional<redis_result> back;
  REQUIRE(run_until(io, [&] {
    if (back && back->status == redis_status::ok) return true;
    std::optional<redis_result> r;
    conn.command({"PING"}, std::chrono::seconds(1), [&](redis_result&& x) { r = std::move(x); });
    run_until(io, [&] { return r.has_value(); });
    back = std::move(r);
    return back && back->status == redis_status::ok;
  }));
  CHECK(back->reply.str == "PONG");
  CHECK(conn.stats().connects == 2);
}

TEST_CASE("connection: close() fails unsent commands as unavailable, sent ones as lost, then reconnects", "[net][connection]") {
  managed_redis redis;
  boost::asio::io_context io;
  redis_connection conn(io, config_for(redis));
  REQUIRE(call(io, conn, {"PING"}).status == redis_status::ok);

  redis.pause_clients(std::chrono::milliseconds(1000));
  std::optional<redis_result> sent, unsent;
  conn.command({"GET", "a"}, std::chrono::seconds(2), [&](redis_result&& r) { sent = std::move(r); });
  run_for(io, std::chrono::milliseconds(30));  // written (the server holds it)
  conn.command({"GET", "b"}, std::chrono::seconds(2), [&](redis_result&& r) { unsent = std::move(r); });
  conn.close();  // before this handler ends, so "GET b" was never written
  CHECK_FALSE(sent.has_value());  // failures are posted, never run inside close()
  REQUIRE(run_until(io, [&] { return sent.has_value() && unsent.has_value(); }));
  CHECK(sent->status == redis_status::lost);
  CHECK(unsent->status == redis_status::unavailable);
  CHECK_FALSE(conn.connected());

  auto again = call(io, conn, {"PING"});  // no backoff after an explicit close
  CHECK(again.status == redis_status::ok);
  CHECK(conn.stats().connects == 2);
}

TEST_CASE("connection: beyond max_outstanding, new commands are unavailable", "[net][connection]") {
  managed_redis redis;
  boost::asio::io_context io;
  redis_connection_config c = config_for(redis);
  c.max_outstanding = 2;
  redis_connection conn(io, c);
  REQUIRE(call(io, conn, {"PING"}).status == redis_status::ok);
  redis.pause_clients(std::chrono::milliseconds(1000));
  std::vector<redis_status> got;
  for (int i = 0; i < 3; ++i)
    conn.command({"PING"}, std::chrono::seconds(2), [&](redis_result&& r) { got.push_back(r.status); });
  REQUIRE(run_until(io, [&] { return got.size() == 3; }));
  // The refusal is posted at once; the two admitted ones answer after the pause.
  CHECK(got == std::vector<redis_status>{redis_status::unavailable, redis_status::ok, redis_status::ok});
}

}  // namespace
}  // namespace squall::net::test
