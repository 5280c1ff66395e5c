// Each checker over small hand-made histories, with exact expected numbers.
#include <catch2/catch.hpp>

#include <sstream>

#include "event_stream.hpp"
#include "history/jsonl.hpp"
#include "reports/gates.hpp"

using namespace squall::reports::test;
using nlohmann::json;

TEST_CASE("requests and amplification: rejected originals count with zero attempts") {
  event_stream st;
  st.invoke(1 * ms, 1);  // three attempts, then ok
  st.attempt(2 * ms, 1, 1);
  st.retry(3 * ms, 1, 2);
  st.attempt(4 * ms, 1, 2);
  st.retry(5 * ms, 1, 3);
  st.attempt(6 * ms, 1, 3);
  st.ok(7 * ms, 1, 6 * ms);
  st.invoke(8 * ms, 2);  // one attempt, ok
  st.attempt(9 * ms, 2, 1);
  st.ok(10 * ms, 2, 2 * ms);
  st.invoke(11 * ms, 3);  // rejected by the open breaker: no attempt
  st.reject(12 * ms, 3, false);
  st.fail(13 * ms, 3, fail_reason::breaker_open);
  st.invoke(14 * ms, 4);  // queue full: no attempt
  st.fail(15 * ms, 4, fail_reason::queue_full);
  st.invoke(16 * ms, 5);  // one attempt that timed out: indeterminate
  st.attempt(17 * ms, 5, 1);
  {
    auto& e = st.add(event_type::attempt_end, 18 * ms);
    e.req = 5;
    e.attempt = 1;
    e.result = squall::history::attempt_result::timeout;
  }
  st.fail(19 * ms, 5, fail_reason::budget, event_type::info);
  st.add(event_type::budget_deny, 19 * ms).shadow = true;

  const json r = build(make_header(1 * s), st);
  const json& q = r["requests"];
  CHECK(q["originals"] == 5);
  CHECK(q["attempts"] == 5);
  CHECK(q["succeeded"] == 2);
  CHECK(q["failed"] == 3);
  CHECK(q["indeterminate"] == 1);
  CHECK(q["rejected_open"] == 1);
  CHECK(q["queue_full"] == 1);
  CHECK(q["gave_up_budget"] == 1);
  CHECK(q["gave_up_attempts"] == 0);
  CHECK(q["timeouts"] == 1);
  CHECK(q["retries"] == 2);
  CHECK(r["retry_amplification"]["overall"] == 1.0);    // 5 attempts / 5 originals
  CHECK(r["retry_amplification"]["admitted"] == 1.66667);  // 5 / 3 originals that made an attempt, 6 digits
  CHECK(r["breaker"]["rejected"] == 1);
  CHECK(r["breaker"]["shadow"]["would_reject"] == 0);
  CHECK(r["budget"]["denied"] == 0);
  CHECK(r["budget"]["shadow_would_deny"] == 1);
  CHECK(r["goodput"]["ratio"] == 0.4);
  CHECK(r["latency_ms"]["count"] == 2);
  CHECK(r["latency_ms"]["mean"] == 4.0);
  CHECK(r["latency_ms"]["max"] == 6.0);
  CHECK(r["checker_errors"].empty());
}

TEST_CASE("window_max takes the worst 10 s window and skips windows without originals") {
  event_stream st;
  st.request(1 * s, 1, 1, true);  // window 0: 2 originals, 3 attempts -> 1.5
  st.request(2 * s, 2, 2, true);
  st.request(12 * s, 3, 4, false);  // window 1: 1 original, 4 attempts -> 4
  for (int i = 0; i < 5; ++i) st.attempt(25 * s + i, 3, 5);  // window 2: attempts only -> skipped
  st.request(35 * s, 4, 1, true);  // window 3: 1
  const json r = build(make_header(50 * s), st);
  const json& a = r["retry_amplification"];
  CHECK(a["window_s"] == 10);
  CHECK(a["window_max"] == 4.0);
  CHECK(a["overall"] == 3.25);  // (1 + 2 + 4 + 5 + 1) attempts / 4 originals
  CHECK(a["timeline_window_s"] == 10);
  const json& tl = a["timeline"];
  REQUIRE(tl.size() == 5);  // 50 s of run, quiet tail included
  json first = tl[0];
  CHECK(first["latency_ms_p50"].get<double>() == Approx(10.0).epsilon(0.0625));  // coarse, for charts
  CHECK(first["latency_ms_p99"].get<double>() == Approx(10.0).epsilon(0.0625));
  first.erase("latency_ms_p50");
  first.erase("latency_ms_p99");
  CHECK(first == json{{"t_s", 0.0}, {"originals", 2}, {"attempts", 3}, {"succeeded", 2}, {"amplification", 1.5},
                      {"goodput", 1.0}, {"budget_denied", 0}});
  CHECK(tl[2]["originals"] == 0);
  CHECK(tl[2]["attempts"] == 5);
  CHECK(tl[2]["amplification"].is_null());
  CHECK(tl[4]["t_s"] == 40.0);
  CHECK(tl[4]["goodput"].is_null());
}

