// The duplicates section: ledger duplicates with explanation chains, lock overlaps, fencing rejections, stale-lock
// stall time, DLQ, redeliveries and idempotency skips, from hand-made streams.
#include <catch2/catch.hpp>

#include <algorithm>
#include <string>

#include "event_stream.hpp"
#include "reports/duplicates_checker.hpp"
#include "reports/gates.hpp"

using namespace squall::reports::test;
using history_event = squall::history::event;
using squall::history::dlq_cause;
using squall::history::effect_outcome;
using json = nlohmann::json;

namespace {

struct queue_stream : event_stream {
  void delivery(std::int64_t t, std::int32_t proc, std::uint64_t msg, std::uint64_t key, std::uint16_t n) {
    history_event& e = add(event_type::delivery, t);
    e.proc = proc;
    e.req = msg;
    e.key = key;
    e.attempt = n;
  }
  void effect(std::int64_t t, std::int32_t proc, std::uint64_t key, std::uint64_t token = 0,
              effect_outcome outcome = effect_outcome::applied) {
    history_event& e = add(event_type::effect, t);
    e.proc = proc;
    e.key = key;
    e.token = token;
    e.outcome = outcome;
  }
  void lock(event_type type, std::int64_t t, std::int32_t proc, std::uint64_t key, std::uint64_t token = 0,
            std::int64_t value_ns = 0) {
    history_event& e = add(type, t);
    e.proc = proc;
    e.key = key;
    e.token = token;
    e.value_ns = value_ns;
  }
  void marker(event_type type, std::int64_t t, std::int32_t proc = -1, std::int64_t value_ns = 0) {
    history_event& e = add(type, t);
    e.proc = proc;
    e.value_ns = value_ns;
  }
};

}  // namespace

TEST_CASE("duplicates: a clean stream has the section with zero duplicates") {
  queue_stream st;
  for (std::uint64_t k = 1; k <= 3; ++k) {
    const auto t = static_cast<std::int64_t>(k) * s;
    st.delivery(t, 0, k, k, 1);
    st.lock(event_type::lock_acquired, t + 1 * ms, 0, k, k, 30 * s);
    st.effect(t + 2 * ms, 0, k, k);
    st.lock(event_type::lock_released, t + 3 * ms, 0, k, k);
  }
  const json r = build(make_header(10 * s, {"duplicates.effects_duplicated == 0"}), st);
  REQUIRE(r.contains("duplicates"));
  const json& d = r["duplicates"];
  CHECK(d["effects_applied"] == 3);
  CHECK(d["effects_duplicated"] == 0);
  CHECK(d["keys_affected"] == 0);
  CHECK(d["lock_overlaps"] == 0);
  CHECK(d["overlap_effects"] == 0);
  CHECK(d["fencing_rejections"] == 0);
  CHECK(d["deliveries"] == 3);
  CHECK(d["redeliveries"] == 0);
  CHECK(d["stale_lock_stall_s"] == 0.0);
  CHECK(d["examples"] == json::array());
  CHECK(d["examples_truncated"] == false);
  CHECK(r["gates"][0]["passed"] == true);
  CHECK(r["verdict"] == "pass");
}

