// fakes::job_queue: FIFO by visibility time, the visibility timeout and redelivery, ack / nack / extend and
// stale receipts, the DLQ (by max_deliveries and directly), spontaneous duplicates at rates 0, 0.3 and 1,
// determinism per seed, the max_messages bound and memory going back to zero.
#include <catch2/catch.hpp>

#include <cmath>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "fakes/job_queue.hpp"
#include "sim/rng.hpp"
#include "tests/sim/moments.hpp"

using namespace squall::fakes;
using squall::sim::rng;
using squall::stack::duration;
using squall::stack::instant;
using squall::stack::instant_from_ns;
using squall::test::within_se;

namespace {

constexpr std::int64_t ms = 1'000'000, s = 1'000'000'000;

instant at(std::int64_t ns) { return instant_from_ns(ns); }

job_queue_config config(double duplicate_rate = 0.0, std::uint32_t max_deliveries = 5,
                        std::size_t max_messages = 100'000) {
  job_queue_config c;
  c.visibility_timeout = duration{30 * s};
  c.max_deliveries = max_deliveries;
  c.duplicate_rate = duplicate_rate;
  c.max_messages = max_messages;
  return c;
}

std::uint64_t put(job_queue& q, std::int64_t t, std::string key) {
  const auto id = q.enqueue(at(t), std::move(key));
  REQUIRE(id.has_value());
  return *id;
}

delivery take(job_queue& q, std::int64_t t, std::string_view consumer = "w1") {
  auto d = q.receive(at(t), consumer);
  REQUIRE(d.has_value());
  return *d;
}

}  // namespace

TEST_CASE("messages are delivered oldest first, each once while in flight", "[queue]") {
  job_queue q(config(), rng(1));
  const auto a = put(q, 0, "job-a");
  const auto b = put(q, 1 * ms, "job-b");
  const auto c = put(q, 2 * ms, "job-c");
  CHECK(a < b);
  CHECK(b < c);

  const delivery da = take(q, 10 * ms), db = take(q, 10 * ms, "w2"), dc = take(q, 10 * ms);
  CHECK(da.message.id == a);
  CHECK(da.message.idempotency_key == "job-a");
  CHECK(da.message.enqueued_at == at(0));
  CHECK(da.message.deliveries == 1u);
  CHECK_FALSE(da.duplicate);
  CHECK(db.message.id == b);
  CHECK(db.consumer == "w2");
  CHECK(dc.message.id == c);
  CHECK(da.id != db.id);
  CHECK_FALSE(q.receive(at(10 * ms), "w1").has_value());
  CHECK(q.stats().delivered == 3u);
  CHECK(q.stats().redelivered == 0u);
}

TEST_CASE("messages enqueued at the same instant come out in id order", "[queue]") {
  job_queue q(config(), rng(1));
  std::vector<std::uint64_t> ids;
  for (int i = 0; i < 5; ++i) ids.push_back(put(q, 7 * ms, "k" + std::to_string(i)));
  for (const std::uint64_t id : ids) CHECK(take(q, 7 * ms).message.id == id);
}

TEST_CASE("a message in flight is invisible until its visibility timeout, then redelivered", "[queue]") {
  job_queue q(config(), rng(1));
  const auto id = put(q, 0, "job");
  const delivery first = take(q, 0);
  CHECK(first.visible_until == at(30 * s));
  CHECK(q.visible(at(0)) == 0u);
  CHECK(q.in_flight(at(0)) == 1u);
  REQUIRE(q.next_visible_at().has_value());
  CHECK(*q.next_visible_at() == at(30 * s));

  CHECK_FALSE(q.receive(at(30 * s - 1), "w2").has_value());
  CHECK(q.visible(at(30 * s)) == 1u);
  CHECK(q.in_flight(at(30 * s)) == 0u);

  const delivery second = take(q, 30 * s, "w2");
  CHECK(second.message.id == id);
  CHECK(second.message.deliveries == 2u);
  CHECK(second.id != first.id);
  CHECK(second.visible_until == at(60 * s));
  CHECK(q.stats().redelivered == 1u);
  CHECK(q.stats().delivered == 2u);
}

