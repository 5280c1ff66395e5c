// The Redis Streams job queue against a real redis-server: first deliveries, redelivery of unacked entries to
// another consumer after the visibility timeout (XAUTOCLAIM), stale receipts, the DLQ at
// max_deliveries, requeue as a shorter visibility, the XLEN bound, and a group recreated after data loss.
#include <catch2/catch.hpp>

#include <optional>
#include <string>
#include <vector>

#include "net/managed_redis.hpp"
#include "net/stream_queue.hpp"
#include "tests/net/support.hpp"

namespace squall::real_jobs_test {

using net::test::run_until;
using namespace std::chrono_literals;

namespace {

using net::stream_consumer;
using net::stream_delivery;

struct queue_fixture {
  net::managed_redis redis;
  boost::asio::io_context io;
  net::redis_connection producer_conn{io, config()};
  net::redis_connection fetch_a{io, config()};
  net::redis_connection fetch_b{io, config()};
  net::redis_connection settle_conn{io, config()};
  net::stream_names names = net::stream_names::for_run("t");
  net::stream_queue_config qc;
  std::vector<net::stream_dead_letter> dead;

  net::redis_connection_config config() const {
    net::redis_connection_config c;
    c.host = redis.host();
    c.port = redis.port();
    return c;
  }

  bool try_enqueue(std::uint64_t id) {
    net::stream_producer p(producer_conn, names, qc);
    std::optional<bool> added;
    p.enqueue(id, "k" + std::to_string(id), [&](bool ok) { added = ok; });
    REQUIRE(run_until(io, [&] { return added.has_value(); }));
    return *added;
  }
  void enqueue(std::uint64_t id, bool expect = true) { REQUIRE(try_enqueue(id) == expect); }

  std::unique_ptr<stream_consumer> consumer(net::redis_connection& fetch, const std::string& name) {
    stream_consumer::hooks h;
    h.dead_letter = [this](const net::stream_dead_letter& d) { dead.push_back(d); };
    return std::make_unique<stream_consumer>(io, fetch, settle_conn, names, name, qc, h);
  }

  // Takes n deliveries from c (bounded in time).
  std::vector<stream_delivery> take(stream_consumer& c, std::size_t n, std::chrono::milliseconds limit = 3000ms) {
    std::vector<stream_delivery> got;
    run_until(io, [&] {
      while (auto d = c.take()) got.push_back(std::move(*d));
      return got.size() >= n;
    }, limit);
    return got;
  }

