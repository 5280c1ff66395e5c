// fakes::http_service: FIFO capacity, the queue bound, abandoned work, baseline errors and every fault kind
// inside its [from, to) window and not outside it.
#include <catch2/catch.hpp>

#include <cmath>
#include <cstdint>
#include <vector>

#include "fakes/http_service.hpp"
#include "sim/rng.hpp"
#include "tests/sim/moments.hpp"

using namespace squall::fakes;
using squall::sim::http_reply;
using squall::sim::rng;
using squall::stack::attempt_kind;
using squall::stack::instant_from_ns;
using squall::stack::ns_since_start;
using squall::test::within_se;

namespace {

constexpr std::int64_t ms = 1'000'000, s = 1'000'000'000;

dependency_config constant_dep(int capacity, double latency_ms, std::size_t queue_max = 100'000) {
  dependency_config d;
  d.name = "api";
  d.capacity = capacity;
  d.queue_max = queue_max;
  d.latency.dist = latency_dist::constant;
  d.latency.value_ms = latency_ms;
  return d;
}

fault_config fault(fault_kind kind, std::int64_t from_ns, std::int64_t to_ns) {
  fault_config f;
  f.kind = kind;
  f.target = "api";
  f.from = duration{from_ns};
  f.to = duration{to_ns};
  return f;
}

std::int64_t at_ns(const http_reply& r) { return ns_since_start(r.at); }
http_reply serve(http_service& svc, std::int64_t t) { return svc.serve(instant_from_ns(t)); }

bool ok_at(const http_reply& r, std::int64_t t) {
  return r.answers && r.result.kind == attempt_kind::response && r.result.status == 200 && at_ns(r) == t;
}

}  // namespace

TEST_CASE("capacity c: c simultaneous requests finish at now+L, the next ones queue FIFO", "[http_service]") {
  const int c = 4;
  http_service svc(constant_dep(c, 10), {}, rng(1));
  const std::int64_t now = 3 * s;
  for (int i = 0; i < c; ++i) CHECK(ok_at(serve(svc, now), now + 10 * ms));
  CHECK(ok_at(serve(svc, now), now + 20 * ms));  // the (c+1)-th waits one service time
  for (int i = 1; i < c; ++i) CHECK(ok_at(serve(svc, now), now + 20 * ms));
  CHECK(ok_at(serve(svc, now), now + 30 * ms));  // the (2c+1)-th waits two
  CHECK(svc.queued(instant_from_ns(now)) == c + 1);

  // A request arriving while the queue drains starts at the earliest free slot, not at its arrival.
  CHECK(ok_at(serve(svc, now + 15 * ms), now + 30 * ms));
  // Once everything has drained, a request is served at once.
  CHECK(ok_at(serve(svc, now + 1 * s), now + 1 * s + 10 * ms));
}

TEST_CASE("queued() counts requests waiting for a slot at a given time", "[http_service]") {
  http_service svc(constant_dep(1, 100), {}, rng(1));
  for (int i = 0; i < 4; ++i) (void)serve(svc, 0);  // start at 0, 100, 200, 300 ms
  CHECK(svc.queued(instant_from_ns(0)) == 3);
  CHECK(svc.queued(instant_from_ns(100 * ms - 1)) == 3);
  CHECK(svc.queued(instant_from_ns(100 * ms)) == 2);  // the second has started
  CHECK(svc.queued(instant_from_ns(250 * ms)) == 1);
  CHECK(svc.queued(instant_from_ns(300 * ms)) == 0);
}

TEST_CASE("beyond queue_max waiting requests, a 503 comes back fast", "[http_service]") {
  http_service svc(constant_dep(1, 100, 2), {}, rng(1));
  CHECK(ok_at(serve(svc, 0), 100 * ms));  // in service
  CHECK(ok_at(serve(svc, 0), 200 * ms));  // waiting 1
  CHECK(ok_at(serve(svc, 0), 300 * ms));  // waiting 2
  const http_reply full = serve(svc, 0);
  CHECK(full.result.kind == attempt_kind::response);
  CHECK(full.result.status == 503);
  CHECK(at_ns(full) == 1 * ms);
  CHECK(svc.queued(instant_from_ns(0)) == 2);  // the rejected one is not queued
  // When one waiting request has started there is room again; the new one queues behind the rest.
  CHECK(ok_at(serve(svc, 100 * ms), 400 * ms));
  CHECK(serve(svc, 100 * ms).result.status == 503);
}

