// fakes::kv_store: every command's Redis semantics with their expiry edges, TTLs judged by the store's clock
// (offset, drift, jumps), restarts under each persistence mode around the fsync boundary, unavailability
// windows, bounded memory and determinism.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cstdint>
#include <string>
#include <vector>

#include "fakes/kv_keyspace.hpp"
#include "fakes/kv_store.hpp"
#include "sim/node_clock.hpp"
#include "sim/rng.hpp"

using namespace squall::fakes;
using squall::sim::node_clock;
using squall::sim::rng;
using squall::stack::duration;
using squall::stack::instant;
using squall::stack::instant_from_ns;
using squall::stack::kv_command;
using squall::stack::kv_op;
using squall::stack::kv_reply;
using squall::stack::kv_status;
using squall::stack::ns_since_start;

namespace {

constexpr std::int64_t ms = 1'000'000, s = 1'000'000'000;
constexpr std::int64_t latency_ns = 500'000;  // the constant latency of cfg()

kv_store_config cfg(kv_persistence p = kv_persistence::none, node_clock clock = {}) {
  kv_store_config c;
  c.latency.dist = latency_dist::constant;
  c.latency.value_ms = 0.5;
  c.persistence = p;
  c.clock = clock;
  return c;
}

kv_command cmd(kv_op op, std::string key, std::string value = {}, std::int64_t ttl_ns = 0) {
  return kv_command{op, std::move(key), std::move(value), duration{ttl_ns}};
}
kv_command set_nx(std::string k, std::string v, std::int64_t ttl) { return cmd(kv_op::set_nx_px, k, v, ttl); }
kv_command set(std::string k, std::string v, std::int64_t ttl) { return cmd(kv_op::set_px, k, v, ttl); }
kv_command get(std::string k) { return cmd(kv_op::get, k); }
kv_command del(std::string k) { return cmd(kv_op::del, k); }
kv_command pexpire(std::string k, std::int64_t ttl) { return cmd(kv_op::pexpire, k, {}, ttl); }
kv_command incr(std::string k) { return cmd(kv_op::incr, k); }
kv_command del_if_owner(std::string k, std::string owner) { return cmd(kv_op::del_if_owner, k, owner); }
kv_command pexpire_if_owner(std::string k, std::string owner, std::int64_t ttl) {
  return cmd(kv_op::pexpire_if_owner, k, owner, ttl);
}

kv_reply run(kv_store& kv, std::int64_t t, const kv_command& c) { return kv.execute(instant_from_ns(t), c).reply; }

bool is_ok(const kv_reply& r) { return r.status == kv_status::ok; }
bool is_nil(const kv_reply& r) { return r.status == kv_status::nil; }
bool is_int(const kv_reply& r, std::int64_t n) { return r.status == kv_status::ok && r.integer == n; }
bool is_value(const kv_reply& r, const std::string& v) { return r.status == kv_status::ok && r.value == v; }
bool refused(const kv_reply& r) { return r.status == kv_status::unavailable; }

}  // namespace

// ---------------------------------------------------------------------------------------------------------
// Commands

TEST_CASE("kv: replies arrive after the drawn latency and carry the command's result", "[kv]") {
  kv_store kv(cfg(), rng(1));
  const kv_result r = kv.execute(instant_from_ns(7 * s), set("k", "v", 0));
  CHECK(r.answers);
  CHECK(ns_since_start(r.at) == 7 * s + latency_ns);
  CHECK(is_ok(r.reply));
  CHECK(is_value(run(kv, 7 * s, get("k")), "v"));
}

TEST_CASE("kv: get of a missing key is nil", "[kv]") {
  kv_store kv(cfg(), rng(1));
  CHECK(is_nil(run(kv, 0, get("nope"))));
  CHECK(run(kv, 0, get("nope")).value.empty());
}

TEST_CASE("kv: two SET NX in order: the first wins, the second gets nil and changes nothing", "[kv]") {
  kv_store kv(cfg(), rng(1));
  CHECK(is_ok(run(kv, 0, set_nx("lock", "a", 100 * ms))));
  CHECK(is_nil(run(kv, 0, set_nx("lock", "b", 500 * ms))));
  CHECK(is_value(run(kv, 0, get("lock")), "a"));
  // b's longer ttl was not applied either: the key still expires at a's 100 ms.
  CHECK(is_nil(run(kv, 100 * ms, get("lock"))));
}