TEST_CASE("duplicates: two applications of one key, with the chain that explains the second") {
  queue_stream st;
  st.marker(event_type::clock_jump, 0, 2, 5 * s);  // before the first application: not in the window
  st.delivery(1 * s, 0, 41, 7, 1);
  st.lock(event_type::lock_acquired, 1 * s + 1 * ms, 0, 7, 1, 10 * s);
  st.delivery(1 * s + 2 * ms, 1, 99, 8, 1);  // another key: not in the chain
  st.effect(2 * s, 0, 7, 1);
  {
    history_event& e = st.add(event_type::store_restart, 3 * s);
    e.value_ns = 2 * s;
    e.data_lost = true;
  }
  st.delivery(4 * s, 1, 41, 7, 2);  // the redelivery
  st.lock(event_type::lock_acquired, 4 * s + 1 * ms, 1, 7, 2, 10 * s);
  st.effect(5 * s, 1, 7, 2);
  st.marker(event_type::worker_crash, 6 * s, 0);  // after the second application: not in the window
  st.effect(7 * s, 1, 7, 2);                      // a third application counts, but the chain is done
  const json r = build(make_header(10 * s, {"duplicates.effects_duplicated == 0"}), st);
  const json& d = r["duplicates"];
  CHECK(d["effects_applied"] == 3);
  CHECK(d["effects_duplicated"] == 2);
  CHECK(d["keys_affected"] == 1);
  CHECK(d["redeliveries"] == 1);
  CHECK(d["deliveries"] == 3);
  CHECK(d["lock_overlaps"] == 1);  // w0 never released: it still believed it held key 7
  CHECK(d["overlap_effects"] == 0);  // w0 applied before w1 acquired, not during the overlap
  REQUIRE(d["examples"].size() == 1);
  const json& ex = d["examples"][0];
  CHECK(ex["key"] == 7);
  CHECK(ex["applications"] == 3);
  CHECK(ex["first_applied_s"] == 2.0);
  CHECK(ex["second_applied_s"] == 5.0);
  CHECK(ex["chain_truncated"] == false);
  std::vector<std::string> types;
  for (const json& c : ex["chain"]) types.push_back(c["type"]);
  CHECK(types == std::vector<std::string>{"delivery", "lock_acquired", "effect", "store_restart", "delivery",
                                          "lock_acquired", "effect"});
  CHECK(ex["chain"][0] == json{{"t_ns", 1 * s}, {"seq", 1}, {"type", "delivery"}, {"proc", "w0"}, {"req", 41},
                               {"attempt", 1}});
  CHECK(ex["chain"][3] == json{{"t_ns", 3 * s}, {"seq", 5}, {"type", "store_restart"}, {"downtime_ns", 2 * s},
                               {"data_lost", true}});
  CHECK(ex["chain"][4]["attempt"] == 2);
  CHECK(ex["chain"][6]["token"] == 2);
  CHECK(ex["chain"][6]["outcome"] == "applied");
  CHECK(r["gates"][0]["passed"] == false);
  CHECK(r["gates"][0]["value"] == 2);
  CHECK(r["verdict"] == "fail");
}

TEST_CASE("duplicates: overlapping lock intervals on one key count, touching or other-key intervals do not") {
  queue_stream st;
  // Key 1: w0 holds [0, 10 s), w1 acquires at 5 s while w0 still believes: one overlap; w2 joins: two more pairs.
  st.lock(event_type::lock_acquired, 0, 0, 1, 1, 30 * s);
  st.lock(event_type::lock_acquired, 5 * s, 1, 1, 2, 30 * s);
  st.effect(6 * s, 1, 1, 2);
  st.effect(7 * s, 0, 1, 1);  // both holders of the pair applied: an overlap effect
  st.lock(event_type::lock_acquired, 8 * s, 2, 1, 3, 30 * s);
  st.lock(event_type::lock_lost, 10 * s, 0, 1, 1, 9 * s);
  st.lock(event_type::lock_released, 11 * s, 1, 1, 2);
  st.lock(event_type::lock_released, 12 * s, 2, 1, 3);
  // Key 2: back to back (release then acquire at the same instant) and a renewal by the holder: no overlap.
  st.lock(event_type::lock_acquired, 20 * s, 0, 2, 4, 30 * s);
  st.lock(event_type::lock_renewed, 21 * s, 0, 2, 4, 30 * s);
  st.lock(event_type::lock_acquired, 22 * s, 0, 2, 4, 30 * s);  // re-acquired by its holder
  st.lock(event_type::lock_released, 25 * s, 0, 2, 4);
  st.lock(event_type::lock_acquired, 25 * s, 1, 2, 5, 30 * s);
  // Key 3: held by w0 while w1 holds key 2: different keys never overlap.
  st.lock(event_type::lock_acquired, 26 * s, 0, 3, 6, 30 * s);
  st.effect(27 * s, 0, 3, 6);
  st.effect(27 * s, 1, 2, 5);
  const json d = build(make_header(60 * s), st)["duplicates"];
  CHECK(d["lock_overlaps"] == 3);
  CHECK(d["overlap_effects"] == 1);
  CHECK(d["effects_duplicated"] == 1);  // key 1 applied twice
  CHECK(d["keys_affected"] == 1);
  CHECK(d["deliveries"] == 0);
}