TEST_CASE("queue_max = 0 serves requests that need not wait and refuses the rest", "[http_service]") {
  // Used to answer 503 to every request, even with free slots.
  http_service svc(constant_dep(2, 100, 0), {}, rng(1));
  CHECK(ok_at(serve(svc, 0), 100 * ms));
  CHECK(ok_at(serve(svc, 0), 100 * ms));
  CHECK(serve(svc, 0).result.status == 503);
  CHECK(serve(svc, 50 * ms).result.status == 503);
  CHECK(ok_at(serve(svc, 100 * ms), 200 * ms));
}

TEST_CASE("abandoned requests keep their slot", "[http_service]") {
  // The service is never told a client gave up: ten requests at t=0 occupy a 2-slot service until 500 ms,
  // whatever the clients' timeouts were, so a request at 200 ms starts only at 500 ms.
  http_service svc(constant_dep(2, 100), {}, rng(1));
  for (int i = 0; i < 10; ++i) (void)serve(svc, 0);
  CHECK(ok_at(serve(svc, 200 * ms), 600 * ms));
}

TEST_CASE("same seed, same replies", "[http_service]") {
  dependency_config d = constant_dep(3, 0);
  d.latency.dist = latency_dist::lognormal;
  d.latency.median_ms = 20;
  d.latency.sigma = 0.8;
  d.errors.rate = 0.05;
  http_service a(d, {}, rng(5)), b(d, {}, rng(5)), c(d, {}, rng(6));
  bool differs = false;
  for (std::int64_t t = 0; t < 2 * s; t += 3 * ms) {
    const http_reply x = serve(a, t), y = serve(b, t), z = serve(c, t);
    REQUIRE(x.at == y.at);
    REQUIRE(x.result.status == y.result.status);
    differs = differs || x.at != z.at;
  }
  CHECK(differs);
}

TEST_CASE("baseline errors: answered after latency_ms, using no capacity, at the configured rate", "[http_service]") {
  dependency_config d = constant_dep(1, 100);
  d.errors = {1.0, 502, 3.0};
  http_service all(d, {}, rng(1));
  for (int i = 0; i < 10; ++i) {
    const http_reply r = serve(all, 0);
    CHECK(r.result.status == 502);
    CHECK(at_ns(r) == 3 * ms);
  }
  CHECK(all.queued(instant_from_ns(0)) == 0);

  d = constant_dep(1'000'000, 10);
  d.errors = {0.1, 503, 1.0};
  http_service some(d, {}, rng(2));
  const int n = 50'000;
  int errors = 0;
  for (int i = 0; i < n; ++i) errors += serve(some, i * ms).result.status == 503 ? 1 : 0;
  CHECK(within_se(static_cast<double>(errors) / n, 0.1, std::sqrt(0.1 * 0.9 / n)));
}

TEST_CASE("error_storm: inside (from, to) only, fast, no capacity used", "[http_service]") {
  fault_config f = fault(fault_kind::error_storm, 1 * s, 2 * s);
  f.rate = 1.0;
  f.status = 500;
  f.latency_ms = 2;
  f.retry_after_s = 0.5;
  http_service svc(constant_dep(1, 100), {f}, rng(1));
  CHECK(ok_at(serve(svc, 1 * s - 1), 1 * s - 1 + 100 * ms));  // just before: served (and holds the slot)
  const http_reply first = serve(svc, 1 * s);
  CHECK(first.result.status == 500);
  CHECK(at_ns(first) == 1 * s + 2 * ms);  // not queued behind the request in service
  CHECK(first.result.retry_after == duration{500 * ms});
  for (int i = 0; i < 100; ++i) CHECK(serve(svc, 1 * s + 500 * ms).result.status == 500);
  CHECK(serve(svc, 2 * s - 1).result.status == 500);  // last instant of the window
  CHECK(ok_at(serve(svc, 2 * s), 2 * s + 100 * ms));  // the end is exclusive; the storm used no capacity
}

