// Error classification: a table of attempt results against retry_on and breaker accounting.
#include <catch2/catch.hpp>

#include <vector>

#include "stack/resilience/classify.hpp"

namespace squall::stack::resilience {
namespace {

attempt_result response(int status) {
  attempt_result r;
  r.kind = attempt_kind::response;
  r.status = status;
  return r;
}

attempt_result of_kind(attempt_kind k) {
  attempt_result r;
  r.kind = k;
  r.status = 0;
  return r;
}

struct row {
  attempt_result result;
  error_class expected;
  bool dependency_failure;
};

TEST_CASE("classify: default retry_on", "[classify]") {
  const retry_on_config config;
  const std::vector<row> table = {
      {response(200), error_class::success, false},
      {response(204), error_class::success, false},
      {response(301), error_class::success, false},
      {response(399), error_class::success, false},
      {response(400), error_class::permanent, false},
      {response(401), error_class::permanent, false},
      {response(404), error_class::permanent, false},
      {response(409), error_class::permanent, false},
      {response(428), error_class::permanent, false},
      {response(429), error_class::transient, true},
      {response(500), error_class::transient, true},
      {response(502), error_class::transient, true},
      {response(503), error_class::transient, true},
      {response(599), error_class::transient, true},
      {response(199), error_class::permanent, false},
      {of_kind(attempt_kind::timeout), error_class::transient, true},
      {of_kind(attempt_kind::reset), error_class::transient, true},
      {of_kind(attempt_kind::connect_failure), error_class::transient, true},
  };
  for (const row& r : table) {
    INFO(to_string(r.result.kind) << " status " << r.result.status);
    CHECK(classify(config, r.result) == r.expected);
    CHECK(is_dependency_failure(r.result) == r.dependency_failure);
  }
}

TEST_CASE("classify: retry_on switches", "[classify]") {
  retry_on_config config;
  config.any_5xx = false;
  config.too_many_requests = false;
  config.timeout = false;
  config.reset = false;
  config.connect_failure = false;
  CHECK(classify(config, response(503)) == error_class::permanent);
  CHECK(classify(config, response(429)) == error_class::permanent);
  CHECK(classify(config, of_kind(attempt_kind::timeout)) == error_class::permanent);
  CHECK(classify(config, of_kind(attempt_kind::reset)) == error_class::permanent);
  CHECK(classify(config, of_kind(attempt_kind::connect_failure)) == error_class::permanent);
  CHECK(classify(config, response(200)) == error_class::success);
  // Whether the caller retries does not change whose fault it was.
  CHECK(is_dependency_failure(response(503)));
  CHECK(is_dependency_failure(of_kind(attempt_kind::timeout)));
}

TEST_CASE("classify: extra statuses are retryable", "[classify]") {
  retry_on_config config;
  config.any_5xx = false;
  config.statuses.set(409);
  config.statuses.set(503);
  CHECK(classify(config, response(409)) == error_class::transient);
  CHECK(classify(config, response(503)) == error_class::transient);
  CHECK(classify(config, response(502)) == error_class::permanent);
  CHECK_FALSE(is_dependency_failure(response(409)));  // retryable, but the caller's conflict
  // A status outside the bitset is simply not listed (no out-of-range access).
  CHECK(classify(config, response(700)) == error_class::permanent);
  CHECK(classify(config, response(-1)) == error_class::permanent);
}

TEST_CASE("classify: a response's status is ignored for non-response kinds", "[classify]") {
  attempt_result r = of_kind(attempt_kind::timeout);
  r.status = 200;  // stale field; the attempt timed out
  CHECK(classify(retry_on_config{}, r) == error_class::transient);
  CHECK(is_dependency_failure(r));
}

}  // namespace
}  // namespace squall::stack::resilience
