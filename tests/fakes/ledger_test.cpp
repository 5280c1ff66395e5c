// fakes::ledger: ground truth per key (first / last application), duplicate counts, keys affected, fencing off
// and on (lower tokens refused, equal and higher accepted, per key or per lock resource), deterministic order.
#include <catch2/catch.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "fakes/ledger.hpp"

using namespace squall::fakes;
using squall::stack::instant;
using squall::stack::instant_from_ns;

namespace {

constexpr std::int64_t s = 1'000'000'000;

instant at(std::int64_t ns) { return instant_from_ns(ns); }

ledger_effect effect(std::string key, std::string node, std::optional<std::uint64_t> token = std::nullopt,
                     std::string resource = "") {
  ledger_effect e;
  e.key = std::move(key);
  e.node = std::move(node);
  e.fence_token = token;
  e.fence_resource = std::move(resource);
  return e;
}

ledger_config fencing(bool on) {
  ledger_config c;
  c.reject_stale_tokens = on;
  return c;
}

}  // namespace

TEST_CASE("a single application is recorded with its node, token, delivery and time", "[ledger]") {
  ledger l(fencing(false));
  ledger_effect e = effect("order-1", "n1", 7);
  e.delivery = 42;
  e.attempt = 2;
  CHECK(l.apply(at(3 * s), e) == apply_result::applied);

  const ledger_record* r = l.find("order-1");
  REQUIRE(r != nullptr);
  CHECK(r->applied == 1u);
  CHECK(r->first.at == at(3 * s));
  CHECK(r->first.node == "n1");
  CHECK(r->first.fence_token == std::optional<std::uint64_t>{7});
  CHECK(r->first.delivery == 42u);
  CHECK(r->first.attempt == 2u);
  CHECK(r->last.node == "n1");
  CHECK(l.find("order-2") == nullptr);

  CHECK(l.stats().effects_applied == 1u);
  CHECK(l.stats().keys == 1u);
  CHECK(l.stats().duplicates == 0u);
  CHECK(l.stats().keys_affected == 0u);
  CHECK(l.duplicated_keys().empty());
  CHECK(to_string(apply_result::applied) == "applied");
}

TEST_CASE("applications beyond the first per key are duplicates, first and last are kept", "[ledger]") {
  ledger l(fencing(false));
  CHECK(l.apply(at(1 * s), effect("k", "n1")) == apply_result::applied);
  CHECK(l.apply(at(2 * s), effect("k", "n2")) == apply_result::applied);
  CHECK(l.apply(at(3 * s), effect("k", "n3")) == apply_result::applied);
  CHECK(l.apply(at(4 * s), effect("other", "n1")) == apply_result::applied);

  const ledger_record* r = l.find("k");
  REQUIRE(r != nullptr);
  CHECK(r->applied == 3u);
  CHECK(r->first.node == "n1");
  CHECK(r->first.at == at(1 * s));
  CHECK(r->last.node == "n3");
  CHECK(r->last.at == at(3 * s));
  CHECK(l.stats().effects_applied == 4u);
  CHECK(l.stats().duplicates == 2u);
  CHECK(l.stats().keys == 2u);
}

TEST_CASE("keys_affected counts keys applied more than once, however many times", "[ledger]") {
  ledger l(fencing(false));
  for (int i = 0; i < 2; ++i) (void)l.apply(at(i * s), effect("a", "n1"));
  for (int i = 0; i < 3; ++i) (void)l.apply(at(i * s), effect("b", "n1"));
  (void)l.apply(at(0), effect("c", "n1"));
  CHECK(l.stats().keys_affected == 2u);
  CHECK(l.stats().duplicates == 3u);
  CHECK(l.stats().effects_applied == 6u);
  CHECK(l.duplicated_keys().size() == 2u);
  CHECK(l.duplicated_keys().count("c") == 0u);
}

TEST_CASE("with fencing off a stale token is applied, and counted as one fencing would refuse", "[ledger]") {
  ledger l(fencing(false));
  CHECK(l.apply(at(1 * s), effect("k", "n2", 5)) == apply_result::applied);
  CHECK(l.apply(at(2 * s), effect("k", "n1", 3)) == apply_result::applied);  // the paused old holder
  CHECK(l.stats().fencing_rejections == 0u);
  CHECK(l.stats().stale_tokens_applied == 1u);
  CHECK(l.stats().duplicates == 1u);
  CHECK(l.highest_token("k") == std::optional<std::uint64_t>{5});
  CHECK(l.find("k")->last.fence_token == std::optional<std::uint64_t>{3});
}

