// Retry budgets, each model against the semantics of its source (docs/policies.md).
#include <catch2/catch.hpp>

#include <string>

#include "stack/resilience/budget.hpp"
#include "support.hpp"

namespace squall::stack::resilience {
namespace {

using test::at_ms;
using test::ms;

budget_config model_config(budget_model m) {
  budget_config c;
  c.model = m;
  return c;
}

int count_retries(retry_budget& b, instant now, int tries, bool after_timeout = false) {
  int granted = 0;
  for (int i = 0; i < tries; ++i) granted += b.try_retry(now, after_timeout) ? 1 : 0;
  return granted;
}

// --- cumulative_ratio (seed 004) ---

TEST_CASE("cumulative_ratio: seed 004 step by step at ratio 0.2", "[budget][cumulative]") {
  budget_config c = model_config(budget_model::cumulative_ratio);
  c.ratio = 0.2;
  retry_budget b(c);
  // originals registered so far -> is a retry allowed now?
  for (int i = 1; i <= 4; ++i) {
    b.on_original(at_ms(i));
    INFO("originals = " << i);
    CHECK_FALSE(b.try_retry(at_ms(i), false));  // int(i * 0.2) = 0
  }
  b.on_original(at_ms(5));
  CHECK(b.try_retry(at_ms(5), false));  // int(5 * 0.2) = 1 > 0 retries
  CHECK_FALSE(b.try_retry(at_ms(5), false));
  for (int i = 6; i <= 9; ++i) {
    b.on_original(at_ms(i));
    CHECK_FALSE(b.try_retry(at_ms(i), false));
  }
  b.on_original(at_ms(10));
  CHECK(b.try_retry(at_ms(10), false));
  CHECK_FALSE(b.try_retry(at_ms(10), false));
  CHECK(b.stats().originals == 10);
  CHECK(b.stats().retries_allowed == 2);
  CHECK(b.stats().retries_denied == 10);
}

TEST_CASE("cumulative_ratio: never decays, denied tries do not use the budget", "[budget][cumulative]") {
  budget_config c = model_config(budget_model::cumulative_ratio);
  c.ratio = 0.5;
  retry_budget b(c);
  for (int i = 0; i < 10; ++i) b.on_original(at_ms(0));
  CHECK(count_retries(b, at_ms(0), 3) == 3);
  // An hour later the originals of the first millisecond still pay for retries.
  CHECK(count_retries(b, at_ms(3'600'000), 100) == 2);
}

TEST_CASE("cumulative_ratio: the float product is truncated as Python's int() does", "[budget][cumulative]") {
  budget_config c = model_config(budget_model::cumulative_ratio);
  c.ratio = 0.29;
  retry_budget b(c);
  for (int i = 0; i < 100; ++i) b.on_original(at_ms(0));
  CHECK(count_retries(b, at_ms(0), 100) == 28);  // int(100 * 0.29) == int(28.999999999999996) == 28
}

// --- windowed (Finagle) ---

budget_config finagle(double ratio, double min_per_s, std::int64_t ttl_s) {
  budget_config c = model_config(budget_model::windowed);
  c.ratio = ratio;
  c.min_per_s = min_per_s;
  c.ttl = ms(ttl_s * 1000);
  return c;
}

TEST_CASE("windowed: the reserve is min_per_s * ttl", "[budget][windowed]") {
  retry_budget b(finagle(0.2, 1.0, 10));
  CHECK(count_retries(b, at_ms(0), 50) == 10);
  CHECK(b.stats().retries_denied == 40);
}

TEST_CASE("windowed: originals deposit ratio of a retry each", "[budget][windowed]") {
  retry_budget b(finagle(0.2, 0.0, 10));
  for (int i = 0; i < 4; ++i) b.on_original(at_ms(0));
  CHECK_FALSE(b.try_retry(at_ms(0), false));  // 0.8 of a retry
  b.on_original(at_ms(0));
  CHECK(b.try_retry(at_ms(0), false));  // 1.0
  CHECK_FALSE(b.try_retry(at_ms(0), false));
  for (int i = 0; i < 10; ++i) b.on_original(at_ms(1));
  CHECK(count_retries(b, at_ms(1), 10) == 2);
}

TEST_CASE("windowed: deposits and withdrawals expire after ttl", "[budget][windowed]") {
  retry_budget b(finagle(0.5, 0.0, 10));
  for (int i = 0; i < 10; ++i) b.on_original(at_ms(500));  // second 0: 5 retries' worth
  CHECK(count_retries(b, at_ms(500), 3) == 3);               // second 0: 3 withdrawn
  for (int i = 0; i < 4; ++i) b.on_original(at_ms(5'500));   // second 5: 2 more
  CHECK(count_retries(b, at_ms(9'999), 10) == 4);            // 5 + 2 - 3 = 4 left, all within ttl
  // At 10 s the window is seconds 1..10: second 0's deposits (5) and withdrawals (3) are both gone.
  CHECK(count_retries(b, at_ms(10'000), 10) == 0);  // 2 deposited (s5) - 4 withdrawn (s9) < 1
  // At 15 s second 5 has expired too; second 9's 4 withdrawals still count against 12 new originals.
  for (int i = 0; i < 12; ++i) b.on_original(at_ms(15'000));  // 6 retries' worth
  CHECK(count_retries(b, at_ms(15'000), 10) == 2);            // 6 - 4 = 2
  // At 20 s second 9 has expired too.
  CHECK(count_retries(b, at_ms(20'000), 10) == 4);  // 6 (s15) - 2 (s15) = 4
  // After a silence longer than ttl nothing is left.
  CHECK(count_retries(b, at_ms(100'000), 10) == 0);
}

TEST_CASE("windowed: ttl rounds down to whole seconds, like Finagle's ttl.inSeconds", "[budget][windowed]") {
  budget_config c = finagle(0.0, 2.0, 1);
  c.ttl = ms(1'999);
  retry_budget b(c);
  CHECK(count_retries(b, at_ms(0), 10) == 2);  // reserve 2 * 1 s, not 2 * 1.999 s
  CHECK(count_retries(b, at_ms(999), 10) == 0);
  CHECK(count_retries(b, at_ms(1'000), 10) == 2);  // second 0 left the one-second window
}

// --- concurrency (Envoy) ---

TEST_CASE("concurrency: min_retry_concurrency floors the budget", "[budget][concurrency]") {
  budget_config c = model_config(budget_model::concurrency);
  c.budget_percent = 20.0;
  c.min_retry_concurrency = 3;
  retry_budget b(c);
  for (int i = 0; i < 10; ++i) b.on_attempt_start(at_ms(0), false);  // 20 % of 10 = 2 < 3
  for (int i = 0; i < 3; ++i) {
    REQUIRE(b.try_retry(at_ms(1), false));
    b.on_attempt_start(at_ms(1), true);
  }
  // 13 active, 3 of them retries: max(floor(2.6), 3) = 3, no room.
  CHECK_FALSE(b.try_retry(at_ms(2), false));
  b.on_attempt_end(at_ms(3), true, false, false);  // a retry finished
  CHECK(b.try_retry(at_ms(3), false));
  b.on_attempt_start(at_ms(3), true);
  CHECK_FALSE(b.try_retry(at_ms(3), false));
  CHECK(b.stats().retries_allowed == 4);
  CHECK(b.stats().retries_denied == 2);
}

TEST_CASE("concurrency: budget_percent of active attempts, truncated", "[budget][concurrency]") {
  budget_config c = model_config(budget_model::concurrency);
  c.budget_percent = 20.0;
  c.min_retry_concurrency = 0;
  retry_budget b(c);
  CHECK_FALSE(b.try_retry(at_ms(0), false));  // nothing active: max(0, 0) = 0
  for (int i = 0; i < 49; ++i) b.on_attempt_start(at_ms(0), false);
  int started = 0;
  while (b.try_retry(at_ms(0), false)) {
    b.on_attempt_start(at_ms(0), true);
    ++started;
  }
  // retries r allowed while r < floor(0.2 * (49 + r)): 9 < floor(11.6) ... 12 < floor(12.2) = 12 fails
  CHECK(started == 12);
  // Originals finishing shrink the allowance again.
  for (int i = 0; i < 40; ++i) b.on_attempt_end(at_ms(1), false, false, true);
  CHECK_FALSE(b.try_retry(at_ms(1), false));  // 21 active: floor(4.2) = 4 < 12 active retries
}

TEST_CASE("concurrency: try_retry alone does not hold a slot", "[budget][concurrency]") {
  budget_config c = model_config(budget_model::concurrency);
  c.min_retry_concurrency = 1;
  retry_budget b(c);
  // Only on_attempt_start counts a retry as active (docs/policies.md: Envoy counts from the grant).
  CHECK(b.try_retry(at_ms(0), false));
  CHECK(b.try_retry(at_ms(0), false));
  b.on_attempt_start(at_ms(0), true);
  CHECK_FALSE(b.try_retry(at_ms(0), false));
}

// --- token_bucket (AWS SDK standard mode) ---

TEST_CASE("token_bucket: starts full, retries cost retry_cost or timeout_retry_cost", "[budget][token_bucket]") {
  retry_budget b(model_config(budget_model::token_bucket));  // 500, 5, 10, 1
  CHECK(count_retries(b, at_ms(0), 98) == 98);  // 490 spent, 10 left
  CHECK(b.try_retry(at_ms(0), true));           // a timeout retry takes the last 10
  CHECK_FALSE(b.try_retry(at_ms(0), false));
  CHECK(b.stats().retries_allowed == 99);
  CHECK(b.stats().retries_denied == 1);
}

TEST_CASE("token_bucket: a timeout retry needs timeout_retry_cost tokens", "[budget][token_bucket]") {
  budget_config c = model_config(budget_model::token_bucket);
  c.capacity = 9;
  retry_budget b(c);
  CHECK_FALSE(b.try_retry(at_ms(0), true));  // 9 < 10: denied, nothing withdrawn
  CHECK(b.try_retry(at_ms(0), false));       // 9 >= 5
  CHECK_FALSE(b.try_retry(at_ms(0), false));  // 4 < 5
}

TEST_CASE("token_bucket: refunds on success", "[budget][token_bucket]") {
  budget_config c = model_config(budget_model::token_bucket);
  c.capacity = 20;
  retry_budget b(c);
  REQUIRE(b.try_retry(at_ms(0), true));   // 10 left
  REQUIRE(b.try_retry(at_ms(0), false));  // 5 left
  REQUIRE(b.try_retry(at_ms(0), false));  // 0 left
  CHECK_FALSE(b.try_retry(at_ms(0), false));

  SECTION("a failed attempt refunds nothing") {
    b.on_attempt_end(at_ms(1), true, false, false);
    b.on_attempt_end(at_ms(1), false, false, false);
    CHECK_FALSE(b.try_retry(at_ms(1), false));
  }
  SECTION("a successful retry refunds its cost") {
    b.on_attempt_end(at_ms(1), true, false, true);  // +5
    CHECK(b.try_retry(at_ms(1), false));
    CHECK_FALSE(b.try_retry(at_ms(1), false));
  }
  SECTION("a successful retry granted after a timeout refunds the timeout cost") {
    b.on_attempt_end(at_ms(1), true, true, true);  // +10
    CHECK(count_retries(b, at_ms(1), 5) == 2);
  }
  SECTION("a first-try success earns success_increment") {
    for (int i = 0; i < 4; ++i) b.on_attempt_end(at_ms(1), false, false, true);  // +4
    CHECK_FALSE(b.try_retry(at_ms(1), false));
    b.on_attempt_end(at_ms(1), false, false, true);  // 5
    CHECK(b.try_retry(at_ms(1), false));
  }
}

TEST_CASE("token_bucket: never above capacity", "[budget][token_bucket]") {
  budget_config c = model_config(budget_model::token_bucket);
  c.capacity = 3;
  c.retry_cost = 1;
  c.timeout_retry_cost = 2;
  retry_budget b(c);
  for (int i = 0; i < 5; ++i) b.on_attempt_end(at_ms(0), false, false, true);  // full already
  CHECK(count_retries(b, at_ms(0), 10) == 3);
  for (int i = 0; i < 5; ++i) b.on_attempt_end(at_ms(1), true, true, true);  // 5 * 2 refunded, capped at 3
  CHECK(count_retries(b, at_ms(1), 10) == 3);
}

TEST_CASE("budget: stats and names", "[budget]") {
  retry_budget b(model_config(budget_model::token_bucket));
  b.on_original(at_ms(0));
  b.on_original(at_ms(0));
  CHECK(b.stats().originals == 2);
  CHECK(b.config().capacity == 500);
  CHECK(std::string(to_string(budget_model::cumulative_ratio)) == "cumulative_ratio");
  CHECK(std::string(to_string(budget_model::windowed)) == "windowed");
  CHECK(std::string(to_string(budget_model::concurrency)) == "concurrency");
  CHECK(std::string(to_string(budget_model::token_bucket)) == "token_bucket");
}

}  // namespace
}  // namespace squall::stack::resilience
