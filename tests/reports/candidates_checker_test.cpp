// The `candidates` section over hand-made histories: would-rejects, transitions, agreement with the enforced
// policy's decisions, and the enforced sections left untouched by candidates' events.
#include <catch2/catch.hpp>

#include "event_stream.hpp"
#include "reports/candidates_checker.hpp"
#include "reports/gates.hpp"

using namespace squall::reports::test;
using squall::history::candidate_info;
using nlohmann::json;

namespace {

// Two candidates: "a" a per_attempt breaker, "b-2" a per_attempt breaker and a budget.
squall::history::header two_candidates(std::vector<std::string> gates = {}) {
  auto h = make_header(10 * s, std::move(gates));
  h.candidates = {{"a", true, false, false}, {"b-2", true, false, true}};
  return h;
}

void start(event_stream& st, std::int64_t t, std::uint64_t req) {
  st.invoke(t, req);
  auto& e = st.add(event_type::start, t);
  e.req = req;
  e.proc = 0;
}

event& candidate_event(event_stream& st, event_type type, std::int64_t t, std::uint64_t req, std::uint8_t c) {
  auto& e = st.add(type, t);
  e.req = req;
  e.shadow = true;
  e.candidate = c;
  return e;
}

// The enforced breaker and candidate "a" reject request `req` at the same consult.
void both_reject(event_stream& st, std::int64_t t, std::uint64_t req) {
  start(st, t, req);
  st.reject(t + 1 * ms, req, false);
  candidate_event(st, event_type::breaker_reject, t + 1 * ms, req, 1);
  st.fail(t + 1 * ms, req, fail_reason::breaker_open);
}

// req 1: everyone allows. req 2: the enforced breaker and "a" reject (agree). req 3: only "b-2" rejects, and it
// would deny the retry the enforced policy makes. req 4: the enforced breaker and "a" reject, "b-2" allows.
event_stream mixed_history() {
  event_stream st;
  start(st, 1 * ms, 1);
  st.attempt(2 * ms, 1, 1);
  st.ok(3 * ms, 1, 2 * ms);

  both_reject(st, 4 * ms, 2);

  start(st, 6 * ms, 3);
  candidate_event(st, event_type::breaker_reject, 6 * ms, 3, 2);
  st.attempt(6 * ms, 3, 1);
  candidate_event(st, event_type::budget_deny, 7 * ms, 3, 2);
  st.retry(7 * ms, 3, 2);
  st.attempt(12 * ms, 3, 2);
  st.ok(13 * ms, 3, 7 * ms);

  both_reject(st, 14 * ms, 4);
  return st;
}

}  // namespace

TEST_CASE("candidates: would-rejects, would-denies and agreement with the enforced decisions") {
  const json report = build(two_candidates(), mixed_history());
  const json& c = report.at("candidates");
  CHECK(c.at("note") == squall::reports::candidates_note);
  // Breaker decisions, per_attempt: 3 attempts + 2 calls the enforced breaker failed.
  CHECK(c.at("a").at("index") == 1);
  CHECK(c.at("a").at("breaker").at("would_reject") == 2);
  CHECK(c.at("a").at("agreement").at("breaker_decisions") == 5);
  CHECK(c.at("a").at("agreement").at("breaker") == 1.0);
  CHECK(c.at("a").at("budget").is_null());
  CHECK(c.at("a").at("agreement").at("budget").is_null());
  // "b-2" disagrees at req 2, 3 and 4: 2 of 5 alike. Retry decisions: 1 retry, which it would have denied.
  CHECK(c.at("b-2").at("index") == 2);
  CHECK(c.at("b-2").at("breaker").at("would_reject") == 1);
  CHECK(c.at("b-2").at("agreement").at("breaker") == 0.4);
  CHECK(c.at("b-2").at("budget").at("would_deny") == 1);
  CHECK(c.at("b-2").at("agreement").at("budget_decisions") == 1);
  CHECK(c.at("b-2").at("agreement").at("budget") == 0.0);
  // The enforced sections never count a candidate's decisions.
  CHECK(report.at("breaker").at("rejected") == 2);
  CHECK(report.at("breaker").at("shadow").at("would_reject") == 0);
  CHECK(report.at("budget").at("shadow_would_deny") == 0);
  CHECK(report.at("checker_errors").empty());
}

TEST_CASE("candidates: the enforced report is the same with and without them") {
  event_stream without;
  for (const event& e : mixed_history().events) {
    if (e.candidate == 0) without.events.push_back(e);
  }
  json with = build(two_candidates(), mixed_history());
  const json alone = build(make_header(10 * s), without);
  REQUIRE(with.contains("candidates"));
  CHECK_FALSE(alone.contains("candidates"));
  with.erase("candidates");
  CHECK(with.dump(2) == alone.dump(2));
}

