// `squall run --real` end to end: the stack over real loopback sockets against squall's own fake server, the
// same report and gates as simulation, and the sim-vs-real comparison. Runs are a few seconds of real time.
#include <catch2/catch.hpp>

#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <set>
#include <sstream>
#include <vector>

#include <nlohmann/json.hpp>

#include "tests/cli/cli_harness.hpp"

namespace {

using squall::test::cli_sandbox;
using squall::test::read_file;
using squall::test::write_file;

// small_scenario, shortened to 4 s of real time with a 1 s error storm in the middle.
std::string short_real_scenario(const std::string& gates) {
  auto s = nlohmann::json::parse(squall::test::small_scenario("real-small", gates));
  s["duration_s"] = 4;
  s["faults"][0]["from_s"] = 1;
  s["faults"][0]["to_s"] = 2;
  return s.dump();
}

double number_at(const nlohmann::json& j, const std::string& pointer) { return j.at(nlohmann::json::json_pointer(pointer)).get<double>(); }

// Node n0's workers are w0..w3 (4 slots per node in the jobs-lease-* scenarios).
bool on_n0(const std::string& worker) { return worker == "w0" || worker == "w1" || worker == "w2" || worker == "w3"; }

// A history's lock_lost events: who, at what true time, and the validity end it gave up at, read on its own clock.
struct lost_lease {
  std::string proc;
  std::int64_t t_ns = 0;
  std::int64_t valid_until_ns = 0;
};

std::vector<lost_lease> lost_leases(const std::string& history) {
  std::vector<lost_lease> out;
  std::istringstream lines(history);
  for (std::string line; std::getline(lines, line);) {
    const auto e = nlohmann::json::parse(line);
    if (e.value("type", "") != "lock_lost") continue;
    out.push_back({e.at("proc").get<std::string>(), e.at("t_ns").get<std::int64_t>(), e.at("valid_until_ns").get<std::int64_t>()});
  }
  return out;
}

// Some worker lost a lease, and every one that did is on node n0.
void check_only_n0_lost_leases(const std::string& history) {
  std::set<std::string> lost;
  for (const lost_lease& l : lost_leases(history)) lost.insert(l.proc);
  INFO(nlohmann::json(lost).dump());
  CHECK(!lost.empty());
  for (const std::string& w : lost) CHECK(on_n0(w));
}

}  // namespace

TEST_CASE("run --real drives the stack over loopback and writes the same report as simulation") {
  cli_sandbox box;
  write_file(box.path("s.json"), short_real_scenario(R"(["goodput.ratio > 0.3"])"));
  const auto r = box.run("run s.json --real --quiet --out out");
  INFO(r.out);
  REQUIRE(r.exit_code == 0);
  const auto report = nlohmann::json::parse(read_file(box.path("out/real-small/report.json")));
  REQUIRE(report.at("real").at("mode") == "real");
  REQUIRE(report.at("real").at("dependencies").at(0).get<std::string>().find("squall fake") != std::string::npos);
  // Real attempts went through the fake server: the counts add up like in simulation.
  const double originals = number_at(report, "/requests/originals");
  REQUIRE(originals > 400);  // 200/s for 4 s: ~800 intended arrivals
  REQUIRE(number_at(report, "/requests/attempts") >= number_at(report, "/requests/succeeded"));
  REQUIRE(number_at(report, "/requests/succeeded") > 0);
  REQUIRE(report.at("gates").at(0).at("passed") == true);
  const auto comparison = nlohmann::json::parse(read_file(box.path("out/real-small/comparison.json")));
  bool compared_originals = false;
  for (const auto& row : comparison.at("metrics")) {
    if (row.at("path") != "requests.originals") continue;
    compared_originals = true;
    // The same seeded arrival process in both modes: the schedule agrees (late firing can only lose the last
    // few arrivals when the run stops).
    const double sim = row.at("sim").get<double>();
    REQUIRE(row.at("real").get<double>() <= sim);
    REQUIRE(row.at("real").get<double>() >= 0.95 * sim);
  }
  REQUIRE(compared_originals);
  REQUIRE(read_file(box.path("out/real-small/comparison.md")).find("simulated vs real") != std::string::npos);
  REQUIRE(std::filesystem::exists(box.path("out/real-small/report.html")));
}