TEST_CASE("a redelivered message queues behind messages visible before its timeout lapsed", "[queue]") {
  job_queue q(config(), rng(1));
  const auto a = put(q, 0, "a");
  (void)take(q, 0);                   // a hidden until 30 s
  const auto b = put(q, 5 * s, "b");  // visible since 5 s
  CHECK(take(q, 40 * s).message.id == b);
  CHECK(take(q, 40 * s).message.id == a);
}

TEST_CASE("ack removes the message, an ack after someone else got it is refused", "[queue]") {
  job_queue q(config(), rng(1));
  (void)put(q, 0, "job");
  const delivery d1 = take(q, 0, "w1");
  const delivery d2 = take(q, 31 * s, "w2");  // w1's visibility lapsed: redelivered to w2

  CHECK_FALSE(q.ack(at(32 * s), d1));
  CHECK(q.stats().stale_acks == 1u);
  CHECK(q.stats().acked == 0u);
  CHECK(q.size() == 1u);  // the stale ack did not delete w2's message

  CHECK(q.ack(at(33 * s), d2));
  CHECK(q.size() == 0u);
  CHECK(q.stats().acked == 1u);
  CHECK_FALSE(q.ack(at(34 * s), d2));  // twice: the message is gone
  CHECK(q.stats().stale_acks == 2u);
  CHECK_FALSE(q.receive(at(100 * s), "w3").has_value());
}

TEST_CASE("an ack after the visibility lapsed still counts if nobody received the message again", "[queue]") {
  job_queue q(config(), rng(1));
  (void)put(q, 0, "job");
  const delivery d = take(q, 0);
  CHECK(q.ack(at(45 * s), d));  // late, as SQS's DeleteMessage with the latest receipt handle
  CHECK(q.size() == 0u);
  CHECK_FALSE(q.receive(at(46 * s), "w2").has_value());
}

TEST_CASE("nack makes the message visible at once and retires the delivery", "[queue]") {
  job_queue q(config(), rng(1));
  (void)put(q, 0, "job");
  const delivery d1 = take(q, 0);
  CHECK(q.nack(at(1 * s), d1));
  CHECK(q.visible(at(1 * s)) == 1u);
  const delivery d2 = take(q, 1 * s, "w2");
  CHECK(d2.message.deliveries == 2u);
  CHECK_FALSE(q.nack(at(2 * s), d1));
  CHECK_FALSE(q.ack(at(2 * s), d1));
  CHECK(q.stats().nacked == 1u);
  CHECK(q.stats().stale_receipts == 1u);
}

TEST_CASE("extend keeps the message invisible, counting from the call", "[queue]") {
  job_queue q(config(), rng(1));
  (void)put(q, 0, "job");
  const delivery d = take(q, 0);
  CHECK(q.extend(at(20 * s), d, duration{30 * s}));  // now hidden until 50 s, not 60 s
  CHECK_FALSE(q.receive(at(45 * s), "w2").has_value());
  CHECK(*q.next_visible_at() == at(50 * s));
  CHECK(q.extend(at(45 * s), d, duration{1 * s}));  // shortening is allowed too: hidden until 46 s
  CHECK_FALSE(q.receive(at(46 * s - 1), "w2").has_value());
  const delivery d2 = take(q, 46 * s, "w2");
  CHECK(d2.message.deliveries == 2u);
  CHECK(q.stats().extended == 2u);
}

TEST_CASE("extend after the visibility lapsed is refused", "[queue]") {
  job_queue q(config(), rng(1));
  (void)put(q, 0, "job");
  const delivery d = take(q, 0);
  CHECK_FALSE(q.extend(at(30 * s), d, duration{30 * s}));  // a heartbeat that came too late
  CHECK(q.stats().stale_receipts == 1u);
  CHECK(q.visible(at(30 * s)) == 1u);
  CHECK(q.ack(at(30 * s), d));  // but nobody took it yet, so the work still counts
}

