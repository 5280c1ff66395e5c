// Shadow candidates in the JSONL codec: the header lists them, their events carry "candidate", histories
// without candidates keep their bytes, and the reader is strict about both.
#include <catch2/catch.hpp>

#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

#include "history/jsonl.hpp"
#include "tests/history/jsonl_support.hpp"

using namespace squall::history;
using squall::history::test::collect;
using squall::history::test::write_all;

namespace {

header candidates_header() {
  header h;
  h.scenario = "shadow";
  h.duration_ns = 60'000'000'000;
  h.dependencies = {"api"};
  h.gates = {"candidates.fast-open.breaker.flaps < 3"};
  h.candidates = {{"fast-open", true, false, false}, {"ratio_5", false, false, true}, {"both", true, true, true}};
  return h;
}

event decision(event_type type, std::uint64_t seq, std::uint8_t candidate) {
  event e;
  e.type = type;
  e.t_ns = static_cast<std::int64_t>(seq) * 10;
  e.seq = seq;
  e.req = 7;
  e.proc = 2;
  e.candidate = candidate;
  e.shadow = candidate != 0;
  if (type == event_type::breaker) {
    e.req = 0;
    e.proc = -1;
    e.from = breaker_state::closed;
    e.to = breaker_state::open;
  }
  return e;
}

std::string read_error(const std::string& text) {
  std::istringstream in(text);
  try {
    jsonl_reader reader(in);
    collect sink;
    reader.read_all(sink);
  } catch (const jsonl_error& e) {
    return e.what();
  }
  return "";
}

const char* const header_line =
    R"({"type":"header","schema":1,"duration_ns":1,"dependencies":["api"],)"
    R"("candidates":[{"name":"a","breaker":"per_attempt","budget":true}]})";

}  // namespace

TEST_CASE("jsonl: candidates round-trip in the header and in their events, byte-identically") {
  const header h = candidates_header();
  const std::vector<event> events = {
      decision(event_type::breaker, 1, 0),        decision(event_type::breaker, 2, 1),
      decision(event_type::breaker_reject, 3, 0), decision(event_type::breaker_reject, 4, 3),
      decision(event_type::budget_deny, 5, 2),    decision(event_type::budget_deny, 6, 3),
  };
  const std::string text = write_all(h, events);
  std::istringstream lines(text);
  std::string first;
  std::getline(lines, first);
  CHECK_THAT(first, Catch::Contains(R"("candidates":[{"name":"fast-open","breaker":"per_attempt","budget":false},)"
                                    R"({"name":"ratio_5","breaker":null,"budget":true},)"
                                    R"({"name":"both","breaker":"per_request","budget":true}])"));
  std::vector<std::string> event_lines;
  for (std::string l; std::getline(lines, l);) event_lines.push_back(l);
  REQUIRE(event_lines.size() == 6);
  CHECK(event_lines[0] == R"({"t_ns":10,"seq":1,"type":"breaker","dep":"api","from":"closed","to":"open"})");
  CHECK(event_lines[1] ==
        R"({"t_ns":20,"seq":2,"type":"breaker","dep":"api","from":"closed","to":"open","shadow":true,"candidate":1})");
  CHECK(event_lines[3] ==
        R"({"t_ns":40,"seq":4,"type":"breaker_reject","proc":"w2","req":7,"dep":"api","shadow":true,"candidate":3})");

  std::istringstream in(text);
  jsonl_reader reader(in);
  const header& back = reader.header();
  REQUIRE(back.candidates.size() == 3);
  CHECK(back.candidates[0].name == "fast-open");
  CHECK(back.candidates[0].breaker);
  CHECK_FALSE(back.candidates[0].breaker_per_request);
  CHECK_FALSE(back.candidates[0].budget);
  CHECK_FALSE(back.candidates[1].breaker);
  CHECK(back.candidates[1].budget);
  CHECK(back.candidates[2].breaker_per_request);
  collect sink;
  reader.read_all(sink);
  REQUIRE(sink.events.size() == events.size());
  for (std::size_t i = 0; i < events.size(); ++i) {
    CHECK(sink.events[i].candidate == events[i].candidate);
    CHECK(sink.events[i].shadow == events[i].shadow);
  }
  CHECK(write_all(back, sink.events) == text);
}