TEST_CASE("error_storm at rate p fails a fraction p of requests", "[http_service]") {
  fault_config f = fault(fault_kind::error_storm, 0, 100 * s);
  f.rate = 0.3;
  f.status = 500;
  http_service svc(constant_dep(1'000'000, 10), {f}, rng(3));
  const int n = 50'000;
  int storm = 0, ok = 0;
  for (int i = 0; i < n; ++i) {
    const int status = serve(svc, i * ms).result.status;
    storm += status == 500 ? 1 : 0;
    ok += status == 200 ? 1 : 0;
  }
  CHECK(storm + ok == n);
  CHECK(within_se(static_cast<double>(storm) / n, 0.3, std::sqrt(0.3 * 0.7 / n)));
}

TEST_CASE("latency_spike multiplies and adds to service time for arrivals in its window", "[http_service]") {
  fault_config mult = fault(fault_kind::latency_spike, 1 * s, 2 * s);
  mult.multiplier = 3;
  http_service svc(constant_dep(100, 10), {mult}, rng(1));
  CHECK(ok_at(serve(svc, 1 * s - 1), 1 * s - 1 + 10 * ms));
  CHECK(ok_at(serve(svc, 1 * s), 1 * s + 30 * ms));
  CHECK(ok_at(serve(svc, 2 * s - 1), 2 * s - 1 + 30 * ms));
  CHECK(ok_at(serve(svc, 2 * s), 2 * s + 10 * ms));

  fault_config add = fault(fault_kind::latency_spike, 0, 1 * s);
  add.add_ms = 5;
  http_service added(constant_dep(100, 10), {add}, rng(1));
  CHECK(ok_at(serve(added, 0), 15 * ms));

  // Overlapping spikes compose: multipliers multiply, additions add (applied after multiplying).
  fault_config both = fault(fault_kind::latency_spike, 0, 1 * s);
  both.multiplier = 2;
  both.add_ms = 5;
  http_service composed(constant_dep(100, 10), {both, mult, add}, rng(1));
  CHECK(ok_at(serve(composed, 0), 10 * ms * 2 + 10 * ms));          // mult is not active yet
  CHECK(ok_at(serve(composed, 1 * s), 1 * s + 10 * ms * 3));         // only mult is active
  fault_config late = fault(fault_kind::latency_spike, 0, 1 * s);
  late.multiplier = 4;
  http_service stacked(constant_dep(100, 10), {both, late}, rng(1));
  CHECK(ok_at(serve(stacked, 0), 10 * ms * 8 + 5 * ms));

  // A spiked request holds its slot for the longer time: the next one waits for it.
  http_service one(constant_dep(1, 10), {mult}, rng(1));
  (void)serve(one, 1 * s);
  CHECK(ok_at(serve(one, 1 * s), 1 * s + 60 * ms));
}

TEST_CASE("outage: connection refused after 1 ms inside the window", "[http_service]") {
  http_service svc(constant_dep(1, 100), {fault(fault_kind::outage, 1 * s, 2 * s)}, rng(1));
  CHECK(ok_at(serve(svc, 1 * s - 1), 1 * s - 1 + 100 * ms));
  for (std::int64_t t : {1 * s, 1 * s + 1, 2 * s - 1}) {
    const http_reply r = serve(svc, t);
    CHECK(r.answers);
    CHECK(r.result.kind == attempt_kind::connect_failure);
    CHECK(at_ns(r) == t + 1 * ms);
    CHECK_FALSE(r.result.success());
  }
  CHECK(ok_at(serve(svc, 2 * s), 2 * s + 100 * ms));
}

TEST_CASE("hang: no answer inside the window, at its rate, holding no slot", "[http_service]") {
  http_service svc(constant_dep(1, 100), {fault(fault_kind::hang, 1 * s, 2 * s)}, rng(1));
  CHECK(serve(svc, 1 * s - 1).answers);
  for (int i = 0; i < 10; ++i) CHECK_FALSE(serve(svc, 1 * s).answers);
  CHECK_FALSE(serve(svc, 2 * s - 1).answers);
  CHECK(ok_at(serve(svc, 2 * s), 2 * s + 100 * ms));

  fault_config half = fault(fault_kind::hang, 0, 1000 * s);
  half.rate = 0.25;
  http_service some(constant_dep(1'000'000, 10), {half}, rng(2));
  const int n = 40'000;
  int hung = 0;
  for (int i = 0; i < n; ++i) hung += serve(some, i * ms).answers ? 0 : 1;
  CHECK(within_se(static_cast<double>(hung) / n, 0.25, std::sqrt(0.25 * 0.75 / n)));
}

