// sim::sim_runtime over a scripted backend: each send_http ends exactly once, at min(reply, deadline).
#include <catch2/catch.hpp>

#include <cstdint>
#include <deque>
#include <map>
#include <vector>

#include "sim/sim_runtime.hpp"

using squall::sim::http_backend;
using squall::sim::http_reply;
using squall::sim::node_clock;
using squall::sim::rng;
using squall::sim::sim_runtime;
using squall::sim::simulator;
using squall::stack::attempt_kind;
using squall::stack::attempt_result;
using squall::stack::duration;
using squall::stack::http_handler;
using squall::stack::instant;
using squall::stack::instant_from_ns;
using squall::stack::ns_since_start;

namespace {

constexpr std::int64_t ms = 1'000'000;

// Answers each request with the next scripted (answers, delay, status); records what it was asked.
class scripted_backend final : public http_backend {
 public:
  struct step {
    bool answers;
    std::int64_t delay_ns;
    int status;
    attempt_kind kind = attempt_kind::response;
  };
  std::deque<step> script;
  std::vector<std::pair<std::size_t, std::int64_t>> asked;  // (dependency, now)

  http_reply serve(std::size_t dependency, instant now) override {
    asked.emplace_back(dependency, ns_since_start(now));
    REQUIRE(!script.empty());
    const step s = script.front();
    script.pop_front();
    http_reply r;
    r.answers = s.answers;
    r.at = now + duration{s.delay_ns};
    r.result.kind = s.kind;
    r.result.status = s.status;
    r.result.retry_after = duration{7 * ms};
    r.result.latency = duration{-1};  // the runtime must overwrite it
    return r;
  }
};

class recording_sink final : public squall::history::event_sink {
 public:
  std::vector<squall::history::event> events;
  void on_event(const squall::history::event& e) override { events.push_back(e); }
};

struct delivery {
  std::uint64_t call;
  std::int64_t at_ns;
  attempt_result result;
};

// Collects every handler invocation.
struct client {
  simulator& sim;
  std::vector<delivery> got;
  static void done(void* self, std::uint64_t arg, const attempt_result& r) {
    auto& c = *static_cast<client*>(self);
    c.got.push_back({arg, c.sim.now_ns(), r});
  }
  http_handler handler(std::uint64_t call) { return http_handler{&client::done, this, call}; }
};

struct fixture {
  simulator sim;
  scripted_backend backend;
  recording_sink sink;
  sim_runtime rt{sim, backend, sink, rng(1)};
  client c{sim, {}};
};

}  // namespace

TEST_CASE("a reply before the deadline is delivered at its time with its latency", "[sim_runtime]") {
  fixture f;
  f.backend.script.push_back({true, 30 * ms, 503});
  f.sim.run_until(instant_from_ns(5 * ms));
  f.rt.send_http(2, duration{100 * ms}, f.c.handler(1));
  REQUIRE(f.backend.asked.size() == 1);
  CHECK(f.backend.asked[0] == std::make_pair(std::size_t{2}, 5 * ms));  // asked at send time, for dep 2
  f.sim.run_until(instant_from_ns(1000 * ms));
  REQUIRE(f.c.got.size() == 1);
  const delivery& d = f.c.got[0];
  CHECK(d.call == 1);
  CHECK(d.at_ns == 35 * ms);
  CHECK(d.result.kind == attempt_kind::response);
  CHECK(d.result.status == 503);
  CHECK(d.result.retry_after == duration{7 * ms});
  CHECK(d.result.latency == duration{30 * ms});
}

TEST_CASE("a later reply becomes a timeout at exactly sent + timeout", "[sim_runtime]") {
  fixture f;
  f.backend.script.push_back({true, 150 * ms, 200});
  f.sim.run_until(instant_from_ns(1 * ms));
  f.rt.send_http(0, duration{100 * ms}, f.c.handler(7));
  f.sim.run_until(instant_from_ns(1000 * ms));
  REQUIRE(f.c.got.size() == 1);  // not again when the server's answer would have arrived
  CHECK(f.c.got[0].at_ns == 101 * ms);
  CHECK(f.c.got[0].result.kind == attempt_kind::timeout);
  CHECK(f.c.got[0].result.status == 0);
  CHECK(f.c.got[0].result.retry_after == duration{0});
  CHECK(f.c.got[0].result.latency == duration{100 * ms});
  CHECK_FALSE(f.c.got[0].result.success());
}