TEST_CASE("jsonl: a history without candidates has no candidates key and no candidate field") {
  header h = candidates_header();
  h.candidates.clear();
  h.gates.clear();
  const std::string text = write_all(h, {decision(event_type::breaker_reject, 1, 0)});
  CHECK(text.find("candidate") == std::string::npos);
}

TEST_CASE("jsonl: the writer refuses a candidate the header lacks, on a type that has none, or not shadow") {
  header h = candidates_header();
  std::ostringstream out;
  jsonl_writer w(out, h);
  CHECK_THROWS_AS(w.on_event(decision(event_type::breaker_reject, 1, 4)), std::invalid_argument);
  event attempt = decision(event_type::breaker_reject, 2, 1);
  attempt.type = event_type::attempt;
  attempt.attempt = 1;
  CHECK_THROWS_AS(w.on_event(attempt), std::invalid_argument);
  event enforcing = decision(event_type::budget_deny, 3, 2);
  enforcing.shadow = false;
  CHECK_THROWS_AS(w.on_event(enforcing), std::invalid_argument);
  CHECK(w.events_written() == 0);
}

TEST_CASE("jsonl: the reader is strict about candidates") {
  const std::string h = std::string(header_line) + "\n";
  const std::string base = R"({"t_ns":6,"seq":2,"type":"breaker_reject","proc":"w1","req":1,"dep":"api",)";
  struct row {
    std::string text;
    std::string message;
  };
  const std::vector<row> rows = {
      {h + base + R"("shadow":true,"candidate":2})" "\n", "line 2: \"candidate\": 2 but the header lists 1"},
      {h + base + R"("shadow":true,"candidate":0})" "\n", "line 2: \"candidate\": 0"},
      {h + base + R"("candidate":1})" "\n", "line 2: a \"candidate\" event must have \"shadow\": true"},
      {h + base + R"("shadow":true,"candidate":"a"})" "\n", "line 2: \"candidate\" must be an integer"},
      {h + R"({"t_ns":6,"seq":2,"type":"retry","proc":"w1","req":1,"dep":"api","attempt":2,"delay_ns":1,"candidate":1})"
               "\n",
       "line 2: unknown field \"candidate\" in a \"retry\" event"},
      {R"({"type":"header","schema":1,"duration_ns":1,"dependencies":[],"candidates":[]})" "\n",
       "line 1: header \"candidates\" must list 1 to 16"},
      {R"({"type":"header","schema":1,"duration_ns":1,"dependencies":[],"candidates":[{"name":"a","breaker":null,"budget":false}]})"
       "\n",
       "neither a breaker nor a budget"},
      {R"({"type":"header","schema":1,"duration_ns":1,"dependencies":[],"candidates":[{"name":"a","breaker":"always","budget":true}]})"
       "\n",
       "must be \"per_attempt\", \"per_request\" or null"},
      {R"({"type":"header","schema":1,"duration_ns":1,"dependencies":[],"candidates":[{"name":"a","budget":true}]})" "\n",
       "a header candidate needs name, breaker and budget"},
      {R"({"type":"header","schema":1,"duration_ns":1,"dependencies":[],"candidates":[{"name":"a","breaker":null,"budget":true,"x":1}]})"
       "\n",
       "unknown field \"x\" in a header candidate"},
      {R"({"type":"header","schema":1,"duration_ns":1,"dependencies":[],"candidates":[{"name":"a","breaker":null,"budget":true},{"name":"a","breaker":null,"budget":true}]})"
       "\n",
       "header candidate name \"a\" appears twice"},
      {R"({"type":"header","schema":1,"duration_ns":1,"dependencies":[],"candidates":[{"name":"note","breaker":null,"budget":true}]})"
       "\n",
       "\"note\" is reserved"},
  };
  for (const row& r : rows) {
    INFO(r.text);
    CHECK_THAT(read_error(r.text), Catch::Contains(r.message));
  }
  CHECK(read_error(h + base + R"("shadow":true,"candidate":1})" "\n").empty());
}