TEST_CASE("run --real fails a gate with exit 1 like simulation does") {
  cli_sandbox box;
  write_file(box.path("s.json"), short_real_scenario(R"(["goodput.ratio > 1.5"])"));
  const auto r = box.run("run s.json --real --quiet --out out");
  INFO(r.out);
  REQUIRE(r.exit_code == 1);
  const auto report = nlohmann::json::parse(read_file(box.path("out/real-small/report.json")));
  REQUIRE(report.at("gates").at(0).at("passed") == false);
}

TEST_CASE("run --real records a history that squall check turns into the same report") {
  cli_sandbox box;
  write_file(box.path("s.json"), short_real_scenario(R"(["goodput.ratio > 0.3"])"));
  REQUIRE(box.run("run s.json --real --quiet --out out --history h.jsonl").exit_code == 0);
  const auto checked = box.run("check h.jsonl --out checked --quiet");
  INFO(checked.out);
  REQUIRE(checked.exit_code == 0);
  auto real = nlohmann::json::parse(read_file(box.path("out/real-small/report.json")));
  auto again = nlohmann::json::parse(read_file(box.path("checked/report.json")));
  real.erase("real");  // what only the live run knows (client and arrival statistics)
  again.erase("real");
  REQUIRE(again == real);
}

TEST_CASE("run --real refuses what it cannot run, with exit 2") {
  cli_sandbox box;
  write_file(box.path("s.json"), short_real_scenario("[]"));
  SECTION("several seeds") {
    const auto r = box.run("run s.json --real --seeds 3 --quiet");
    REQUIRE(r.exit_code == 2);
    REQUIRE(r.out.find("--seeds") != std::string::npos);
  }
  SECTION("a dependency beyond loopback without --allow-remote") {
    const auto r = box.run("run s.json --real --quiet --set dependencies.api.url=http://192.0.2.1:80/");
    REQUIRE(r.exit_code == 2);
    REQUIRE(r.out.find("loopback") != std::string::npos);
  }
  SECTION("a url that is not http://") {
    const auto r = box.run("run s.json --real --quiet --set dependencies.api.url=ftp://127.0.0.1/");
    REQUIRE(r.exit_code == 2);
    REQUIRE(r.out.find("dependencies.api.url") != std::string::npos);
  }
}

TEST_CASE("run --real runs a jobs scenario on a managed redis-server and reports its duplicates") {
  cli_sandbox box;
  const auto r = box.run(std::string("run '") + SQUALL_SOURCE_DIR +
                         "/scenarios/jobs-redis-restart-no-persistence.json' --real --quiet --out out"
                         " --set duration_s=6 --set jobs.arrivals.rate_per_s=20"
                         " --set 'faults=[{\"kind\":\"redis_restart\",\"from_s\":3,\"downtime_ms\":500}]'");
  INFO(r.out);
  REQUIRE((r.exit_code == 0 || r.exit_code == 1));  // expect "fail": duplicates may or may not happen in 6 s
  const auto report = nlohmann::json::parse(read_file(box.path("out/jobs-redis-restart-no-persistence/report.json")));
  REQUIRE(report.at("real").at("jobs").at("redis").get<std::string>().rfind("redis://127.0.0.1:", 0) == 0);
  REQUIRE(report.at("real").at("jobs").at("enqueued").get<double>() > 50);  // ~120 arrivals in 6 s
  REQUIRE(number_at(report, "/duplicates/effects_applied") > 0);
  const auto comparison = nlohmann::json::parse(read_file(box.path("out/jobs-redis-restart-no-persistence/comparison.json")));
  for (const auto& row : comparison.at("metrics"))
    REQUIRE(row.at("path").get<std::string>().rfind("duplicates.", 0) == 0);  // a jobs-only scenario: no HTTP rows
}

