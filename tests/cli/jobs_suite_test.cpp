// Issue 3's promise for the lock/idempotency pairs: every fixed scenario has zero duplicated effects across 200
// seeds, and every unsafe one reports duplicates for the seed in its file and for each of the next 50.
#include <catch2/catch.hpp>

#include <fstream>

#include <nlohmann/json.hpp>

#include "tests/cli/cli_harness.hpp"

using namespace squall::test;

namespace {

std::string files(std::initializer_list<const char*> names) {
  std::string out;
  for (const char* n : names) out += std::string(" ") + SQUALL_SOURCE_DIR + "/scenarios/" + n + ".json";
  return out;
}

nlohmann::json read_json(const std::string& path) {
  std::ifstream in(path);
  return nlohmann::json::parse(in);
}

}  // namespace

TEST_CASE("jobs: each fixed scenario has zero duplicated effects and lock overlaps across 200 seeds") {
  cli_sandbox box;
  const auto r = box.run("run" +
                         files({"jobs-lease-renewal", "jobs-owner-checked-unlock", "jobs-cron-distributed-lock",
                                "jobs-redis-restart-aof-always", "jobs-pause-fencing", "jobs-redelivery-claim-first"}) +
                         " --seeds 200 --jobs 2 --quiet --out out");
  INFO(r.out);
  CHECK(r.exit_code == 0);
  for (const char* name : {"jobs-lease-renewal", "jobs-owner-checked-unlock", "jobs-cron-distributed-lock",
                           "jobs-redis-restart-aof-always", "jobs-pause-fencing", "jobs-redelivery-claim-first"}) {
    INFO(name);
    const auto seeds = read_json(box.path(std::string("out/") + name + "/seeds.json"));
    const auto& dup = seeds.at("metrics").at("duplicates.effects_duplicated");
    CHECK(dup.at("max").get<double>() == 0);
    CHECK(seeds.at("metrics").at("duplicates.effects_applied").at("min").get<double>() > 0);
  }
}

TEST_CASE("jobs: each unsafe scenario duplicates effects for every one of 50 seeds") {
  cli_sandbox box;
  const auto r = box.run("run" +
                         files({"jobs-lease-no-renewal", "jobs-blind-unlock", "jobs-cron-flock-only",
                                "jobs-redis-restart-no-persistence", "jobs-pause-no-fencing",
                                "jobs-redelivery-check-then-act"}) +
                         " --seeds 50 --jobs 2 --quiet --out out");
  INFO(r.out);
  CHECK(r.exit_code == 0);  // every one is expected-fail: all 50 seeds failed their gates
  for (const char* name : {"jobs-lease-no-renewal", "jobs-blind-unlock", "jobs-cron-flock-only",
                           "jobs-redis-restart-no-persistence", "jobs-pause-no-fencing",
                           "jobs-redelivery-check-then-act"}) {
    INFO(name);
    const auto seeds = read_json(box.path(std::string("out/") + name + "/seeds.json"));
    CHECK(seeds.at("metrics").at("duplicates.effects_duplicated").at("min").get<double>() > 0);
  }
}