TEST_CASE("candidates: a candidate breaker's transitions, flaps and time open are its own") {
  event_stream st;
  st.transition(1 * s, breaker_state::closed, breaker_state::open);  // the enforced breaker
  for (auto [t, from, to] : {std::tuple{2 * s, breaker_state::closed, breaker_state::open},
                             std::tuple{3 * s, breaker_state::open, breaker_state::half_open},
                             std::tuple{3 * s + 1, breaker_state::half_open, breaker_state::closed},
                             std::tuple{4 * s, breaker_state::closed, breaker_state::open}}) {
    auto& e = candidate_event(st, event_type::breaker, t, 0, 1);
    e.from = from;
    e.to = to;
  }
  const json report = build(two_candidates(), st);
  const json& b = report.at("candidates").at("a").at("breaker");
  CHECK(b.at("transitions") == 4);
  CHECK(b.at("by_kind").at("closed->open") == 2);
  CHECK(b.at("flaps") == 1);
  CHECK(b.at("time_open_s") == 7.0);  // 2 s to 3 s, then 4 s to the end at 10 s
  CHECK(b.at("events").size() == 4);
  CHECK(report.at("candidates").at("b-2").at("breaker").at("transitions") == 0);
  CHECK(report.at("breaker").at("transitions") == 1);
  CHECK(report.at("breaker").at("time_open_s") == 9.0);
}

TEST_CASE("candidates: a per_request breaker decides once per start, no decisions give a null agreement") {
  auto h = make_header(10 * s);
  h.candidates = {{"once", true, true, true}};
  event_stream st;
  start(st, 1 * ms, 1);
  st.attempt(1 * ms, 1, 1);
  st.attempt(2 * ms, 1, 2);
  st.ok(3 * ms, 1, 2 * ms);
  const json c = build(h, st).at("candidates").at("once");
  CHECK(c.at("agreement").at("breaker_decisions") == 1);
  CHECK(c.at("agreement").at("breaker") == 1.0);
  CHECK(c.at("agreement").at("budget_decisions") == 0);
  CHECK(c.at("agreement").at("budget").is_null());
}

TEST_CASE("candidates: gates read candidate metrics, and a metric without a value fails the gate") {
  const json report = build(two_candidates({"candidates.b-2.agreement.breaker >= 0.4",
                                            "candidates.a.breaker.by_kind.closed->open == 0",
                                            "candidates.a.agreement.budget > 0"}),
                            mixed_history());
  const json& gates = report.at("gates");
  CHECK(gates.at(0).at("passed") == true);
  CHECK(gates.at(1).at("passed") == true);
  CHECK(gates.at(2).at("passed") == false);  // "a" has no budget: null, not unknown
  CHECK(report.at("verdict") == "fail");
}

TEST_CASE("candidates: an event naming a candidate the header lacks makes the section unknown") {
  event_stream st = mixed_history();
  candidate_event(st, event_type::breaker_reject, 20 * ms, 9, 3);
  const json report = build(two_candidates(), st);
  CHECK(report.at("candidates").contains("unknown"));
  CHECK(report.at("checker_errors").at(0).at("section") == "candidates");
  CHECK(report.at("breaker").at("rejected") == 2);

  const json none = build(make_header(10 * s), st);  // no candidates in the header at all
  CHECK(none.at("candidates").contains("unknown"));
}

TEST_CASE("candidates: gate paths of declared candidates are known, with names holding '-'") {
  const std::vector<candidate_info> candidates = {{"fast-open", true, false, false}, {"ratio", false, false, true}};
  using squall::reports::is_known_metric;
  CHECK(is_known_metric("candidates.fast-open.breaker.flaps_per_hour", candidates));
  CHECK(is_known_metric("candidates.fast-open.breaker.by_kind.half_open->open", candidates));
  CHECK(is_known_metric("candidates.fast-open.agreement.breaker", candidates));
  CHECK(is_known_metric("candidates.ratio.budget.would_deny", candidates));
  CHECK(is_known_metric("latency_ms.p99", candidates));
  CHECK_FALSE(is_known_metric("candidates.fast-open.budget.would_deny", candidates));  // it has no budget
  CHECK_FALSE(is_known_metric("candidates.ratio.breaker.flaps", candidates));
  CHECK_FALSE(is_known_metric("candidates.other.breaker.flaps", candidates));
  CHECK_FALSE(is_known_metric("candidates.fast-open.breaker.flaps_per_hour"));  // no candidates declared
  CHECK_FALSE(is_known_metric("candidates.fast-open.breaker", candidates));
  CHECK(squall::reports::candidate_metrics(candidates).size() == 14);

  const auto parsed = squall::reports::parse_gate("candidates.fast-open.breaker.by_kind.closed->open<=2");
  REQUIRE(parsed.value);
  CHECK(parsed.value->path == "candidates.fast-open.breaker.by_kind.closed->open");
  CHECK(parsed.value->threshold == 2);
}