TEST_CASE("run --real stops cleanly on SIGINT: exit 130, no report and no history passed off as a result") {
  cli_sandbox box;
  const char* bin = std::getenv("SQUALL_BIN");
  REQUIRE(bin != nullptr);
  // A 60 s jobs run with a managed redis-server, interrupted after 2 s; the shell reports squall's exit code.
  const std::string cmd = "cd '" + box.dir.string() + "' && ('" + bin + "' run '" + SQUALL_SOURCE_DIR +
                          "/scenarios/jobs-redis-restart-no-persistence.json' --real --quiet --out out --history h.jsonl"
                          " --set duration_s=60 --set 'faults=[]' & pid=$!; sleep 2; kill -INT $pid; wait $pid;"
                          " echo \"exit=$?\") 2>&1";
  const auto r = squall::test::run_shell(cmd);
  INFO(r.out);
  REQUIRE(r.out.find("exit=130") != std::string::npos);
  REQUIRE(r.out.find("no report written") != std::string::npos);
  REQUIRE_FALSE(std::filesystem::exists(box.path("out/jobs-redis-restart-no-persistence/report.json")));
  REQUIRE_FALSE(std::filesystem::exists(box.path("h.jsonl")));
}

// Kleppmann's pause, for real: node n0's event loop is blocked 2 s..9 s while it holds jobs (every slot is busy
// at 4 jobs/s of 1.5-2 s work on 3 x 2 slots), its 1 s leases lapse, Redis Streams redeliver its jobs to the
// other nodes after the 2.5 s visibility timeout and they finish them before n0 wakes and applies its stale
// effects. Without fencing that is a duplicate; with fencing tokens the ledger refuses the stale write.
TEST_CASE("run --real plays a process_pause: duplicates without fencing, fencing rejections with it") {
  const std::string overrides =
      " --set duration_s=12 --set jobs.lock.ttl_ms=1000 --set jobs.queue.visibility_timeout_ms=2500"
      " --set jobs.arrivals.rate_per_s=4 --set jobs.work.min_ms=1500 --set jobs.work.max_ms=2000"
      " --set 'faults=[{\"kind\":\"process_pause\",\"target\":\"n0\",\"from_s\":2,\"to_s\":9}]'"
      " --set 'jobs.store.redis=\"managed\"' --real --quiet --out out --history h.jsonl";
  cli_sandbox box;
  SECTION("without fencing") {
    const auto r = box.run(std::string("run '") + SQUALL_SOURCE_DIR + "/scenarios/jobs-pause-no-fencing.json'" + overrides);
    INFO(r.out);
    REQUIRE(r.exit_code == 0);  // the scenario expects its gate (no duplicates) to fail
    const auto report = nlohmann::json::parse(read_file(box.path("out/jobs-pause-no-fencing/report.json")));
    CHECK(number_at(report, "/duplicates/redeliveries") >= 1);
    CHECK(number_at(report, "/duplicates/effects_duplicated") >= 1);
    CHECK(number_at(report, "/duplicates/fencing_rejections") == 0);
  }
  SECTION("with fencing") {
    const auto r = box.run(std::string("run '") + SQUALL_SOURCE_DIR + "/scenarios/jobs-pause-fencing.json'" + overrides);
    INFO(r.out);
    REQUIRE(r.exit_code == 0);
    const auto report = nlohmann::json::parse(read_file(box.path("out/jobs-pause-fencing/report.json")));
    CHECK(number_at(report, "/duplicates/redeliveries") >= 1);
    CHECK(number_at(report, "/duplicates/fencing_rejections") >= 1);
    CHECK(number_at(report, "/duplicates/effects_duplicated") == 0);
  }
  // The pause is in the history where it happened: one process_pause event for n0's first slot, 7 s long.
  const std::string history = read_file(box.path("h.jsonl"));
  CHECK(history.find(R"("type":"process_pause","proc":"w0","pause_ns":7000000000)") != std::string::npos);
}