TEST_CASE("duplicates: fencing rejections, idempotency skips, DLQ by cause and redeliveries") {
  queue_stream st;
  st.delivery(1 * s, 0, 1, 10, 1);
  st.effect(2 * s, 0, 10, 5);
  st.effect(3 * s, 1, 10, 4, effect_outcome::rejected_stale);  // stale token: refused, not a duplicate
  st.effect(3 * s + 1, 2, 10, 3, effect_outcome::rejected_stale);
  st.delivery(4 * s, 1, 1, 10, 2);
  st.delivery(5 * s, 2, 1, 10, 3);
  {
    history_event& e = st.add(event_type::idempotency_skip, 5 * s + 1);
    e.proc = 2;
    e.key = 10;
  }
  for (int i = 0; i < 3; ++i) {
    history_event& e = st.add(event_type::dlq, 6 * s + i);
    e.req = 2 + static_cast<std::uint64_t>(i);
    e.key = 20;
    e.cause = i == 0 ? dlq_cause::max_deliveries : dlq_cause::permanent;
  }
  const json d = build(make_header(10 * s), st)["duplicates"];
  CHECK(d["fencing_rejections"] == 2);
  CHECK(d["effects_applied"] == 1);
  CHECK(d["effects_duplicated"] == 0);
  CHECK(d["idempotency_skips"] == 1);
  CHECK(d["deliveries"] == 3);
  CHECK(d["redeliveries"] == 2);
  CHECK(d["dlq"] == json{{"total", 3}, {"by_cause", {{"max_deliveries", 1}, {"permanent", 2}}}});
}

TEST_CASE("duplicates: stale-lock stall runs from a holder's crash to the next grant or the lease expiry") {
  queue_stream st;
  st.lock(event_type::lock_acquired, 0, 0, 5, 1, 30 * s);
  st.lock(event_type::lock_acquired, 0 + 1, 0, 6, 2, 30 * s);
  st.lock(event_type::lock_acquired, 1 * s, 1, 8, 3, 30 * s);
  st.lock(event_type::lock_released, 2 * s, 1, 8, 3);  // released before the crash: no stall
  st.lock(event_type::lock_renewed, 5 * s, 0, 6, 2, 30 * s);  // key 6 now expires at 35 s
  st.marker(event_type::worker_crash, 10 * s, 0);
  st.lock(event_type::lock_acquired, 25 * s, 1, 5, 4, 30 * s);  // key 5: stalled 10 s .. 25 s = 15 s
  // key 6: nobody takes it; the lease expires at 35 s: 25 s of stall.
  // key 7: held by w2 with no ttl, w2 crashes at 50 s, the store loses its data at 54 s: 4 s.
  st.lock(event_type::lock_acquired, 40 * s, 2, 7, 5, 0);
  st.marker(event_type::worker_crash, 50 * s, 2);
  {
    history_event& e = st.add(event_type::store_restart, 54 * s);
    e.value_ns = 1 * s;
    e.data_lost = true;
  }
  const json d = build(make_header(100 * s), st)["duplicates"];
  CHECK(d["stale_lock_stall_s"] == 44.0);
  CHECK(d["lock_overlaps"] == 0);  // a crashed holder believes nothing: w1 taking key 5 is no overlap

  // Without the data loss, key 7 stays stalled until the end of the run (100 s): 50 s instead of 4 s.
  queue_stream st2;
  st2.lock(event_type::lock_acquired, 40 * s, 2, 7, 5, 0);
  st2.marker(event_type::worker_crash, 50 * s, 2);
  CHECK(build(make_header(100 * s), st2)["duplicates"]["stale_lock_stall_s"] == 50.0);
}