TEST_CASE("a hang ends with the client's timeout", "[sim_runtime]") {
  fixture f;
  f.backend.script.push_back({false, 0, 200});
  f.rt.send_http(0, duration{250 * ms}, f.c.handler(1));
  f.sim.run_until(instant_from_ns(10'000 * ms));
  REQUIRE(f.c.got.size() == 1);
  CHECK(f.c.got[0].at_ns == 250 * ms);
  CHECK(f.c.got[0].result.kind == attempt_kind::timeout);
  CHECK(f.c.got[0].result.latency == duration{250 * ms});
}

TEST_CASE("a reply exactly at the deadline counts as a timeout", "[sim_runtime]") {
  // The client's timer and the response are simultaneous; the client gives up first (documented tie rule).
  fixture f;
  f.backend.script.push_back({true, 100 * ms, 200});
  f.backend.script.push_back({true, 100 * ms - 1, 200});
  f.rt.send_http(0, duration{100 * ms}, f.c.handler(1));
  f.rt.send_http(0, duration{100 * ms}, f.c.handler(2));
  f.sim.run_until(instant_from_ns(1000 * ms));
  REQUIRE(f.c.got.size() == 2);
  // The earlier one is delivered first even though it was sent second.
  CHECK(f.c.got[0].call == 2);
  CHECK(f.c.got[0].result.kind == attempt_kind::response);
  CHECK(f.c.got[0].result.latency == duration{100 * ms - 1});
  CHECK(f.c.got[1].call == 1);
  CHECK(f.c.got[1].result.kind == attempt_kind::timeout);
}

TEST_CASE("non-response results pass through with their kind", "[sim_runtime]") {
  fixture f;
  f.backend.script.push_back({true, 1 * ms, 0, attempt_kind::connect_failure});
  f.backend.script.push_back({true, 3 * ms, 0, attempt_kind::reset});
  f.rt.send_http(0, duration{100 * ms}, f.c.handler(1));
  f.rt.send_http(0, duration{100 * ms}, f.c.handler(2));
  f.sim.run_until(instant_from_ns(1000 * ms));
  REQUIRE(f.c.got.size() == 2);
  CHECK(f.c.got[0].result.kind == attempt_kind::connect_failure);
  CHECK(f.c.got[0].result.latency == duration{1 * ms});
  CHECK(f.c.got[1].result.kind == attempt_kind::reset);
  CHECK(f.c.got[1].at_ns == 3 * ms);
}

TEST_CASE("many overlapping calls: each handler exactly once, at min(reply, deadline)", "[sim_runtime]") {
  fixture f;
  rng r(99);
  struct expectation {
    std::int64_t at_ns;
    bool timeout;
  };
  std::map<std::uint64_t, expectation> expected;
  // Calls are sent in bursts from inside the simulation, so slots are freed and reused while others are pending.
  struct sender {
    fixture& f;
    rng& r;
    std::map<std::uint64_t, expectation>& expected;
    std::uint64_t next_call = 0;
    static void fire(void* self, std::uint64_t) {
      auto& s = *static_cast<sender*>(self);
      for (int k = 0; k < 20; ++k) {
        const bool answers = s.r.bernoulli(0.8);
        const auto delay = static_cast<std::int64_t>(s.r.uniform(0, 200)) * ms;
        const auto timeout = static_cast<std::int64_t>(s.r.uniform(1, 150)) * ms;
        s.f.backend.script.push_back({answers, delay, 200});
        const std::int64_t now = s.f.sim.now_ns();
        const bool times_out = !answers || delay >= timeout;
        s.expected[s.next_call] = {now + (times_out ? timeout : delay), times_out};
        s.f.rt.send_http(0, duration{timeout}, s.f.c.handler(s.next_call++));
      }
      if (s.next_call < 5000) s.f.sim.at(instant_from_ns(s.f.sim.now_ns() + 13 * ms), {&sender::fire, &s, 0});
    }
  } snd{f, r, expected};
  f.sim.at(instant_from_ns(0), {&sender::fire, &snd, 0});
  f.sim.run_until(instant_from_ns(3'600'000 * ms));

  REQUIRE(f.c.got.size() == expected.size());
  std::map<std::uint64_t, int> times_called;
  std::int64_t last = 0;
  for (const delivery& d : f.c.got) {
    ++times_called[d.call];
    const expectation& e = expected.at(d.call);
    REQUIRE(d.at_ns == e.at_ns);
    REQUIRE((d.result.kind == attempt_kind::timeout) == e.timeout);
    REQUIRE(d.at_ns >= last);  // delivered in time order
    last = d.at_ns;
  }
  for (const auto& [call, n] : times_called) REQUIRE(n == 1);
  CHECK(times_called.size() == expected.size());
  CHECK(f.sim.pending() == 0);
}

TEST_CASE("a handler may send again from inside its callback", "[sim_runtime]") {
  fixture f;
  struct again {
    fixture& f;
    int remaining;
    std::vector<std::int64_t> ends;
    static void done(void* self, std::uint64_t, const attempt_result& r) {
      auto& a = *static_cast<again*>(self);
      a.ends.push_back(a.f.sim.now_ns());
      CHECK(r.kind == attempt_kind::timeout);
      if (--a.remaining > 0) a.f.rt.send_http(0, duration{10 * ms}, {&again::done, &a, 0});
    }
  } a{f, 5, {}};
  for (int i = 0; i < 5; ++i) f.backend.script.push_back({false, 0, 200});
  f.rt.send_http(0, duration{10 * ms}, {&again::done, &a, 0});
  f.sim.run_until(instant_from_ns(1000 * ms));
  CHECK(a.ends == std::vector<std::int64_t>{10 * ms, 20 * ms, 30 * ms, 40 * ms, 50 * ms});
}

TEST_CASE("emit stamps simulated time and an increasing sequence", "[sim_runtime]") {
  fixture f;
  struct emitter {
    fixture& f;
    static void fire(void* self, std::uint64_t arg) {
      auto& e = *static_cast<emitter*>(self);
      squall::history::event ev;
      ev.t_ns = -123;  // overwritten
      ev.seq = 999;    // overwritten
      ev.req = arg;
      e.f.rt.emit(ev);
    }
  } em{f};
  f.sim.at(instant_from_ns(20), {&emitter::fire, &em, 1});
  f.sim.at(instant_from_ns(10), {&emitter::fire, &em, 2});
  f.sim.at(instant_from_ns(10), {&emitter::fire, &em, 3});
  f.sim.run_until(instant_from_ns(100));
  REQUIRE(f.sink.events.size() == 3);
  CHECK(f.sink.events[0].req == 2);
  CHECK(f.sink.events[0].t_ns == 10);
  CHECK(f.sink.events[1].req == 3);
  CHECK(f.sink.events[1].t_ns == 10);
  CHECK(f.sink.events[2].req == 1);
  CHECK(f.sink.events[2].t_ns == 20);
  for (std::size_t i = 0; i < 3; ++i) CHECK(f.sink.events[i].seq == i);
  CHECK(f.rt.events_emitted() == 3);
}

TEST_CASE("uniform01 comes from the jitter stream", "[sim_runtime]") {
  fixture f;
  rng same(1);
  for (int i = 0; i < 100; ++i) REQUIRE(f.rt.uniform01() == same.uniform01());
}

TEST_CASE("a skewed node clock: now() is local, at() takes local instants", "[sim_runtime]") {
  simulator sim;
  scripted_backend backend;
  recording_sink sink;
  const node_clock clock(duration{50 * ms}, 1000.0);  // 50 ms ahead, +1 ms per second
  sim_runtime rt(sim, backend, sink, rng(1), clock);
  sim.run_until(instant_from_ns(1000 * ms));
  CHECK(ns_since_start(rt.now()) == 1000 * ms + 50 * ms + 1 * ms);

  struct probe {
    simulator& sim;
    std::int64_t ran_at = -1;
    static void fire(void* self, std::uint64_t) {
      auto& p = *static_cast<probe*>(self);
      p.ran_at = p.sim.now_ns();
    }
  } p{sim}, past{sim};
  // Local 2052 ms (2000 + 50 + 2) is true 2000 ms.
  rt.at(instant_from_ns(2052 * ms), {&probe::fire, &p, 0});
  // A local instant that maps before the true now runs now instead of in the past.
  rt.at(instant_from_ns(0), {&probe::fire, &past, 0});
  sim.run_until(instant_from_ns(5000 * ms));
  CHECK(p.ran_at == 2000 * ms);
  CHECK(past.ran_at == 1000 * ms);

  // Events carry true time, whatever the node's clock says.
  squall::history::event e;
  rt.emit(e);
  CHECK(sink.events.back().t_ns == 5000 * ms);
}