// redis_unavailable is a real CLIENT PAUSE of the managed redis-server for 2 s..5 s: commands wait instead of being
// refused, so lease renewals miss their deadlines (lock_lost) and the producer's XADDs time out. A timed-out XADD
// still runs when the pause ends, so more jobs are delivered than the producer saw enqueued: the ambiguous failure
// the simulator's refusing store does not have (docs/real-mode-jobs.md).
TEST_CASE("run --real plays redis_unavailable as CLIENT PAUSE: lost leases, timed-out enqueues that still land") {
  cli_sandbox box;
  const auto r = box.run(std::string("run '") + SQUALL_SOURCE_DIR + "/scenarios/jobs-lease-renewal.json' --real --quiet"
                         " --out out --history h.jsonl --set duration_s=8 --set 'jobs.store.redis=\"managed\"'"
                         " --set 'faults=[{\"kind\":\"redis_unavailable\",\"from_s\":2,\"to_s\":5}]'");
  INFO(r.out);
  REQUIRE((r.exit_code == 0 || r.exit_code == 1));
  const auto report = nlohmann::json::parse(read_file(box.path("out/jobs-lease-renewal/report.json")));
  const auto& jobs = report.at("real").at("jobs");
  INFO(jobs.dump());
  CHECK(jobs.at("enqueue_failed").get<double>() >= 3);  // ~5.6 arrivals/s during a 3 s pause
  CHECK(jobs.at("delivered").get<double>() > jobs.at("enqueued").get<double>());
  CHECK(read_file(box.path("h.jsonl")).find(R"("type":"lock_lost")") != std::string::npos);
}

// worker_crash for real: node n0 (workers w0..w3) dies at 2 s with jobs in hand (12 jobs/s of 1-1.5 s work keep
// all 12 slots busy) and restarts 2 s later. Its jobs come back through the queue after the visibility timeout, its
// unreleased leases stall their keys until their TTL, and the lease + done-marker policy keeps duplicates at 0.
TEST_CASE("run --real plays a worker_crash: lost jobs redelivered, stale leases stall, no duplicates") {
  cli_sandbox box;
  const auto r = box.run(std::string("run '") + SQUALL_SOURCE_DIR + "/scenarios/jobs-lease-renewal.json' --real --quiet"
                         " --out out --history h.jsonl --set duration_s=8 --set 'jobs.store.redis=\"managed\"'"
                         " --set jobs.arrivals.rate_per_s=12 --set jobs.queue.visibility_timeout_ms=2000"
                         " --set 'jobs.work={\"dist\":\"uniform\",\"min_ms\":1000,\"max_ms\":1500}'"
                         " --set 'faults=[{\"kind\":\"worker_crash\",\"target\":\"n0\",\"from_s\":2,\"restart_after_s\":2}]'");
  INFO(r.out);
  REQUIRE(r.exit_code == 0);  // the scenario's gates: no duplicated effects, no lock overlaps
  const auto report = nlohmann::json::parse(read_file(box.path("out/jobs-lease-renewal/report.json")));
  CHECK(number_at(report, "/duplicates/redeliveries") >= 1);
  CHECK(number_at(report, "/duplicates/stale_lock_stall_s") > 0);
  CHECK(number_at(report, "/duplicates/effects_duplicated") == 0);
  const std::string history = read_file(box.path("h.jsonl"));
  CHECK(history.find(R"("type":"worker_crash","proc":"w0")") != std::string::npos);
}