TEST_CASE("the timeline stays within 720 points by merging windows") {
  event_stream st;
  const std::int64_t duration = 3 * 3600 * s;  // 1080 windows of 10 s
  std::uint64_t req = 0;
  for (std::int64_t t = 0; t < duration; t += 10 * s) st.request(t + 1 * s, ++req, 2, true);
  const json r = build(make_header(duration), st);
  const json& a = r["retry_amplification"];
  CHECK(a["timeline_window_s"] == 20);
  REQUIRE(a["timeline"].size() == 540);
  CHECK(a["timeline"][1]["t_s"] == 20.0);
  CHECK(a["timeline"][1]["originals"] == 2);
  CHECK(a["timeline"][1]["attempts"] == 4);
  CHECK(a["window_max"] == 2.0);  // still computed over 10 s windows
}

TEST_CASE("breaker: transitions, flaps inside and outside the flap window, time open up to the end") {
  event_stream st;
  using bs = breaker_state;
  st.transition(10 * s, bs::closed, bs::open);       // no earlier close: not a flap
  st.transition(20 * s, bs::open, bs::half_open);
  st.transition(25 * s, bs::half_open, bs::closed);
  st.transition(85 * s, bs::closed, bs::open);       // 60 s after the close: a flap (window inclusive)
  st.transition(90 * s, bs::open, bs::half_open);
  st.transition(92 * s, bs::half_open, bs::open);    // re-open from half-open, 67 s after the close: not a flap
  st.transition(95 * s, bs::open, bs::half_open);
  st.transition(100 * s, bs::half_open, bs::closed);
  st.transition(170 * s + 1, bs::closed, bs::open);  // 70 s after the close: not a flap; open until the end
  st.transition(30 * s + 200 * s, bs::open, bs::half_open, true);  // shadow, after the run: separate fold
  auto h = make_header(200 * s, {"breaker.flaps <= 0", "breaker.by_kind.closed->open == 3"});
  const json r = build(h, st);
  const json& b = r["breaker"];
  CHECK(b["transitions"] == 9);
  CHECK(b["by_kind"] == json{{"closed->open", 3}, {"open->half_open", 3}, {"half_open->closed", 2},
                             {"half_open->open", 1}});
  CHECK(b["flaps"] == 1);
  CHECK(b["flaps_per_hour"] == 18.0);  // 1 flap in 200 s
  // open 10-20, 85-90, 92-95, 170-200 (still open at the end)
  CHECK(b["time_open_s"] == 48.0);
  REQUIRE(b["events"].size() == 9);
  CHECK(b["events"][0] == json{{"t_s", 10.0}, {"from", "closed"}, {"to", "open"}});
  CHECK(b["events_truncated"] == false);
  CHECK(b["shadow"]["transitions"] == 1);
  CHECK(b["shadow"]["time_open_s"] == 0.0);
  CHECK(r["gates"][0]["passed"] == false);
  CHECK(r["gates"][0]["value"] == 1.0);
  CHECK(r["gates"][1]["passed"] == true);
  CHECK(r["gates"][1]["value"].is_number_unsigned());  // a count stays an integer in the gate echo
  CHECK(r["gates"][1]["value"].dump() == "3");
  CHECK(r["verdict"] == "fail");

  SECTION("a shorter flap window turns the flap off") {
    h.flap_window_s = 59.999;
    CHECK(build(h, st)["breaker"]["flaps"] == 0);
  }
}

