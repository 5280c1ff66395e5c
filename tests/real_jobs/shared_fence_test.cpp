// net::shared_fence against a real redis-server: the highest fencing token per resource, shared by every process
// (here: every instance) of one run, raised atomically, and kept apart per run and per resource.
#include <catch2/catch.hpp>

#include <optional>

#include "net/managed_redis.hpp"
#include "net/shared_fence.hpp"

namespace squall::real_jobs_test {
namespace {

using net::shared_fence;
using token = std::optional<std::uint64_t>;

TEST_CASE("shared fence: two instances of one run see each other's highest token, per resource") {
  net::managed_redis redis;
  shared_fence a(redis.host(), redis.port(), "r1:");
  shared_fence b(redis.host(), redis.port(), "r1:");
  CHECK(a.check_and_raise("lock:7", 5) == token{0});  // nothing accepted yet
  CHECK(b.check_and_raise("lock:7", 4) == token{5});  // stale: the caller refuses it, the highest stays 5
  CHECK(a.check_and_raise("lock:7", 5) == token{5});  // equal: the same grant, accepted, unchanged
  CHECK(b.check_and_raise("lock:7", 9) == token{5});  // newer: accepted, raises it
  CHECK(a.check_and_raise("lock:7", 6) == token{9});
  CHECK(a.check_and_raise("lock:8", 1) == token{0});  // another resource
  shared_fence other_run(redis.host(), redis.port(), "r2:");
  CHECK(other_run.check_and_raise("lock:7", 1) == token{0});  // another run
  CHECK(redis.admin({"GET", "r1:fenced:lock:7"}) == "9");
  const std::uint64_t large = (std::uint64_t{1} << 53) - 1;  // printed exactly, not as 9.007e+15
  CHECK(a.check_and_raise("lock:9", large) == token{0});
  CHECK(b.check_and_raise("lock:9", 3) == token{large});
  CHECK(a.errors() == 0);
  CHECK(b.errors() == 0);
}

TEST_CASE("shared fence: an unreachable store is an error at start, and a lost one an unanswered call") {
  const std::uint16_t port = net::free_loopback_port();  // nothing listens there
  CHECK_THROWS_WITH(shared_fence("127.0.0.1", port, "r1:"), Catch::Contains("cannot reach the ledger's Redis"));

  auto redis = std::make_unique<net::managed_redis>();
  shared_fence f(redis->host(), redis->port(), "r1:", std::chrono::milliseconds(300));
  CHECK(f.check_and_raise("k", 3) == token{0});
  redis.reset();  // the store goes away
  CHECK(f.check_and_raise("k", 4) == std::nullopt);
  CHECK(f.errors() == 1);
}

}  // namespace
}  // namespace squall::real_jobs_test