// partition of n0 from the store for 3 s: its KV commands time out at their deadlines, so n0's workers, and only
// they, lose their leases (renewals cannot reach Redis); the other nodes keep theirs.
TEST_CASE("run --real plays a partition: the partitioned node's workers, and only they, lose their leases") {
  cli_sandbox box;
  const auto r = box.run(std::string("run '") + SQUALL_SOURCE_DIR + "/scenarios/jobs-lease-renewal.json' --real --quiet"
                         " --out out --history h.jsonl --set duration_s=8 --set 'jobs.store.redis=\"managed\"'"
                         " --set jobs.arrivals.rate_per_s=12"
                         " --set 'jobs.work={\"dist\":\"uniform\",\"min_ms\":1000,\"max_ms\":1500}'"
                         " --set 'faults=[{\"kind\":\"partition\",\"target\":\"n0\",\"from_s\":2,\"to_s\":5}]'");
  INFO(r.out);
  REQUIRE((r.exit_code == 0 || r.exit_code == 1));  // a lost lease may or may not turn into a duplicate
  check_only_n0_lost_leases(read_file(box.path("h.jsonl")));
}

// A forward clock_jump of 20 s on n0: its lease clock says every lease it holds has expired, so n0's workers, and
// only they, count their locks as lost, although Redis still has them (the TTL runs on the server's clock).
TEST_CASE("run --real plays a node clock_jump: the jumped node's workers, and only they, see their leases expire") {
  cli_sandbox box;
  const auto r = box.run(std::string("run '") + SQUALL_SOURCE_DIR + "/scenarios/jobs-lease-renewal.json' --real --quiet"
                         " --out out --history h.jsonl --set duration_s=8 --set 'jobs.store.redis=\"managed\"'"
                         " --set jobs.arrivals.rate_per_s=12"
                         " --set 'jobs.work={\"dist\":\"uniform\",\"min_ms\":1000,\"max_ms\":1500}'"
                         " --set 'faults=[{\"kind\":\"clock_jump\",\"target\":\"n0\",\"from_s\":2,\"jump_ms\":20000}]'");
  INFO(r.out);
  REQUIRE((r.exit_code == 0 || r.exit_code == 1));
  const std::string history = read_file(box.path("h.jsonl"));
  CHECK(history.find(R"("type":"clock_jump","proc":"w0","jump_ns":20000000000)") != std::string::npos);
  check_only_n0_lost_leases(history);
}

// A clock_skew of n0 at 2 s: its clock steps 300 ms ahead and from then on runs 10 % fast (+100000 ppm). The probe
// is the lease: without renewal, and with jobs (2.2-2.6 s) longer than the 2 s lease, every lease is lost when its
// holder's own clock reaches the validity end, and lock_lost records that end as the holder's clock read it
// (valid_until_ns) at true time t_ns. valid_until_ns - t_ns is then the holder's clock lead over true time at t_ns,
// less how late its loop ran the timer (lateness only lowers it). So on n1 and n2 it is never above 0; on n0 it is
// never above 300 ms + 10 % of the time since the fault, and a lease lost 3 s or more after the fault comes close to
// that bound, which neither the offset alone (300 ms short) nor the drift alone (300 ms short) can do.
TEST_CASE("run --real plays a node clock_skew with offset and drift: only the skewed node's clock runs ahead, by both") {
  constexpr std::int64_t ms = 1'000'000;
  constexpr std::int64_t from_ns = 2000 * ms;
  constexpr std::int64_t offset_ns = 300 * ms;
  constexpr double drift = 0.1;  // +100000 ppm
  cli_sandbox box;
  const auto r = box.run(std::string("run '") + SQUALL_SOURCE_DIR + "/scenarios/jobs-lease-no-renewal.json' --real --quiet"
                         " --out out --history h.jsonl --set duration_s=8 --set 'jobs.store.redis=\"managed\"'"
                         " --set jobs.arrivals.rate_per_s=4"
                         " --set 'jobs.work={\"dist\":\"uniform\",\"min_ms\":2200,\"max_ms\":2600}'"
                         " --set 'faults=[{\"kind\":\"clock_skew\",\"target\":\"n0\",\"from_s\":2,"
                         "\"offset_ms\":300,\"drift_ppm\":100000}]'");
  INFO(r.out);
  REQUIRE((r.exit_code == 0 || r.exit_code == 1));  // the scenario's gate may or may not see a duplicate in 8 s
  const std::string history = read_file(box.path("h.jsonl"));
  // The skew is recorded as a step of n0's clock by the offset, on n0's first worker.
  CHECK(history.find(R"("type":"clock_jump","proc":"w0","jump_ns":300000000)") != std::string::npos);
  // How far the holder's clock is ahead of true time at t_ns, at most.
  const auto lead_bound = [&](const lost_lease& l) -> std::int64_t {
    if (!on_n0(l.proc) || l.t_ns < from_ns) return 0;
    return offset_ns + static_cast<std::int64_t>(drift * static_cast<double>(l.t_ns - from_ns));
  };
  int others_after_fault = 0;
  int n0_near_bound = 0;
  for (const lost_lease& l : lost_leases(history)) {
    const std::int64_t lead = l.valid_until_ns - l.t_ns;
    INFO(l.proc << " lost a lease at t = " << l.t_ns / ms << " ms, its clock " << lead / ms << " ms ahead, bound "
                << lead_bound(l) / ms << " ms");
    CHECK(lead <= lead_bound(l) + ms);  // 1 ms of rounding
    if (!on_n0(l.proc) && l.t_ns > from_ns) ++others_after_fault;
    if (on_n0(l.proc) && l.t_ns >= from_ns + 3000 * ms && lead >= lead_bound(l) - 100 * ms) ++n0_near_bound;
  }
  CHECK(others_after_fault >= 1);  // the other nodes' leases were probed too, and their clocks stayed true
  CHECK(n0_near_bound >= 1);
}