TEST_CASE("breaker: the event list is bounded and says so") {
  event_stream st;
  for (int i = 0; i < 1500; ++i) {
    st.transition(i * 10 * ms, breaker_state::closed, breaker_state::open);
    st.transition(i * 10 * ms + 5 * ms, breaker_state::open, breaker_state::closed);
  }
  const json b = build(make_header(20 * s), st)["breaker"];
  CHECK(b["transitions"] == 3000);
  CHECK(b["events"].size() == 2000);
  CHECK(b["events_truncated"] == true);
  CHECK(b["flaps"] == 1499);
  CHECK(b["time_open_s"] == 7.5);
}

namespace {
// Windows of 10 originals; `good[i]` successes in window i.
event_stream windows_with_successes(const std::vector<int>& good) {
  event_stream st;
  std::uint64_t req = 0;
  for (std::size_t w = 0; w < good.size(); ++w) {
    for (int i = 0; i < 10; ++i) {
      st.request(static_cast<std::int64_t>(w) * 10 * s + i * 100 * ms, ++req, 1, i < good[w]);
    }
  }
  return st;
}
squall::history::header recovery_header(std::int64_t duration) {
  auto h = make_header(duration, {"recovery.seconds <= 10", "recovery.metastable == 0"});
  h.faults = {{"error_storm", "api", 20 * s, 35 * s}, {"latency_spike", "api", 25 * s, 40 * s}};
  return h;
}
}  // namespace

TEST_CASE("recovery: back within 95 % of the pre-fault goodput after the last fault") {
  // windows:       0   1   2  3  4  5   6   7   8  9
  const auto st = windows_with_successes({10, 10, 0, 0, 5, 10, 10, 9, 10, 10});
  const json r = build(recovery_header(100 * s), st);
  const json& rec = r["recovery"];
  CHECK(rec["applicable"] == true);
  CHECK(rec["last_fault_end_s"] == 40.0);
  CHECK(rec["pre_fault_goodput"] == 1.0);
  CHECK(r["goodput"]["pre_fault_ratio"] == 1.0);
  // window 4 (40-50 s) is at 0.5; window 7 at 0.9 < 0.95: the streak restarts at window 8 (80 s).
  CHECK(rec["recovered"] == true);
  CHECK(rec["metastable"] == false);
  CHECK(rec["seconds"] == 40.0);
  CHECK(r["gates"][0]["passed"] == false);
  CHECK(r["gates"][1]["passed"] == true);
  CHECK(r["faults"] == json::parse(R"([{"kind":"error_storm","target":"api","from_s":20.0,"to_s":35.0},
                                       {"kind":"latency_spike","target":"api","from_s":25.0,"to_s":40.0}])"));
}

TEST_CASE("recovery: metastable when the last complete window is still bad") {
  const auto st = windows_with_successes({10, 10, 0, 0, 10, 10, 10, 10, 10, 3});
  const json r = build(recovery_header(100 * s), st);
  CHECK(r["recovery"]["recovered"] == false);
  CHECK(r["recovery"]["metastable"] == true);
  CHECK(r["recovery"]["seconds"].is_null());
  CHECK(r["gates"][0]["value"].is_null());
  CHECK(r["gates"][0]["no_value"] == true);   // a recovery time that never came: the gate fails, it is not unknown
  CHECK(r["gates"][0]["passed"] == false);
  CHECK(r["gates"][1]["passed"] == false);
  CHECK(r["verdict"] == "fail");

  SECTION("an incomplete last window does not count") {
    const json r2 = build(recovery_header(95 * s), st);
    CHECK(r2["recovery"]["recovered"] == true);
    CHECK(r2["recovery"]["seconds"] == 0.0);
    CHECK(r2["verdict"] == "pass");
  }
}

TEST_CASE("recovery: not applicable without faults or with a fault from t = 0") {
  const auto st = windows_with_successes({10, 5, 10});
  auto h = make_header(30 * s);
  json rec = build(h, st)["recovery"];
  CHECK(rec["applicable"] == false);
  CHECK(rec["recovered"] == true);
  CHECK(rec["metastable"] == false);
  CHECK(rec["seconds"] == 0);
  CHECK(rec["last_fault_end_s"].is_null());
  h.faults = {{"error_storm", "api", 0, 10 * s}};
  rec = build(h, st)["recovery"];
  CHECK(rec["applicable"] == false);
  CHECK(rec["last_fault_end_s"] == 10.0);
}