TEST_CASE("after max_deliveries rounds the next one sends the message to the DLQ", "[queue]") {
  job_queue q(config(0.0, 3), rng(1));
  (void)put(q, 0, "poison");
  for (std::uint32_t round = 1; round <= 3; ++round) {
    const delivery d = take(q, (round - 1) * 31 * s);  // each lapses: the worker crashes every time
    CHECK(d.message.deliveries == round);
  }
  const auto b = put(q, 100 * s, "fine");
  // The fourth round of "poison" goes to the DLQ and receive moves on to the next message.
  CHECK(take(q, 100 * s).message.id == b);
  const auto dead = q.poll_dead_letter();
  REQUIRE(dead.has_value());
  CHECK(dead->cause == dlq_cause::max_deliveries);
  CHECK(dead->message.idempotency_key == "poison");
  CHECK(dead->message.deliveries == 3u);
  CHECK(dead->at == at(100 * s));
  CHECK_FALSE(q.poll_dead_letter().has_value());
  CHECK(q.stats().dead_lettered_by(dlq_cause::max_deliveries) == 1u);
  CHECK(q.stats().dead_lettered_total() == 1u);
  CHECK(q.size() == 1u);  // only "fine" is left
  CHECK(to_string(dlq_cause::max_deliveries) == "max_deliveries");
}

TEST_CASE("a worker can dead-letter a permanent failure directly", "[queue]") {
  job_queue q(config(), rng(1));
  (void)put(q, 0, "bad-payload");
  const delivery d = take(q, 0);
  CHECK(q.dead_letter(at(1 * s), d, dlq_cause::permanent_error));
  CHECK(q.size() == 0u);
  const auto dead = q.poll_dead_letter();
  REQUIRE(dead.has_value());
  CHECK(dead->cause == dlq_cause::permanent_error);
  CHECK(dead->message.deliveries == 1u);
  CHECK(q.stats().dead_lettered_by(dlq_cause::permanent_error) == 1u);
  CHECK(q.stats().dead_lettered_by(dlq_cause::max_deliveries) == 0u);
  CHECK_FALSE(q.dead_letter(at(2 * s), d, dlq_cause::retries_exhausted));  // already gone
  CHECK(q.stats().dead_lettered_total() == 1u);
}

TEST_CASE("duplicate_rate 1 delivers every message exactly twice within a round", "[queue]") {
  job_queue q(config(1.0), rng(7));
  const int n = 50;
  for (int i = 0; i < n; ++i) (void)put(q, 0, "k" + std::to_string(i));
  std::map<std::uint64_t, std::vector<delivery>> by_message;
  while (auto d = q.receive(at(1 * s), "w")) by_message[d->message.id].push_back(*d);
  REQUIRE(by_message.size() == static_cast<std::size_t>(n));
  for (const auto& [id, ds] : by_message) {
    REQUIRE(ds.size() == 2u);
    CHECK_FALSE(ds[0].duplicate);
    CHECK(ds[1].duplicate);
    CHECK(ds[0].message.deliveries == 1u);
    CHECK(ds[1].message.deliveries == 1u);  // the copy shares its round
    CHECK(ds[0].id != ds[1].id);
  }
  CHECK(q.stats().duplicated == static_cast<std::uint64_t>(n));
  CHECK(q.stats().delivered == static_cast<std::uint64_t>(2 * n));
  CHECK(q.in_flight(at(1 * s)) == static_cast<std::size_t>(n));

  // Both copies are current: either may ack, the other is then stale.
  const auto& pair = by_message.begin()->second;
  CHECK(q.ack(at(2 * s), pair[1]));
  CHECK_FALSE(q.ack(at(2 * s), pair[0]));
}

TEST_CASE("a duplicate copy does not count towards max_deliveries", "[queue]") {
  job_queue q(config(1.0, 1), rng(7));
  (void)put(q, 0, "job");
  CHECK_FALSE(take(q, 0).duplicate);
  CHECK(take(q, 0).duplicate);
  CHECK_FALSE(q.poll_dead_letter().has_value());
  CHECK_FALSE(q.receive(at(30 * s), "w").has_value());  // the next round would be the second: DLQ
  CHECK(q.stats().dead_lettered_by(dlq_cause::max_deliveries) == 1u);
}

TEST_CASE("no duplicate copy once the first copy was released", "[queue]") {
  job_queue q(config(1.0), rng(7));
  (void)put(q, 0, "job");
  const delivery d1 = take(q, 0);
  CHECK(q.nack(at(1 * s), d1));
  const delivery d2 = take(q, 1 * s);
  CHECK_FALSE(d2.duplicate);
  CHECK(d2.message.deliveries == 2u);  // a new round, not a copy of the first
  CHECK(q.stats().duplicated == 0u);
}

