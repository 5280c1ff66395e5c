// squall tune's path helpers (segments, overlapping --vary/--set paths, the field type a path leads to) and
// ranges over integer fields.
#include <catch2/catch.hpp>

#include "runner/scenario_parser.hpp"
#include "runner/tune_paths.hpp"
#include "runner/tune_space.hpp"

namespace squall::runner {
namespace {

using json = nlohmann::json;
using spec::field_type;

json storm_hour() {
  const parse_outcome parsed = load_scenario(std::string(SQUALL_SOURCE_DIR) + "/scenarios/storm-hour.json");
  REQUIRE(parsed.value);
  return parsed.value->document;
}

TEST_CASE("path tokens split --set paths in both index notations", "[tune]") {
  CHECK(path_tokens("faults[0].rate") == std::vector<std::string>{"faults", "[0]", "rate"});
  CHECK(path_tokens("faults.0.rate") == std::vector<std::string>{"faults", "0", "rate"});
  CHECK(path_tokens("policy.breaker.open_ms") == std::vector<std::string>{"policy", "breaker", "open_ms"});
}

TEST_CASE("paths overlap when one is the other or leads into it", "[tune]") {
  CHECK(paths_overlap("policy.breaker", "policy.breaker.open_ms"));
  CHECK(paths_overlap("policy.breaker.open_ms", "policy.breaker"));
  CHECK(paths_overlap("faults[0].rate", "faults.0.rate"));
  CHECK(paths_overlap("faults", "faults[1].to_s"));
  CHECK_FALSE(paths_overlap("policy.breaker.open_ms", "policy.breaker.open"));
  CHECK_FALSE(paths_overlap("faults[0].rate", "faults[1].rate"));
  CHECK_FALSE(paths_overlap("policy.retry_budget.ratio", "policy.breaker.open_ms"));
}

TEST_CASE("field types follow objects, arrays, the dependency map and each object's variant", "[tune]") {
  const json doc = storm_hour();
  CHECK(field_type_at(doc, "policy.breaker.failure_threshold") == field_type::integer);
  CHECK(field_type_at(doc, "policy.breaker.open_ms") == field_type::number);
  CHECK(field_type_at(doc, "policy.retry.max_attempts") == field_type::integer);
  CHECK(field_type_at(doc, "policy.retry_budget.ratio") == field_type::number);
  CHECK(field_type_at(doc, "faults[0].rate") == field_type::number);
  CHECK(field_type_at(doc, "faults.1.multiplier") == field_type::number);
  CHECK(field_type_at(doc, "dependencies.api.capacity") == field_type::integer);
  CHECK(field_type_at(doc, "workload.workers") == field_type::integer);
  CHECK(field_type_at(doc, "policy.breaker") == field_type::object);
  CHECK(field_type_at(doc, "duration_s") == field_type::number);
  // A variant's field, read where the document selects that variant.
  json concurrency = doc;
  concurrency["policy"]["retry_budget"] = {{"model", "concurrency"}};
  CHECK(field_type_at(concurrency, "policy.retry_budget.min_retry_concurrency") == field_type::integer);
  // Typos and paths through scalars lead nowhere; the parser reports them when the candidate is validated.
  CHECK_FALSE(field_type_at(doc, "policy.breaker.failur_threshold"));
  CHECK_FALSE(field_type_at(doc, "duration_s.x"));
  CHECK_FALSE(field_type_at(doc, "faults[x].rate"));
}

vary_parse integer_vary(const std::string& text) {
  return parse_vary(text, [](const std::string&) { return true; });
}

TEST_CASE("a range over an integer field rounds to the nearest integer, drops repeats and says so", "[tune]") {
  vary_parse p = integer_vary("policy.breaker.open_ms=5000..60000/4");
  REQUIRE(p.value);
  CHECK(p.value->values == std::vector<json>{5000, 23333, 41667, 60000});
  CHECK_THAT(p.note, Catch::Contains("takes integers") && Catch::Contains("5000, 23333, 41667, 60000"));
  for (const json& v : p.value->values) CHECK(v.is_number_integer());

  p = integer_vary("x=1..2/5");  // 1, 1.25, 1.5, 1.75, 2: halves round away from A
  REQUIRE(p.value);
  CHECK(p.value->values == std::vector<json>{1, 2});
  CHECK_THAT(p.note, Catch::Contains("repeats dropped (2 distinct)"));

  p = integer_vary("x=10..0/4");  // 10, 6.67, 3.33, 0
  REQUIRE(p.value);
  CHECK(p.value->values == std::vector<json>{10, 7, 3, 0});

  p = integer_vary("x=3..13/6");  // a whole step: nothing to say
  REQUIRE(p.value);
  CHECK(p.value->values == std::vector<json>{3, 5, 7, 9, 11, 13});
  CHECK(p.note.empty());

  p = integer_vary("x=2.0..8.0/4");  // whole numbers written as decimals are whole numbers
  REQUIRE(p.value);
  CHECK(p.value->values == std::vector<json>{2, 4, 6, 8});

  p = integer_vary("x=1.5..4/3");
  REQUIRE_FALSE(p.value);
  CHECK_THAT(p.error, Catch::Contains("x takes integers: write the range with whole-number ends, e.g. 2..4/3"));

  // A list is left to the parser: a fractional value there is reported with its path when validated.
  p = integer_vary("x=1,2.5");
  REQUIRE(p.value);
  CHECK(p.value->values == std::vector<json>{1, 2.5});
}

TEST_CASE("integer ranges are exact up to 2^53", "[tune]") {
  const vary_parse p = integer_vary("x=-9007199254740992..9007199254740992/3");
  REQUIRE(p.value);
  CHECK(p.value->values == std::vector<json>{-9007199254740992LL, 0, 9007199254740992LL});
  CHECK_FALSE(integer_vary("x=0..9007199254740994/3").value);
}

}  // namespace
}  // namespace squall::runner