TEST_CASE("a fault that stops later than planned moves the recovery start") {
  // The header plans the last fault to end at 40 s, but a fault_stop event says 60 s. Window 4 is good, so
  // without the event recovery would be at 40 s; with it, the first window at/after 60 s counts.
  event_stream st;
  std::uint64_t req = 0;
  const int good[] = {10, 10, 0, 0, 10, 3, 10, 10, 10, 10};
  for (int w = 0; w < 10; ++w) {
    if (w == 6) st.add(event_type::fault_stop, 60 * s).fault = 0;
    for (int i = 0; i < 10; ++i) st.request(w * 10 * s + i * 100 * ms + 1, ++req, 1, i < good[w]);
  }
  const json r = build(recovery_header(100 * s), st);
  CHECK(r["recovery"]["last_fault_end_s"] == 60.0);
  CHECK(r["recovery"]["recovered"] == true);
  CHECK(r["recovery"]["seconds"] == 0.0);
}

TEST_CASE("a checker that throws yields unknown sections and unknown gates, not a crash") {
  event_stream st;
  st.request(1 * s, 1, 1, true);
  st.add(event_type::breaker, 2 * s).dep = 5;  // the header lists one dependency
  st.request(3 * s, 2, 1, true);
  const auto h = make_header(10 * s, {"breaker.flaps < 1", "goodput.ratio >= 1"});
  const json r = build(h, st);
  CHECK(r["breaker"].size() == 1);
  CHECK_THAT(r["breaker"]["unknown"].get<std::string>(), Catch::Contains("dependency #5"));
  CHECK(r["checker_errors"].size() == 1);
  CHECK(r["checker_errors"][0]["section"] == "breaker");
  CHECK(r["gates"][0]["value"].is_null());
  CHECK(r["gates"][0]["passed"] == false);
  CHECK(r["gates"][1]["passed"] == true);  // other sections are intact
  CHECK(r["requests"]["originals"] == 2);
  CHECK(r["verdict"] == "unknown");

  SECTION("events out of time order make the window sections unknown") {
    event_stream bad;
    bad.request(25 * s, 1, 1, true);
    bad.request(5 * s, 2, 1, true);
    const json r2 = build(make_header(30 * s, {"retry_amplification.window_max < 9"}), bad);
    CHECK(r2["retry_amplification"].contains("unknown"));
    CHECK(r2["goodput"].contains("unknown"));
    CHECK(r2["recovery"].contains("unknown"));
    CHECK(r2["checker_errors"].size() == 3);
    CHECK(r2["gates"][0]["value"].is_null());
    CHECK(r2["requests"]["originals"] == 2);
  }
}

TEST_CASE("finish twice is a programming error") {
  squall::reports::report_builder b(make_header(1 * s));
  (void)b.finish();
  CHECK_THROWS_AS(b.finish(), std::logic_error);
}

TEST_CASE("every known metric is present and numeric in a report with data, and the report is deterministic") {
  auto st = windows_with_successes({10, 10, 0, 0, 5, 10, 10, 10, 10, 10});
  st.transition(99 * s + 950 * ms, breaker_state::closed, breaker_state::open);  // after the last request
  const auto h = recovery_header(100 * s);
  const json r = build(h, st);
  for (const std::string& path : squall::reports::known_metrics()) {
    // duplicates.* exist only with queue/lock/ledger events (duplicates_checker_test.cpp covers them).
    if (path.rfind("duplicates.", 0) == 0) continue;
    INFO(path);
    CHECK(squall::reports::lookup_metric(r, path).has_value());
  }
  CHECK(build(h, st).dump() == r.dump());
}

TEST_CASE("a report from a JSONL history equals the live report") {
  auto st = windows_with_successes({10, 10, 0, 0, 5, 10, 10, 10, 10, 10});
  const auto h = recovery_header(100 * s);
  std::stringstream file;
  {
    squall::history::jsonl_writer w(file, h);
    for (const auto& e : st.events) w.on_event(e);
  }
  squall::history::jsonl_reader reader(file);
  squall::reports::report_builder b(reader.header());
  reader.read_all(b);
  CHECK(b.finish().dump() == build(h, st).dump());
}