TEST_CASE("kv: a key is live for (set, set + ttl): exactly at its expiry it is gone", "[kv]") {
  kv_store kv(cfg(), rng(1));
  CHECK(is_ok(run(kv, 1 * s, set_nx("lock", "a", 100 * ms))));
  CHECK(is_value(run(kv, 1 * s + 100 * ms - 1, get("lock")), "a"));
  CHECK(is_nil(run(kv, 1 * s + 100 * ms - 1, set_nx("lock", "b", 100 * ms))));
  CHECK(is_nil(run(kv, 1 * s + 100 * ms, get("lock"))));
  // An expired key is absent, so SET NX succeeds on it.
  CHECK(is_ok(run(kv, 1 * s + 100 * ms, set_nx("lock", "b", 100 * ms))));
  CHECK(is_value(run(kv, 1 * s + 100 * ms, get("lock")), "b"));
}

TEST_CASE("kv: set_px overwrites value and ttl, ttl 0 means no expiry", "[kv]") {
  kv_store kv(cfg(), rng(1));
  CHECK(is_ok(run(kv, 0, set("k", "v1", 100 * ms))));
  CHECK(is_ok(run(kv, 50 * ms, set("k", "v2", 0))));  // SET without KEEPTTL drops the old ttl
  CHECK(is_value(run(kv, 3600 * s, get("k")), "v2"));
  CHECK(is_ok(run(kv, 3600 * s, set("k", "v3", 10 * ms))));  // and a new ttl replaces no-expiry
  CHECK(is_value(run(kv, 3600 * s + 10 * ms - 1, get("k")), "v3"));
  CHECK(is_nil(run(kv, 3600 * s + 10 * ms, get("k"))));
  // set_nx_px with ttl 0 does not expire either.
  CHECK(is_ok(run(kv, 3601 * s, set_nx("forever", "x", 0))));
  CHECK(is_value(run(kv, 90'000 * s, get("forever")), "x"));
}

TEST_CASE("kv: del answers the number of keys removed", "[kv]") {
  kv_store kv(cfg(), rng(1));
  CHECK(is_int(run(kv, 0, del("k")), 0));
  REQUIRE(is_ok(run(kv, 0, set("k", "v", 0))));
  CHECK(is_int(run(kv, 0, del("k")), 1));
  CHECK(is_nil(run(kv, 0, get("k"))));
  CHECK(is_int(run(kv, 0, del("k")), 0));
  // An expired key is not there to remove.
  REQUIRE(is_ok(run(kv, 0, set("t", "v", 10 * ms))));
  CHECK(is_int(run(kv, 10 * ms, del("t")), 0));
}

TEST_CASE("kv: pexpire sets a new ttl from now on a live key and answers 0 otherwise", "[kv]") {
  kv_store kv(cfg(), rng(1));
  CHECK(is_int(run(kv, 0, pexpire("k", 100 * ms)), 0));
  CHECK(is_nil(run(kv, 0, get("k"))));  // pexpire does not create the key
  REQUIRE(is_ok(run(kv, 0, set("k", "v", 100 * ms))));
  CHECK(is_int(run(kv, 90 * ms, pexpire("k", 100 * ms)), 1));  // now expires at 190 ms
  CHECK(is_value(run(kv, 190 * ms - 1, get("k")), "v"));
  CHECK(is_nil(run(kv, 190 * ms, get("k"))));
  CHECK(is_int(run(kv, 190 * ms, pexpire("k", 100 * ms)), 0));  // expired: nothing to extend
  CHECK(is_nil(run(kv, 190 * ms, get("k"))));                    // and not resurrected

  // pexpire can shorten, and gives a no-expiry key a ttl.
  REQUIRE(is_ok(run(kv, 1 * s, set("p", "v", 0))));
  CHECK(is_int(run(kv, 1 * s, pexpire("p", 5 * ms)), 1));
  CHECK(is_nil(run(kv, 1 * s + 5 * ms, get("p"))));
}

TEST_CASE("kv: pexpire with ttl <= 0 deletes a live key and answers 1, as Redis does", "[kv]") {
  kv_store kv(cfg(), rng(1));
  REQUIRE(is_ok(run(kv, 0, set("k", "v", 0))));
  CHECK(is_int(run(kv, 0, pexpire("k", 0)), 1));
  CHECK(is_nil(run(kv, 0, get("k"))));
  REQUIRE(is_ok(run(kv, 0, set("k", "v", 0))));
  CHECK(is_int(run(kv, 0, pexpire("k", -5 * ms)), 1));
  CHECK(is_nil(run(kv, 0, get("k"))));
  CHECK(is_int(run(kv, 0, pexpire("k", 0)), 0));
}

TEST_CASE("kv: incr starts a missing key from 0 without a ttl", "[kv]") {
  kv_store kv(cfg(), rng(1));
  CHECK(is_int(run(kv, 0, incr("fence")), 1));
  CHECK(is_int(run(kv, 0, incr("fence")), 2));
  CHECK(is_value(run(kv, 0, get("fence")), "2"));
  CHECK(is_int(run(kv, 90'000 * s, incr("fence")), 3));  // no ttl: still there a day later
}

TEST_CASE("kv: incr keeps an existing key's ttl and counts from its value", "[kv]") {
  kv_store kv(cfg(), rng(1));
  REQUIRE(is_ok(run(kv, 0, set("c", "41", 100 * ms))));
  CHECK(is_int(run(kv, 50 * ms, incr("c")), 42));
  CHECK(is_value(run(kv, 100 * ms - 1, get("c")), "42"));
  CHECK(is_nil(run(kv, 100 * ms, get("c"))));          // the ttl survived the INCR
  CHECK(is_int(run(kv, 100 * ms, incr("c")), 1));      // expired: starts over, now without a ttl
  CHECK(is_value(run(kv, 3600 * s, get("c")), "1"));
  REQUIRE(is_ok(run(kv, 3600 * s, set("n", "-3", 0))));
  CHECK(is_int(run(kv, 3600 * s, incr("n")), -2));
}

TEST_CASE("kv: del_if_owner deletes only the owner's live key", "[kv]") {
  kv_store kv(cfg(), rng(1));
  CHECK(is_int(run(kv, 0, del_if_owner("lock", "a")), 0));  // missing
  REQUIRE(is_ok(run(kv, 0, set_nx("lock", "a", 100 * ms))));
  CHECK(is_int(run(kv, 10 * ms, del_if_owner("lock", "b")), 0));  // wrong owner
  CHECK(is_value(run(kv, 10 * ms, get("lock")), "a"));             // untouched
  CHECK(is_int(run(kv, 10 * ms, del_if_owner("lock", "a")), 1));  // the owner
  CHECK(is_nil(run(kv, 10 * ms, get("lock"))));
  CHECK(is_int(run(kv, 10 * ms, del_if_owner("lock", "a")), 0));  // already gone
}

TEST_CASE("kv: a late owner-checked release cannot delete the next holder's lock, a blind DEL can", "[kv]") {
  kv_store kv(cfg(), rng(1));
  REQUIRE(is_ok(run(kv, 0, set_nx("lock", "a", 100 * ms))));
  CHECK(is_int(run(kv, 100 * ms, del_if_owner("lock", "a")), 0));  // a's lease expired: nothing of a's
  REQUIRE(is_ok(run(kv, 150 * ms, set_nx("lock", "b", 100 * ms))));
  CHECK(is_int(run(kv, 160 * ms, del_if_owner("lock", "a")), 0));  // a, still believing it holds
  CHECK(is_value(run(kv, 160 * ms, get("lock")), "b"));
  CHECK(is_int(run(kv, 170 * ms, del("lock")), 1));                 // seed 002's blind unlock
  CHECK(is_ok(run(kv, 170 * ms, set_nx("lock", "c", 100 * ms))));  // c now overlaps b
}

TEST_CASE("kv: pexpire_if_owner extends only the owner's live key", "[kv]") {
  kv_store kv(cfg(), rng(1));
  CHECK(is_int(run(kv, 0, pexpire_if_owner("lock", "a", 100 * ms)), 0));  // missing
  CHECK(is_nil(run(kv, 0, get("lock"))));                                 // not created
  REQUIRE(is_ok(run(kv, 0, set_nx("lock", "a", 100 * ms))));
  CHECK(is_int(run(kv, 50 * ms, pexpire_if_owner("lock", "b", 1 * s)), 0));  // wrong owner
  CHECK(is_nil(run(kv, 100 * ms, get("lock"))));  // so it still expired at 100 ms
  CHECK(is_int(run(kv, 100 * ms, pexpire_if_owner("lock", "a", 1 * s)), 0));  // expired: too late
  CHECK(is_nil(run(kv, 100 * ms, get("lock"))));                               // not revived

  REQUIRE(is_ok(run(kv, 200 * ms, set_nx("lock", "a", 100 * ms))));
  CHECK(is_int(run(kv, 250 * ms, pexpire_if_owner("lock", "a", 100 * ms)), 1));  // renewed to 350 ms
  CHECK(is_value(run(kv, 350 * ms - 1, get("lock")), "a"));
  CHECK(is_nil(run(kv, 350 * ms, get("lock"))));
  // ttl 0 through the owner check deletes, like pexpire.
  REQUIRE(is_ok(run(kv, 400 * ms, set_nx("lock", "a", 100 * ms))));
  CHECK(is_int(run(kv, 400 * ms, pexpire_if_owner("lock", "a", 0)), 1));
  CHECK(is_nil(run(kv, 400 * ms, get("lock"))));
}

TEST_CASE("kv: the owner check compares the whole value", "[kv]") {
  kv_store kv(cfg(), rng(1));
  REQUIRE(is_ok(run(kv, 0, set_nx("lock", "node-1:7", 1 * s))));
  CHECK(is_int(run(kv, 0, del_if_owner("lock", "node-1")), 0));
  CHECK(is_int(run(kv, 0, del_if_owner("lock", "node-1:77")), 0));
  CHECK(is_int(run(kv, 0, del_if_owner("lock", "")), 0));
  CHECK(is_int(run(kv, 0, del_if_owner("lock", "node-1:7")), 1));
}

// ---------------------------------------------------------------------------------------------------------
// TTLs on the store's clock

TEST_CASE("kv: a forward jump of the store clock by the ttl expires a lock early", "[kv]") {
  kv_store steady(cfg(), rng(1)), jumped(cfg(), rng(1));
  for (kv_store* kv : {&steady, &jumped}) REQUIRE(is_ok(run(*kv, 0, set_nx("lock", "a", 10 * s))));
  jumped.clock().jump(duration{10 * s});
  // One second into a ten-second lease, the jumped store has already expired it and grants it to b.
  CHECK(is_value(run(steady, 1 * s, get("lock")), "a"));
  CHECK(is_nil(run(steady, 1 * s, set_nx("lock", "b", 10 * s))));
  CHECK(is_nil(run(jumped, 1 * s, get("lock"))));
  CHECK(is_ok(run(jumped, 1 * s, set_nx("lock", "b", 10 * s))));
  // The holder's renewal now fails even though, by its own clock, it still holds a lease.
  CHECK(is_int(run(jumped, 1 * s, pexpire_if_owner("lock", "a", 10 * s)), 0));
}

TEST_CASE("kv: a smaller forward jump shortens the remaining ttl by the jump", "[kv]") {
  kv_store kv(cfg(), rng(1));
  REQUIRE(is_ok(run(kv, 0, set("k", "v", 10 * s))));
  kv.clock().jump(duration{4 * s});
  CHECK(is_value(run(kv, 6 * s - 1, get("k")), "v"));
  CHECK(is_nil(run(kv, 6 * s, get("k"))));
}

TEST_CASE("kv: a backward jump lengthens unexpired ttls but never revives a purged key", "[kv]") {
  kv_store kv(cfg(), rng(1));
  REQUIRE(is_ok(run(kv, 0, set("short", "v", 1 * s))));
  REQUIRE(is_ok(run(kv, 0, set("long", "v", 5 * s))));
  CHECK(is_nil(run(kv, 2 * s, get("short"))));  // observed expired, so purged
  kv.clock().jump(duration{-3 * s});
  CHECK(is_nil(run(kv, 2 * s, get("short"))));
  CHECK(is_value(run(kv, 8 * s - 1, get("long")), "v"));  // store time 5 s − 1 ns
  CHECK(is_nil(run(kv, 8 * s, get("long"))));
}

TEST_CASE("kv: drift stretches or shrinks ttls in true time, an offset alone does not", "[kv]") {
  // +100'000 ppm: the store clock runs 10 % fast, so a 1 s ttl set at true 0 ends at true 1/1.1 s ≈ 909 ms.
  kv_store fast(cfg(kv_persistence::none, node_clock(duration{0}, 100'000.0)), rng(1));
  REQUIRE(is_ok(run(fast, 0, set_nx("lock", "a", 1 * s))));
  CHECK(is_value(run(fast, 909 * ms, get("lock")), "a"));
  CHECK(is_nil(run(fast, 910 * ms, get("lock"))));

  // −100'000 ppm: 10 % slow, the lease lasts 1/0.9 s ≈ 1111 ms of true time.
  kv_store slow(cfg(kv_persistence::none, node_clock(duration{0}, -100'000.0)), rng(1));
  REQUIRE(is_ok(run(slow, 0, set_nx("lock", "a", 1 * s))));
  CHECK(is_value(run(slow, 1111 * ms, get("lock")), "a"));
  CHECK(is_nil(run(slow, 1112 * ms, get("lock"))));

  // A store clock an hour ahead still gives a 1 s ttl exactly 1 s.
  kv_store ahead(cfg(kv_persistence::none, node_clock(duration{3600 * s}, 0.0)), rng(1));
  REQUIRE(is_ok(run(ahead, 5 * s, set_nx("lock", "a", 1 * s))));
  CHECK(is_value(run(ahead, 6 * s - 1, get("lock")), "a"));
  CHECK(is_nil(run(ahead, 6 * s, get("lock"))));
}

// ---------------------------------------------------------------------------------------------------------
// Restarts

TEST_CASE("kv: restart refuses commands during (crash, crash + downtime) after 1 ms", "[kv]") {
  kv_store kv(cfg(kv_persistence::aof_always), rng(1));
  REQUIRE(is_ok(run(kv, 9 * s, set("k", "v", 0))));
  kv.restart(instant_from_ns(10 * s), duration{2 * s});
  for (std::int64_t t : {10 * s, 11 * s, 12 * s - 1}) {
    const kv_result r = kv.execute(instant_from_ns(t), get("k"));
    CHECK(r.answers);
    CHECK(refused(r.reply));
    CHECK(ns_since_start(r.at) == t + 1 * ms);
  }
  const kv_result back = kv.execute(instant_from_ns(12 * s), get("k"));
  CHECK(is_value(back.reply, "v"));
  CHECK(ns_since_start(back.at) == 12 * s + latency_ns);
  CHECK(kv.stats().restarts == 1);
  CHECK(kv.stats().commands_refused == 3);
  CHECK(kv.stats().commands_executed == 2);
}

TEST_CASE("kv: restart with persistence none comes back empty", "[kv]") {
  kv_store kv(cfg(kv_persistence::none), rng(1));
  REQUIRE(is_ok(run(kv, 0, set("a", "1", 0))));
  REQUIRE(is_ok(run(kv, 0, set_nx("lock", "w1", 30 * s))));
  REQUIRE(is_int(run(kv, 0, incr("fence")), 1));
  kv.restart(instant_from_ns(5 * s), duration{1 * s});
  CHECK(kv.stats().keys_lost_last_restart == 3);
  CHECK(kv.stats().keys_live == 0);
  CHECK(is_nil(run(kv, 6 * s, get("a"))));
  // The lock a worker believes it holds for 24 more seconds is free for anyone.
  CHECK(is_ok(run(kv, 6 * s, set_nx("lock", "w2", 30 * s))));
}

TEST_CASE("kv: restart with aof_always keeps every acknowledged write, deletions and ttls included", "[kv]") {
  kv_store kv(cfg(kv_persistence::aof_always), rng(1));
  REQUIRE(is_ok(run(kv, 0, set("a", "1", 0))));
  REQUIRE(is_ok(run(kv, 0, set("gone", "x", 0))));
  REQUIRE(is_ok(run(kv, 0, set("lease", "w", 10 * s))));
  REQUIRE(is_int(run(kv, 5 * s - 1, del("gone")), 1));                  // 1 ns before the crash
  REQUIRE(is_int(run(kv, 5 * s, pexpire("lease", 2 * s)), 1));          // at the crash instant
  kv.restart(instant_from_ns(5 * s), duration{1 * s});
  CHECK(kv.stats().keys_lost_last_restart == 0);
  CHECK(kv.stats().keys_reverted_last_restart == 0);
  CHECK(is_value(run(kv, 6 * s, get("a")), "1"));
  CHECK(is_nil(run(kv, 6 * s, get("gone"))));
  CHECK(is_value(run(kv, 7 * s - 1, get("lease")), "w"));  // the shortened ttl: 5 s + 2 s
  CHECK(is_nil(run(kv, 7 * s, get("lease"))));
}

TEST_CASE("kv: restart with aof_everysec loses exactly the writes of (crash - 1 s, crash)", "[kv]") {
  kv_store kv(cfg(kv_persistence::aof_everysec), rng(1));
  const std::int64_t crash = 10 * s;
  REQUIRE(is_ok(run(kv, 1 * s, set("old", "1", 0))));
  REQUIRE(is_ok(run(kv, 1 * s, set("deleted", "x", 0))));
  REQUIRE(is_ok(run(kv, 1 * s, set("lease", "w", 20 * s))));       // expires at 21 s
  REQUIRE(is_ok(run(kv, crash - 1 * s, set("edge", "kept", 0))));  // exactly at the boundary: durable
  REQUIRE(is_ok(run(kv, crash - 1 * s + 1, set("young", "lost", 0))));
  REQUIRE(is_int(run(kv, crash - 500 * ms, del("deleted")), 1));
  REQUIRE(is_int(run(kv, crash - 200 * ms, pexpire("lease", 60 * s)), 1));
  REQUIRE(is_ok(run(kv, crash, set("old", "2", 0))));  // at the crash instant: lost too
  kv.restart(instant_from_ns(crash), duration{0});

  CHECK(is_value(run(kv, crash, get("edge")), "kept"));
  CHECK(is_nil(run(kv, crash, get("young"))));
  CHECK(is_value(run(kv, crash, get("deleted")), "x"));  // the DEL was lost: the key is back
  CHECK(is_value(run(kv, crash, get("old")), "1"));      // the overwrite was lost
  CHECK(is_value(run(kv, 21 * s - 1, get("lease")), "w"));
  CHECK(is_nil(run(kv, 21 * s, get("lease"))));  // the extension was lost: the old expiry is back
  const kv_store_stats st = kv.stats();
  CHECK(st.keys_lost_last_restart == 1);      // young
  CHECK(st.keys_reverted_last_restart == 3);  // deleted (back), old (older value), lease (older ttl)
}

TEST_CASE("kv: aof_everysec keeps writes older than a second even with no command before the crash", "[kv]") {
  kv_store kv(cfg(kv_persistence::aof_everysec), rng(1));
  REQUIRE(is_ok(run(kv, 0, set("a", "1", 0))));
  REQUIRE(is_int(run(kv, 0, incr("fence")), 1));
  kv.restart(instant_from_ns(1 * s), duration{1 * s});  // exactly one second later: still durable
  CHECK(kv.stats().keys_lost_last_restart == 0);
  CHECK(is_value(run(kv, 2 * s, get("a")), "1"));
  CHECK(is_int(run(kv, 2 * s, incr("fence")), 2));
}

TEST_CASE("kv: a fencing counter goes backwards after a restart unless the AOF is fsynced always", "[kv]") {
  // Ten increments, one every 200 ms; the crash comes 100 ms after the last. The token issued after the
  // restart must exceed every token issued before it for fencing to be safe.
  auto after_restart = [](kv_persistence p) {
    kv_store kv(cfg(p), rng(1));
    std::int64_t last = 0;
    for (int i = 0; i < 10; ++i) last = run(kv, i * 200 * ms, incr("fence")).integer;
    REQUIRE(last == 10);
    kv.restart(instant_from_ns(1900 * ms), duration{500 * ms});
    return run(kv, 2400 * ms, incr("fence")).integer;
  };
  CHECK(after_restart(kv_persistence::none) == 1);
  // Increments at 1000..1800 ms are within the last second before 1900 ms: five lost, 0..800 ms kept.
  CHECK(after_restart(kv_persistence::aof_everysec) == 6);
  CHECK(after_restart(kv_persistence::aof_always) == 11);
}

TEST_CASE("kv: ttls keep counting on the store clock through the downtime", "[kv]") {
  kv_store kv(cfg(kv_persistence::aof_always), rng(1));
  REQUIRE(is_ok(run(kv, 0, set_nx("short", "a", 5 * s))));
  REQUIRE(is_ok(run(kv, 0, set_nx("long", "a", 20 * s))));
  kv.restart(instant_from_ns(1 * s), duration{10 * s});
  CHECK(is_nil(run(kv, 11 * s, get("short"))));  // expired while the server was down
  CHECK(is_value(run(kv, 20 * s - 1, get("long")), "a"));
  CHECK(is_nil(run(kv, 20 * s, get("long"))));
}

TEST_CASE("kv: a restart while already down extends the downtime and loses nothing more", "[kv]") {
  kv_store kv(cfg(kv_persistence::aof_everysec), rng(1));
  REQUIRE(is_ok(run(kv, 0, set("a", "1", 0))));
  kv.restart(instant_from_ns(5 * s), duration{2 * s});
  kv.restart(instant_from_ns(6 * s), duration{3 * s});
  CHECK(kv.stats().restarts == 2);
  CHECK(kv.stats().keys_lost_last_restart == 0);
  CHECK(refused(run(kv, 9 * s - 1, get("a"))));
  CHECK(is_value(run(kv, 9 * s, get("a")), "1"));
}

// ---------------------------------------------------------------------------------------------------------
// Unavailability

TEST_CASE("kv: set_unavailable refuses commands in (from, to) and keeps the data", "[kv]") {
  kv_store kv(cfg(kv_persistence::none), rng(1));
  kv.set_unavailable(instant_from_ns(2 * s), instant_from_ns(3 * s));  // planned ahead
  REQUIRE(is_ok(run(kv, 1 * s, set("k", "v", 0))));
  CHECK(is_value(run(kv, 2 * s - 1, get("k")), "v"));
  const kv_result at_from = kv.execute(instant_from_ns(2 * s), set("k", "changed", 0));
  CHECK(refused(at_from.reply));
  CHECK(ns_since_start(at_from.at) == 2 * s + 1 * ms);
  CHECK(refused(run(kv, 3 * s - 1, get("k"))));
  CHECK(is_value(run(kv, 3 * s, get("k")), "v"));  // intact, and the refused SET did not run
  CHECK(kv.stats().commands_refused == 2);
  CHECK(kv.stats().restarts == 0);
}

TEST_CASE("kv: an empty unavailability window refuses nothing, overlapping windows both apply", "[kv]") {
  kv_store kv(cfg(), rng(1));
  kv.set_unavailable(instant_from_ns(1 * s), instant_from_ns(1 * s));
  CHECK(is_nil(run(kv, 1 * s, get("k"))));
  kv.set_unavailable(instant_from_ns(2 * s), instant_from_ns(4 * s));
  kv.set_unavailable(instant_from_ns(3 * s), instant_from_ns(5 * s));
  CHECK(refused(run(kv, 4 * s, get("k"))));
  CHECK(refused(run(kv, 5 * s - 1, get("k"))));
  CHECK(is_nil(run(kv, 5 * s, get("k"))));
}

TEST_CASE("kv: ttls keep counting during an unavailability window", "[kv]") {
  kv_store kv(cfg(), rng(1));
  REQUIRE(is_ok(run(kv, 0, set_nx("lock", "a", 1 * s))));
  kv.set_unavailable(instant_from_ns(500 * ms), instant_from_ns(2 * s));
  CHECK(refused(run(kv, 900 * ms, pexpire_if_owner("lock", "a", 1 * s))));  // the renewal cannot land
  CHECK(is_ok(run(kv, 2 * s, set_nx("lock", "b", 1 * s))));
}

// ---------------------------------------------------------------------------------------------------------
// Memory, stats and determinism

TEST_CASE("kv: an hour of short-lived keys keeps memory at the live key space", "[kv]") {
  // A new key every 100 ms with a 1 s ttl, plus a lock renewed every 100 ms: 36'000 distinct keys over an
  // hour, at most 10 or 11 live at once, and one second of writes (20) in the aof_everysec journal.
  kv_store kv(cfg(kv_persistence::aof_everysec), rng(1));
  REQUIRE(is_ok(run(kv, 0, set_nx("lock", "w", 1 * s))));
  std::size_t live_max = 0, journal_max = 0;
  std::int64_t failed = 0;  // counted, not REQUIREd per command, to keep the Debug run short
  const std::int64_t keys = 36'000;
  for (std::int64_t i = 0; i < keys; ++i) {
    const std::int64_t t = i * 100 * ms;
    if (!is_ok(run(kv, t, set("job:" + std::to_string(i), "done", 1 * s)))) ++failed;
    if (!is_int(run(kv, t, pexpire_if_owner("lock", "w", 1 * s)), 1)) ++failed;
    const kv_store_stats st = kv.stats();
    live_max = std::max(live_max, st.keys_live);
    journal_max = std::max(journal_max, st.journal_writes);
  }
  CHECK(failed == 0);
  CHECK(live_max <= 12);
  CHECK(journal_max <= 22);
  CHECK(kv.stats().keys_expired >= static_cast<std::uint64_t>(keys - 11));
  CHECK(kv.stats().commands_executed == static_cast<std::uint64_t>(2 * keys + 1));
}

TEST_CASE("kv: keyspace keeps exactly one expiry index entry per key with a ttl", "[kv]") {
  kv_keyspace ks;
  const auto at = [](std::int64_t t) { return instant_from_ns(t); };
  for (int i = 0; i < 1000; ++i) ks.put("lock", kv_entry{"w", at(i * ms + 1 * s)});  // renewals
  CHECK(ks.size() == 1);
  CHECK(ks.expiries_indexed() == 1);
  ks.put("lock", kv_entry{"w", squall::stack::instant::max()});  // persist: no ttl, no index entry
  CHECK(ks.expiries_indexed() == 0);
  ks.put("a", kv_entry{"x", at(5)});
  ks.put("b", kv_entry{"x", at(5)});  // equal expiries, distinct keys
  ks.put("c", kv_entry{"x", at(9)});
  CHECK(ks.expiries_indexed() == 3);
  CHECK(ks.erase("c"));
  CHECK_FALSE(ks.erase("c"));
  CHECK(ks.expiries_indexed() == 2);
  CHECK(ks.purge(at(4)) == 0);
  CHECK(ks.purge(at(5)) == 2);  // at the expiry instant
  CHECK(ks.size() == 1);
  CHECK(ks.find("lock") != nullptr);
  CHECK(ks.expiries_indexed() == 0);
}

TEST_CASE("kv: stats count executed, refused and expired commands and live keys", "[kv]") {
  kv_store kv(cfg(), rng(1));
  REQUIRE(is_ok(run(kv, 0, set("a", "1", 10 * ms))));
  REQUIRE(is_ok(run(kv, 0, set("b", "1", 0))));
  CHECK(kv.stats().keys_live == 2);
  CHECK(is_nil(run(kv, 10 * ms, get("a"))));
  kv.set_unavailable(instant_from_ns(20 * ms), instant_from_ns(30 * ms));
  CHECK(refused(run(kv, 25 * ms, get("b"))));
  const kv_store_stats st = kv.stats();
  CHECK(st.commands_executed == 3);
  CHECK(st.commands_refused == 1);
  CHECK(st.keys_expired == 1);
  CHECK(st.keys_live == 1);
  CHECK(st.restarts == 0);
  CHECK(st.journal_writes == 0);
}

TEST_CASE("kv: same seed, same reply times, another seed, others", "[kv]") {
  kv_store_config c = cfg();
  c.latency.dist = latency_dist::lognormal;
  c.latency.median_ms = 0.5;
  c.latency.sigma = 0.5;
  kv_store a(c, rng(5)), b(c, rng(5)), other(c, rng(6));
  bool differs = false;
  std::int64_t spread_min = INT64_MAX, spread_max = 0;
  for (std::int64_t i = 0; i < 1000; ++i) {
    const std::int64_t t = i * ms;
    const kv_command command = i % 2 == 0 ? incr("n") : get("n");
    const kv_result ra = a.execute(instant_from_ns(t), command);
    const kv_result rb = b.execute(instant_from_ns(t), command);
    const kv_result ro = other.execute(instant_from_ns(t), command);
    REQUIRE(ra.at == rb.at);
    REQUIRE(ra.reply.integer == rb.reply.integer);
    differs = differs || ra.at != ro.at;
    spread_min = std::min(spread_min, ns_since_start(ra.at) - t);
    spread_max = std::max(spread_max, ns_since_start(ra.at) - t);
  }
  CHECK(differs);
  CHECK(spread_min < spread_max);  // the latency really is drawn
}

TEST_CASE("kv: to_string names each persistence mode", "[kv]") {
  CHECK(std::string(to_string(kv_persistence::none)) == "none");
  CHECK(std::string(to_string(kv_persistence::aof_everysec)) == "aof_everysec");
  CHECK(std::string(to_string(kv_persistence::aof_always)) == "aof_always");
}

TEST_CASE("kv: a store clock that reads negative still sets and expires TTLs", "[kv]") {
  kv_store_config c = cfg();
  c.clock = squall::sim::node_clock(squall::stack::duration{-20 * ms}, 0.0);  // 20 ms behind true time
  kv_store kv(c, rng(1));
  REQUIRE(is_ok(run(kv, 0, set_nx("lock", "w", 10 * ms))));  // store time -20 ms: expires at store -10 ms
  CHECK_FALSE(is_nil(run(kv, 9 * ms, get("lock"))));
  CHECK(is_nil(run(kv, 10 * ms, get("lock"))));
}