  std::string admin(std::initializer_list<std::string_view> args) { return redis.admin(args); }
};

TEST_CASE("stream queue: first deliveries in XADD order, round 1, acked entries leave the stream") {
  queue_fixture f;
  f.qc.prefetch_max = 4;
  for (std::uint64_t i = 1; i <= 3; ++i) f.enqueue(i);
  auto a = f.consumer(f.fetch_a, "n0");
  a->start();
  const auto got = f.take(*a, 3);
  REQUIRE(got.size() == 3);
  for (std::size_t i = 0; i < 3; ++i) {
    CHECK(got[i].message == i + 1);
    CHECK(got[i].key == "k" + std::to_string(i + 1));
    CHECK(got[i].round == 1);
  }
  for (const auto& d : got) a->ack(d);
  REQUIRE(run_until(f.io, [&] { return a->stats().acked == 3; }));
  CHECK(f.admin({"XLEN", f.names.stream}) == "0");
}

TEST_CASE("stream queue: an unacked delivery is claimed by another consumer after the visibility timeout") {
  queue_fixture f;
  f.qc.visibility_timeout = 300ms;
  f.enqueue(1);
  auto a = f.consumer(f.fetch_a, "n0");
  auto b = f.consumer(f.fetch_b, "n1");
  a->start();
  const auto first = f.take(*a, 1);
  REQUIRE(first.size() == 1);
  a->stop();  // n0 "dies" holding the delivery, without ack
  const auto t0 = std::chrono::steady_clock::now();
  b->start();
  const auto second = f.take(*b, 1);
  REQUIRE(second.size() == 1);
  CHECK(std::chrono::steady_clock::now() - t0 >= 250ms);  // not before it lapsed (XAUTOCLAIM min-idle is ms-exact)
  CHECK(second[0].entry == first[0].entry);
  CHECK(second[0].message == 1);
  CHECK(second[0].round == 2);
  CHECK(b->stats().redelivered == 1);

  // n0's receipt is stale now: its ack changes nothing; n1's ack removes the entry.
  a->ack(first[0]);
  REQUIRE(run_until(f.io, [&] { return a->stats().stale_receipts == 1; }));
  CHECK(f.admin({"XLEN", f.names.stream}) == "1");
  b->ack(second[0]);
  REQUIRE(run_until(f.io, [&] { return b->stats().acked == 1; }));
  CHECK(f.admin({"XLEN", f.names.stream}) == "0");
}

TEST_CASE("stream queue: a message never acked goes to the DLQ stream after max_deliveries rounds") {
  queue_fixture f;
  f.qc.visibility_timeout = 100ms;
  f.qc.max_deliveries = 2;
  f.enqueue(7);
  auto a = f.consumer(f.fetch_a, "n0");
  a->start();
  std::vector<std::uint32_t> rounds;
  REQUIRE(run_until(f.io, [&] {
    while (auto d = a->take()) rounds.push_back(d->round);  // taken, never acked
    return !f.dead.empty();
  }, 4000ms));
  CHECK(rounds == std::vector<std::uint32_t>{1, 2});
  REQUIRE(f.dead.size() == 1);
  CHECK(f.dead[0].message == 7);
  CHECK(f.dead[0].key == "k7");
  CHECK(f.dead[0].deliveries == 2);
  CHECK(f.admin({"XLEN", f.names.dlq}) == "1");
  CHECK(f.admin({"XLEN", f.names.stream}) == "0");
}

TEST_CASE("stream queue: requeue makes the delivery claimable after the given delay, not the visibility timeout") {
  queue_fixture f;
  f.qc.visibility_timeout = 10s;
  f.enqueue(3);
  auto a = f.consumer(f.fetch_a, "n0");
  a->start();
  const auto first = f.take(*a, 1);
  REQUIRE(first.size() == 1);
  a->requeue(first[0], 200ms);
  REQUIRE(run_until(f.io, [&] { return a->stats().requeued == 1; }));
  const auto second = f.take(*a, 1, 3000ms);  // well before 10 s
  REQUIRE(second.size() == 1);
  CHECK(second[0].round == 2);  // JUSTID did not count a delivery; the claim did
}

TEST_CASE("stream queue: the producer refuses beyond max_messages live entries") {
  queue_fixture f;
  f.qc.max_messages = 2;
  f.enqueue(1);
  f.enqueue(2);
  f.enqueue(3, false);
  CHECK(f.admin({"XLEN", f.names.stream}) == "2");
}

TEST_CASE("stream queue: after a restart without persistence the consumer recreates its group and goes on") {
  queue_fixture f;
  auto a = f.consumer(f.fetch_a, "n0");
  a->start();
  f.enqueue(1);
  REQUIRE(f.take(*a, 1).size() == 1);
  f.redis.kill();
  f.redis.restart();  // persistence none: stream and group are gone
  // The producer's connection may still be backing off after the kill: retry a bounded number of times.
  bool added = false;
  for (int i = 0; i < 50 && !added; ++i) added = f.try_enqueue(2);
  REQUIRE(added);
  const auto got = f.take(*a, 1, 4000ms);
  REQUIRE(got.size() == 1);
  CHECK(got[0].message == 2);
  CHECK(a->stats().groups_created >= 1);
}

}  // namespace
}  // namespace squall::real_jobs_test