TEST_CASE("duplicate_rate 0 never duplicates", "[queue]") {
  job_queue q(config(0.0), rng(7));
  const int n = 2000;
  for (int i = 0; i < n; ++i) (void)put(q, 0, "k" + std::to_string(i));
  int received = 0;
  while (auto d = q.receive(at(1 * s), "w")) {
    CHECK_FALSE(d->duplicate);
    ++received;
  }
  CHECK(received == n);
  CHECK(q.stats().duplicated == 0u);
}

TEST_CASE("duplicate_rate 0.3 duplicates about 30 % of rounds", "[queue]") {
  const double p = 0.3;
  const int n = 20'000;
  job_queue q(config(p), rng(12345));
  for (int i = 0; i < n; ++i) (void)put(q, 0, "k" + std::to_string(i));
  std::uint64_t duplicates = 0, deliveries = 0;
  while (auto d = q.receive(at(1 * s), "w")) {
    ++deliveries;
    if (d->duplicate) ++duplicates;
  }
  const double observed = static_cast<double>(duplicates) / n;
  const double se = std::sqrt(p * (1 - p) / n);
  CHECK(within_se(observed, p, se));
  CHECK(deliveries == static_cast<std::uint64_t>(n) + duplicates);
  CHECK(q.stats().duplicated == duplicates);
}

namespace {
// A fixed script of operations with duplicates and lapses; returns what each receive handed out.
std::vector<std::uint64_t> script(std::uint64_t seed) {
  job_queue q(config(0.5, 3), rng(seed));
  std::vector<std::uint64_t> trace;
  for (int i = 0; i < 200; ++i) (void)q.enqueue(at(0), "k" + std::to_string(i));
  for (int step = 0; step < 600; ++step) {
    const std::int64_t t = step * 200 * ms;
    auto d = q.receive(at(t), "w");
    if (!d) continue;
    trace.push_back(d->id * 1'000'003 + d->message.id * 4 + d->message.deliveries * 2 + (d->duplicate ? 1 : 0));
    if (step % 3 == 0) (void)q.ack(at(t), *d);  // the others crash and lapse
  }
  return trace;
}
}  // namespace

TEST_CASE("the same seed gives the same deliveries, another seed does not", "[queue]") {
  const auto a = script(99), b = script(99), c = script(100);
  CHECK(a.size() > 100u);
  CHECK(a == b);
  CHECK(a != c);
}

TEST_CASE("enqueue beyond max_messages is rejected and counted", "[queue]") {
  job_queue q(config(0.0, 5, 2), rng(1));
  (void)put(q, 0, "a");
  (void)put(q, 0, "b");
  CHECK_FALSE(q.enqueue(at(0), "c").has_value());
  CHECK(q.stats().rejected_full == 1u);
  CHECK(q.stats().enqueued == 2u);
  CHECK(q.ack(at(1 * s), take(q, 1 * s)));
  CHECK(q.enqueue(at(1 * s), "c").has_value());  // room again
}

TEST_CASE("memory returns to zero once every message is acked", "[queue]") {
  job_queue q(config(0.5), rng(3));
  const int n = 300;
  for (int i = 0; i < n; ++i) (void)put(q, i * ms, "k" + std::to_string(i));
  CHECK(q.size() == static_cast<std::size_t>(n));
  std::vector<delivery> held;
  while (auto d = q.receive(at(1 * s), "w")) held.push_back(*d);
  CHECK(q.stats().duplicated > 0u);
  for (const delivery& d : held) (void)q.ack(at(2 * s), d);
  CHECK(q.size() == 0u);
  CHECK(q.visible(at(2 * s)) == 0u);
  CHECK(q.in_flight(at(2 * s)) == 0u);
  CHECK_FALSE(q.next_visible_at().has_value());
  CHECK(q.stats().acked == static_cast<std::uint64_t>(n));
  CHECK(q.stats().stale_acks == q.stats().duplicated);  // the second copy of each pair found it gone
}