TEST_CASE("rate_limit: exactly limit_per_s pass in each second of the window, the rest get 429", "[http_service]") {
  fault_config f = fault(fault_kind::rate_limit, 1 * s, 3 * s);
  f.limit_per_s = 5;
  f.retry_after_s = 2;
  http_service svc(constant_dep(1'000'000, 10), {f}, rng(1));
  int passed[4] = {0, 0, 0, 0}, limited[4] = {0, 0, 0, 0};
  for (std::int64_t t = 0; t < 4 * s; t += 10 * ms) {
    const http_reply r = serve(svc, t);
    const auto second = static_cast<std::size_t>(t / s);
    if (r.result.status == 200) {
      ++passed[second];
      CHECK(at_ns(r) == t + 10 * ms);
    } else {
      REQUIRE(r.result.status == 429);
      ++limited[second];
      CHECK(at_ns(r) == t + 1 * ms);
      CHECK(r.result.retry_after == duration{2 * s});
    }
  }
  CHECK(passed[0] == 100);
  CHECK(passed[1] == 5);
  CHECK(passed[2] == 5);
  CHECK(passed[3] == 100);
  CHECK(limited[1] == 95);
  CHECK(limited[2] == 95);
  CHECK(limited[0] + limited[3] == 0);

  // The first requests of each second are the ones that pass.
  http_service order(constant_dep(1'000'000, 10), {f}, rng(1));
  for (int i = 0; i < 5; ++i) CHECK(serve(order, 1 * s + 500 * ms).result.status == 200);
  CHECK(serve(order, 1 * s + 500 * ms).result.status == 429);
  CHECK(serve(order, 2 * s - 1).result.status == 429);
  CHECK(serve(order, 2 * s).result.status == 200);  // a new second
}

TEST_CASE("rate_limit: without retry_after_s there is no Retry-After, 429s use no capacity", "[http_service]") {
  fault_config f = fault(fault_kind::rate_limit, 0, 1 * s);
  f.limit_per_s = 1;
  http_service svc(constant_dep(1, 100), {f}, rng(1));
  CHECK(ok_at(serve(svc, 0), 100 * ms));
  const http_reply r = serve(svc, 0);
  CHECK(r.result.status == 429);
  CHECK(r.result.retry_after == duration{0});
  CHECK(ok_at(serve(svc, 1 * s), 1 * s + 100 * ms));
}

TEST_CASE("reset: reset kind partway through service, freeing the slot early", "[http_service]") {
  // Only the request at t=0 is inside the window [0, 1 ns).
  http_service svc(constant_dep(1, 100), {fault(fault_kind::reset, 0, 1)}, rng(1));
  const http_reply first = serve(svc, 0);
  CHECK(first.answers);
  CHECK(first.result.kind == attempt_kind::reset);
  CHECK(first.result.status == 0);
  CHECK_FALSE(first.result.success());
  CHECK(at_ns(first) >= 0);
  CHECK(at_ns(first) < 100 * ms);
  // The next request takes the slot when the connection dropped, not when the full service would have ended.
  const http_reply second = serve(svc, 1);
  CHECK(ok_at(second, std::max<std::int64_t>(1, at_ns(first)) + 100 * ms));
  CHECK(at_ns(second) < 200 * ms);

  fault_config some = fault(fault_kind::reset, 0, 1000 * s);
  some.rate = 0.4;
  http_service many(constant_dep(1'000'000, 100), {some}, rng(2));
  const int n = 40'000;
  int resets = 0;
  squall::test::moments fraction_served;
  for (int i = 0; i < n; ++i) {
    const http_reply r = serve(many, i * ms);
    if (r.result.kind == attempt_kind::reset) {
      ++resets;
      fraction_served.add(static_cast<double>(at_ns(r) - i * ms) / (100.0 * ms));
    }
  }
  CHECK(within_se(static_cast<double>(resets) / n, 0.4, std::sqrt(0.4 * 0.6 / n)));
  // The drop point is uniform over the service time: mean 1/2, standard error sqrt(1/12/n).
  CHECK(within_se(fraction_served.mean, 0.5, std::sqrt(1.0 / 12 / static_cast<double>(fraction_served.n))));
  CHECK(serve(many, 1000 * s).result.kind == attempt_kind::response);
}
