// real_job_world against a managed redis-server: the same job_node over Redis Streams, a real KV connection and
// real time; a SIGKILL + restart of Redis mid-run with persistence none vs aof_always, and what the duplicates
// checker makes of each history.
#include <catch2/catch.hpp>

#include <set>
#include <string>
#include <thread>
#include <vector>

#include "net/real_history.hpp"
#include "reports/report_builder.hpp"
#include "runner/real_job_world.hpp"
#include "runner/scenario_parser.hpp"
#include "runner/world.hpp"

namespace squall::real_jobs_test {
namespace {

struct recording_sink final : history::event_sink {
  std::vector<history::event> events;  // real_history emits under its lock
  void on_event(const history::event& e) override { events.push_back(e); }
};

// 4 s of jobs over 10 repeating keys, a lock per key and check_then_act idempotency: every key recurs after a
// restart at 1.5 s, so a lost done marker shows as a second application.
std::string restart_scenario(const std::string& persistence) {
  return R"({
  "squall": 1, "name": "real-restart-)" + persistence + R"(", "seed": 3, "duration_s": 4,
  "jobs": {
    "nodes": 2, "concurrency": 2,
    "arrivals": { "model": "constant", "rate_per_s": 40 }, "keys": 10,
    "work": { "dist": "constant", "value_ms": 10 },
    "queue": { "visibility_timeout_ms": 2000 },
    "lock": { "ttl_ms": 2000, "acquire_timeout_ms": 1000 },
    "idempotency": { "mode": "check_then_act" },
    "store": { "persistence": ")" + persistence + R"(", "command_timeout_ms": 200, "attempts": 10,
               "backoff": { "kind": "equal_jitter", "base_ms": 50, "cap_ms": 300 } }
  },
  "faults": [ { "kind": "redis_restart", "from_s": 1.5, "downtime_ms": 300 } ],
  "gates": []
})";
}

struct run_result {
  nlohmann::json duplicates;
  std::vector<history::event> events;
  runner::real_jobs_stats stats;
};

run_result run_real(const std::string& text) {
  const runner::parse_outcome parsed = runner::parse_scenario(text);
  REQUIRE(parsed.value);
  const runner::scenario& s = *parsed.value;
  recording_sink sink;
  run_result out;
  {
    net::real_history history(sink);
    runner::real_job_world world(s, history, sim::rng(s.seed));
    world.start();
    std::this_thread::sleep_for(s.run_for);
    world.stop();
    out.stats = world.stats();
  }
  reports::report_builder report(runner::make_header(s, s.seed, "test"));
  for (const history::event& e : sink.events) report.on_event(e);
  out.duplicates = report.finish().at("duplicates");
  out.events = std::move(sink.events);
  return out;
}

std::size_t count(const std::vector<history::event>& events, history::event_type t) {
  std::size_t n = 0;
  for (const auto& e : events) n += e.type == t ? 1 : 0;
  return n;
}

TEST_CASE("real jobs world: a SIGKILL of Redis without persistence re-applies done keys, aof_always does not") {
  const run_result none = run_real(restart_scenario("none"));
  const run_result always = run_real(restart_scenario("aof_always"));
  INFO("none: " << none.duplicates.dump());
  INFO("aof_always: " << always.duplicates.dump());
  // Both ran jobs on both sides of the restart, and recorded it.
  for (const run_result* r : {&none, &always}) {
    CHECK(count(r->events, history::event_type::store_restart) == 1);
    CHECK(r->stats.enqueued > 100);
    CHECK(r->duplicates.at("effects_applied").get<std::uint64_t>() >= 10);
  }
  // The done markers and lock keys die with a Redis that persists nothing: keys applied before are applied
  // again. With every acknowledged write on disk they survive, and the per-key lock keeps check_then_act safe.
  CHECK(none.duplicates.at("effects_duplicated").get<std::uint64_t>() >= 1);
  CHECK(always.duplicates.at("effects_duplicated").get<std::uint64_t>() == 0);
  CHECK(none.duplicates.at("effects_duplicated").get<std::uint64_t>() >
        always.duplicates.at("effects_duplicated").get<std::uint64_t>());
}

}  // namespace
}  // namespace squall::real_jobs_test