// A dependency given by url that is a running `squall fake http` gets the scenario's faults through its admin
// API: with no baseline errors and 1 ms answers, the only failures, and so the retries and the breaker opening
// (5 consecutive failures open it for 2 s), come from the posted error storm.
TEST_CASE("run --real posts the faults of a url dependency that is a squall fake to its admin API") {
  cli_sandbox box;
  const char* bin = std::getenv("SQUALL_BIN");
  REQUIRE(bin != nullptr);
  write_file(box.path("dep.json"), R"({"capacity": 256, "latency": {"dist": "constant", "value_ms": 1}, "errors": {"rate": 0}})");
  auto s = nlohmann::json::parse(squall::test::small_scenario("real-url"));
  s["duration_s"] = 4;
  s["dependencies"]["api"]["errors"]["rate"] = 0;
  s["faults"][0]["from_s"] = 1;
  s["faults"][0]["to_s"] = 2;
  write_file(box.path("s.json"), s.dump());
  const std::string b = std::string("'") + bin + "'";
  const std::string cmd =
      "cd '" + box.dir.string() + "' && (" + b + " fake http --listen 127.0.0.1:0 --config dep.json --quiet >fake.out 2>&1 &"
      " fake=$!; for i in $(seq 100); do url=$(grep -o 'http://127.0.0.1:[0-9]*' fake.out | head -1);"
      " [ -n \"$url\" ] && break; sleep 0.1; done; " + b + " run s.json --real --quiet --out out"
      " --set dependencies.api.url=$url/; echo \"exit=$?\"; kill $fake; wait $fake) 2>&1";
  const auto r = squall::test::run_shell(cmd);
  INFO(r.out);
  REQUIRE(r.out.find("exit=0") != std::string::npos);
  const auto report = nlohmann::json::parse(read_file(box.path("out/real-url/report.json")));
  CHECK(report.at("real").at("dependencies").at(0).get<std::string>().find("(squall fake: 1 fault posted)") !=
        std::string::npos);
  CHECK_FALSE(report.at("real").contains("note"));  // the note is for faults squall could not apply
  CHECK(number_at(report, "/requests/retries") >= 3);
  CHECK(number_at(report, "/requests/rejected_open") > 50);  // open for 2 s of 200 requests/s
}