TEST_CASE("with fencing on a lower token is refused, equal and higher ones are applied", "[ledger]") {
  ledger l(fencing(true));
  CHECK(l.apply(at(1 * s), effect("k", "n2", 5)) == apply_result::applied);
  CHECK(l.apply(at(2 * s), effect("k", "n1", 4)) == apply_result::rejected_stale_token);
  CHECK(l.stats().fencing_rejections == 1u);
  CHECK(l.find("k")->applied == 1u);  // a refused write leaves no trace in the truth
  CHECK(l.stats().effects_applied == 1u);

  // The same grant retrying (its reply was lost) is the same holder: accepted, and a duplicate.
  CHECK(l.apply(at(3 * s), effect("k", "n2", 5)) == apply_result::applied);
  CHECK(l.apply(at(4 * s), effect("k", "n3", 6)) == apply_result::applied);
  CHECK(l.highest_token("k") == std::optional<std::uint64_t>{6});
  CHECK(l.apply(at(5 * s), effect("k", "n2", 5)) == apply_result::rejected_stale_token);
  CHECK(l.stats().fencing_rejections == 2u);
  CHECK(l.stats().stale_tokens_applied == 0u);
  CHECK(to_string(apply_result::rejected_stale_token) == "rejected_stale_token");
}

TEST_CASE("fencing compares tokens per lock resource when one is named, else per key", "[ledger]") {
  ledger l(fencing(true));
  // One lock guards two keys: token 7 for k1 makes token 6 stale for k2 too.
  CHECK(l.apply(at(1 * s), effect("k1", "n1", 7, "lock:orders")) == apply_result::applied);
  CHECK(l.apply(at(2 * s), effect("k2", "n2", 6, "lock:orders")) == apply_result::rejected_stale_token);
  CHECK(l.highest_token("lock:orders") == std::optional<std::uint64_t>{7});
  // Without a resource, keys are independent.
  CHECK(l.apply(at(3 * s), effect("k3", "n1", 9)) == apply_result::applied);
  CHECK(l.apply(at(4 * s), effect("k4", "n2", 1)) == apply_result::applied);
  // An effect without a token is not checked and does not move the highest token.
  CHECK(l.apply(at(5 * s), effect("k3", "n3")) == apply_result::applied);
  CHECK(l.highest_token("k3") == std::optional<std::uint64_t>{9});
  CHECK_FALSE(l.highest_token("k5").has_value());
  CHECK(l.stats().fencing_rejections == 1u);
}

TEST_CASE("duplicated keys and records iterate in key order, whatever the application order", "[ledger]") {
  ledger l(fencing(false));
  const std::vector<std::string> order = {"zeta", "alpha", "solo", "mid", "alpha", "zeta", "mid", "zeta"};
  std::int64_t t = 0;
  for (const std::string& k : order) (void)l.apply(at(++t * s), effect(k, "n1"));

  const std::vector<std::string> dups(l.duplicated_keys().begin(), l.duplicated_keys().end());
  CHECK(dups == std::vector<std::string>{"alpha", "mid", "zeta"});
  std::vector<std::string> all;
  for (const auto& [key, record] : l.records()) all.push_back(key);
  CHECK(all == std::vector<std::string>{"alpha", "mid", "solo", "zeta"});
  CHECK(l.find("zeta")->applied == 3u);
}

TEST_CASE("a token learned from another copy of the fencing storage refuses lower ones, never lowers the highest",
          "[ledger]") {
  ledger l(fencing(true));
  l.learn_highest_token("lock:a", 7);  // another process applied token 7 for this lock
  CHECK(l.apply(at(1 * s), effect("k1", "w0", 6, "lock:a")) == apply_result::rejected_stale_token);
  CHECK(l.apply(at(2 * s), effect("k1", "w0", 7, "lock:a")) == apply_result::applied);  // equal: same grant
  l.learn_highest_token("lock:a", 3);  // an older token learned late does not lower it
  CHECK(l.highest_token("lock:a") == std::optional<std::uint64_t>{7});
  CHECK(l.apply(at(3 * s), effect("k2", "w1", 5, "lock:b")) == apply_result::applied);  // other resources untouched
  CHECK(l.stats().fencing_rejections == 1u);
  CHECK(l.stats().effects_applied == 2u);

  ledger off(fencing(false));
  off.learn_highest_token("k9", 4);
  CHECK(off.apply(at(1 * s), effect("k9", "w0", 2)) == apply_result::applied);
  CHECK(off.stats().stale_tokens_applied == 1u);  // what fencing would have refused, across processes too
}