TEST_CASE("duplicates: at most 20 examples, the smallest keys, and chains bounded to 16 events") {
  queue_stream st;
  // 25 duplicated keys, largest first, so the example set has to evict.
  for (std::uint64_t k = 25; k >= 1; --k) {
    const auto t = static_cast<std::int64_t>(26 - k) * s;
    st.effect(t, 0, k);
    st.effect(t + 1, 1, k);
  }
  // Key 0: 20 deliveries before the second application: the chain keeps the last 16 and says so.
  for (std::uint16_t n = 1; n <= 20; ++n) st.delivery(30 * s + n, 0, 1, 0, n);
  st.effect(31 * s, 0, 0);
  st.effect(32 * s, 1, 0);
  const json d = build(make_header(60 * s), st)["duplicates"];
  CHECK(d["keys_affected"] == 26);
  CHECK(d["effects_duplicated"] == 26);
  REQUIRE(d["examples"].size() == 20);
  for (std::size_t i = 0; i < 20; ++i) CHECK(d["examples"][i]["key"] == i);
  CHECK(d["examples_truncated"] == true);
  const json& zero = d["examples"][0];
  CHECK(zero["chain"].size() == squall::reports::duplicates_checker::chain_max);
  CHECK(zero["chain_truncated"] == true);
  CHECK(zero["chain"].back()["type"] == "effect");
  // 20 deliveries and 2 effects: deliveries 1..6 fell out of the 16-event ring.
  CHECK(zero["chain"][0]["attempt"] == 7);
  CHECK(d["examples"][1]["chain"].size() == 2);
  CHECK(d["examples"][1]["chain_truncated"] == false);
}

TEST_CASE("duplicates: an HTTP-only history's report has no duplicates section and unchanged bytes") {
  event_stream st;
  st.request(1 * s, 1, 2, true);
  st.request(2 * s, 2, 3, false);
  const auto h = make_header(10 * s);
  const json r = build(h, st);
  CHECK_FALSE(r.contains("duplicates"));
  // Global markers alone (no queue, lock or ledger event) do not add the section either.
  event_stream with_markers = st;
  with_markers.add(event_type::process_pause, 3 * s).proc = 1;
  with_markers.add(event_type::store_restart, 4 * s);
  CHECK(build(h, with_markers).dump() == r.dump());
  // A gate on a duplicates metric has no value there.
  const json g = build(make_header(10 * s, {"duplicates.effects_duplicated == 0"}), st)["gates"][0];
  CHECK(g["value"].is_null());
  CHECK(g["passed"] == false);
}

TEST_CASE("duplicates: every duplicates metric is known and present in a report with queue and lock events") {
  queue_stream st;
  st.delivery(1 * s, 0, 1, 1, 1);
  st.lock(event_type::lock_acquired, 1 * s + 1, 0, 1, 1, 5 * s);
  st.effect(2 * s, 0, 1, 1);
  const json r = build(make_header(10 * s), st);
  int n = 0;
  for (const std::string& path : squall::reports::known_metrics()) {
    if (path.rfind("duplicates.", 0) != 0) continue;
    INFO(path);
    CHECK(squall::reports::lookup_metric(r, path).has_value());
    ++n;
  }
  CHECK(n == 14);
  CHECK(squall::reports::is_known_metric("duplicates.effects_duplicated"));
  CHECK(squall::reports::is_known_metric("duplicates.dlq.by_cause.permanent"));
}

TEST_CASE("duplicates: more distinct keys than the bound make the section unknown, not the run crash") {
  queue_stream st;
  st.events.reserve(squall::reports::duplicates_checker::keys_max + 1);
  for (std::uint64_t k = 0; k <= squall::reports::duplicates_checker::keys_max; ++k) st.delivery(1 * s, 0, k, k, 1);
  const json r = build(make_header(10 * s), st);
  REQUIRE(r["duplicates"].contains("unknown"));
  CHECK_THAT(r["duplicates"]["unknown"].get<std::string>(), Catch::Contains("distinct keys"));
  CHECK(r["checker_errors"].size() == 1);
}

TEST_CASE("duplicates: fencing tokens that do not increase per key are counted as regressions") {
  queue_stream st;
  st.lock(event_type::lock_acquired, 1 * s, 0, 9, 3, 5 * s);
  st.lock(event_type::lock_acquired, 1 * s + 1, 0, 9, 3, 5 * s);  // the same grant seen again: not counted
  st.marker(event_type::store_restart, 2 * s, -1, 1 * s);
  st.lock(event_type::lock_acquired, 10 * s, 1, 9, 1, 5 * s);  // the store lost its counter
  st.lock(event_type::lock_acquired, 20 * s, 2, 9, 3, 5 * s);  // equal to the highest, another holder
  st.lock(event_type::lock_acquired, 30 * s, 1, 9, 4, 5 * s);  // above: fine again
  st.lock(event_type::lock_acquired, 31 * s, 1, 10, 1, 5 * s);  // another key has its own counter
  const json d = build(make_header(60 * s), st)["duplicates"];
  CHECK(d.at("fencing_token_regressions") == 2);
}
