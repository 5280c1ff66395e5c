#pragma once
// Hand-made event streams for checker tests: times in milliseconds, sequence numbers assigned in order.
#include <cstdint>
#include <vector>

#include <nlohmann/json.hpp>

#include "history/event.hpp"
#include "reports/report_builder.hpp"

namespace squall::reports::test {

using history::breaker_state;
using history::event;
using history::event_type;
using history::fail_reason;

inline constexpr std::int64_t ms = 1'000'000;
inline constexpr std::int64_t s = 1'000'000'000;

struct event_stream {
  std::vector<event> events;
  std::uint64_t seq = 0;

  event& add(event_type type, std::int64_t t_ns) {
    event e;
    e.type = type;
    e.t_ns = t_ns;
    e.seq = seq++;
    events.push_back(e);
    return events.back();
  }
  void invoke(std::int64_t t, std::uint64_t req) { add(event_type::invoke, t).req = req; }
  void attempt(std::int64_t t, std::uint64_t req, std::uint16_t n) {
    event& e = add(event_type::attempt, t);
    e.req = req;
    e.attempt = n;
    e.proc = 0;
  }
  void retry(std::int64_t t, std::uint64_t req, std::uint16_t next) {
    event& e = add(event_type::retry, t);
    e.req = req;
    e.attempt = next;
    e.proc = 0;
    e.value_ns = 5 * ms;
  }
  void ok(std::int64_t t, std::uint64_t req, std::int64_t latency_ns) {
    event& e = add(event_type::ok, t);
    e.req = req;
    e.proc = 0;
    e.value_ns = latency_ns;
  }
  void fail(std::int64_t t, std::uint64_t req, fail_reason reason, event_type type = event_type::fail) {
    event& e = add(type, t);
    e.req = req;
    e.reason = reason;
  }
  void transition(std::int64_t t, breaker_state from, breaker_state to, bool shadow = false) {
    event& e = add(event_type::breaker, t);
    e.from = from;
    e.to = to;
    e.shadow = shadow;
  }
  void reject(std::int64_t t, std::uint64_t req, bool shadow) {
    event& e = add(event_type::breaker_reject, t);
    e.req = req;
    e.shadow = shadow;
  }
  // A whole original in one go: invoke, `attempts` attempts, then ok or fail.
  void request(std::int64_t t, std::uint64_t req, int attempts, bool succeeded) {
    invoke(t, req);
    for (int a = 1; a <= attempts; ++a) attempt(t, req, static_cast<std::uint16_t>(a));
    if (succeeded) {
      ok(t, req, 10 * ms);
    } else {
      fail(t, req, fail_reason::exhausted);
    }
  }
};

inline history::header make_header(std::int64_t duration_ns, std::vector<std::string> gates = {}) {
  history::header h;
  h.scenario = "unit";
  h.description = "hand-made";
  h.seed = 7;
  h.duration_ns = duration_ns;
  h.dependencies = {"api"};
  h.gates = std::move(gates);
  h.repro = "squall run unit.json --seed 7";
  return h;
}

inline nlohmann::json build(const history::header& h, const event_stream& stream) {
  report_builder b(h);
  for (const event& e : stream.events) b.on_event(e);
  return b.finish();
}

}  // namespace squall::reports::test
