// Two `squall worker` processes share one run on one redis-server: node 0 also produces, both consume from the
// same Streams group; `squall check` merges their histories by t_ns into one report.
#include <catch2/catch.hpp>

#include <fstream>
#include <regex>
#include <set>
#include <sstream>
#include <string>

#include <nlohmann/json.hpp>

#include "history/jsonl.hpp"
#include "net/managed_redis.hpp"
#include "tests/cli/cli_harness.hpp"

namespace squall::real_jobs_test {
namespace {

using test::cli_sandbox;

constexpr const char* worker_scenario = R"({
  "squall": 1, "name": "two-workers", "seed": 9, "duration_s": 2,
  "jobs": {
    "nodes": 2, "concurrency": 2,
    "arrivals": { "model": "constant", "rate_per_s": 30 },
    "work": { "dist": "constant", "value_ms": 20 },
    "queue": { "visibility_timeout_ms": 2000 },
    "lock": { "ttl_ms": 2000 },
    "idempotency": { "mode": "claim_first" }
  },
  "gates": [ "duplicates.effects_duplicated == 0" ]
})";

struct collector final : history::event_sink {
  std::set<std::int32_t> procs;
  std::set<std::uint64_t> applied;  // keys applied; with "keys" absent, job i has key i
  void on_event(const history::event& e) override {
    if (e.type != history::event_type::effect) return;
    procs.insert(e.proc);
    if (e.outcome == history::effect_outcome::applied) applied.insert(e.key);
  }
};

collector read_effects(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  history::header h;
  collector c;
  history::read_history(in, h, c);
  return c;
}

TEST_CASE("squall worker: two processes share one run and every enqueued job is applied at least once") {
  net::managed_redis redis;
  cli_sandbox box;
  test::write_file(box.path("s.json"), worker_scenario);
  const std::string url = "--redis redis://127.0.0.1:" + std::to_string(redis.port());
  const std::string common = "worker --run r1 " + url + " --scenario s.json --drain-s 1.5";
  const char* bin = std::getenv("SQUALL_BIN");
  const std::string exe = "'" + std::string(bin ? bin : "squall") + "' ";
  // Both in the background, then wait for both: bounded by the scenario (2 s) plus the drain (1.5 s).
  const auto both = test::run_shell("cd '" + box.dir.string() + "' && (" + exe + common +
                                    " --node 0 --produce --history w0.jsonl > w0.out 2>&1 & " + exe + common +
                                    " --node 1 --history w1.jsonl > w1.out 2>&1 & wait) && cat w0.out w1.out");
  INFO(both.out);
  REQUIRE(both.exit_code == 0);
  std::smatch m;
  const std::regex enqueued_re("([0-9]+) enqueued");
  REQUIRE(std::regex_search(both.out, m, enqueued_re));
  const std::uint64_t enqueued = std::stoull(m[1]);
  CHECK(enqueued >= 50);

  const collector w0 = read_effects(box.path("w0.jsonl").string());
  const collector w1 = read_effects(box.path("w1.jsonl").string());
  // Each process applied jobs, with its own node's workers only (node i runs workers 2i and 2i + 1).
  REQUIRE(!w0.procs.empty());
  REQUIRE(!w1.procs.empty());
  CHECK(*w0.procs.rbegin() <= 1);
  CHECK(*w1.procs.begin() >= 2);
  std::set<std::uint64_t> applied = w0.applied;
  applied.insert(w1.applied.begin(), w1.applied.end());
  for (std::uint64_t id = 1; id <= enqueued; ++id) {
    INFO("job " << id);
    CHECK(applied.count(id) == 1);
  }

  // One report over both histories: every application counted once, none twice (claim_first, no faults).
  const auto check = box.run("check w0.jsonl w1.jsonl");
  INFO(check.out);
  REQUIRE(check.exit_code == 0);
  const auto report = nlohmann::json::parse(check.out);
  CHECK(report.at("duplicates").at("effects_applied").get<std::uint64_t>() == applied.size());
  CHECK(report.at("duplicates").at("effects_duplicated").get<std::uint64_t>() == 0);
}

// Kleppmann's pause across processes: process A runs node 0, paused 2 s..9 s while it holds jobs; process B runs
// nodes 1 and 2, takes over A's jobs once their 1 s leases lapse and the 2.5 s visibility timeout redelivers them,
// and applies them with newer fencing tokens. When A wakes, its stale tokens are lower than B's, but A's own
// ledger never saw B's: only a fencing store shared by both (--ledger-redis) refuses them.
TEST_CASE("squall worker: fencing holds across processes only with a shared --ledger-redis") {
  net::managed_redis redis;
  net::managed_redis ledger_redis;  // the downstream's fencing storage: no fault touches it
  cli_sandbox box;
  const char* bin = std::getenv("SQUALL_BIN");
  const std::string exe = "'" + std::string(bin ? bin : "squall") + "' ";
  const std::string common =
      "worker " + std::string("--redis redis://127.0.0.1:") + std::to_string(redis.port()) + " --scenario '" +
      SQUALL_SOURCE_DIR + "/scenarios/jobs-pause-fencing.json'"
      " --set duration_s=12 --set jobs.lock.ttl_ms=1000 --set jobs.queue.visibility_timeout_ms=2500"
      " --set jobs.arrivals.rate_per_s=4 --set jobs.work.min_ms=1500 --set jobs.work.max_ms=2000"
      " --set 'faults=[{\"kind\":\"process_pause\",\"target\":\"n0\",\"from_s\":2,\"to_s\":9}]'";
  const auto run_pair = [&](const std::string& run, const std::string& extra) {
    const std::string a = exe + common + " --run " + run + extra + " --node 0 --history " + run + "-a.jsonl";
    const std::string b = exe + common + " --run " + run + extra + " --node 1 --node 2 --produce --history " + run +
                          "-b.jsonl";
    const auto both = test::run_shell("cd '" + box.dir.string() + "' && (" + a + " > " + run + "-a.out 2>&1 & " + b +
                                      " > " + run + "-b.out 2>&1 & wait) && cat " + run + "-a.out " + run + "-b.out");
    INFO(both.out);
    REQUIRE(both.exit_code == 0);
    const auto check = box.run("check " + run + "-a.jsonl " + run + "-b.jsonl");
    INFO(check.out);
    REQUIRE((check.exit_code == 0 || check.exit_code == 1));  // 1: the scenario's no-duplicates gate failed
    return nlohmann::json::parse(check.out).at("duplicates");
  };
  SECTION("each process fences on its own: A's stale effects are applied, duplicates") {
    const auto d = run_pair("solo", "");
    CHECK(d.at("redeliveries").get<std::uint64_t>() >= 1);
    CHECK(d.at("effects_duplicated").get<std::uint64_t>() >= 1);
    CHECK(d.at("fencing_rejections").get<std::uint64_t>() == 0);
  }
  SECTION("a shared fencing store: A's stale effects are refused, no duplicate") {
    const auto d = run_pair("shared", " --ledger-redis redis://127.0.0.1:" + std::to_string(ledger_redis.port()));
    CHECK(d.at("redeliveries").get<std::uint64_t>() >= 1);
    CHECK(d.at("fencing_rejections").get<std::uint64_t>() >= 1);
    CHECK(d.at("effects_duplicated").get<std::uint64_t>() == 0);
    CHECK_FALSE(ledger_redis.admin({"KEYS", "shared:fenced:*"}) == "0");  // the tokens live in the shared store
  }
}

}  // namespace
}  // namespace squall::real_jobs_test
