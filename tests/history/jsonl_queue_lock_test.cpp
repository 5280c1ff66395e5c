// The JSONL codec of the queue, lock, idempotency and ledger events (issue 3): exact lines, byte-identical round
// trips, and strict decoding of the new types.
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

header queue_header() {
  header h;
  h.scenario = "redelivery";
  h.duration_ns = 60'000'000'000;
  h.dependencies = {"api"};
  return h;
}

// Every new type, with the variants the format distinguishes (no proc on dlq, negative clock jump, data lost).
std::vector<event> queue_lock_events() {
  std::vector<event> v;
  std::uint64_t seq = 0;
  auto add = [&](event_type type, auto&& fill) {
    event e;
    e.type = type;
    e.t_ns = static_cast<std::int64_t>(seq) * 1000;
    e.seq = seq++;
    fill(e);
    v.push_back(e);
  };
  add(event_type::delivery, [](event& e) { e.proc = 3; e.req = 41; e.key = 7; e.attempt = 1; });
  add(event_type::delivery, [](event& e) { e.proc = 4; e.req = 41; e.key = 7; e.attempt = 2; });
  add(event_type::dlq, [](event& e) { e.req = 41; e.key = 7; e.cause = dlq_cause::max_deliveries; });
  add(event_type::dlq, [](event& e) { e.proc = 4; e.req = 42; e.key = 8; e.cause = dlq_cause::permanent; });
  add(event_type::lock_acquired, [](event& e) { e.proc = 3; e.key = 9; e.token = 11; e.value_ns = 30'000'000'000; });
  add(event_type::lock_renewed, [](event& e) { e.proc = 3; e.key = 9; e.token = 11; e.value_ns = 30'000'000'000; });
  add(event_type::lock_released, [](event& e) { e.proc = 3; e.key = 9; e.token = 11; });
  add(event_type::lock_lost, [](event& e) { e.proc = 3; e.key = 9; e.token = 0; e.value_ns = 123; });
  add(event_type::idempotency_skip, [](event& e) { e.proc = 5; e.key = 18446744073709551615ull; });
  add(event_type::effect, [](event& e) { e.proc = 3; e.key = 7; e.token = 11; e.outcome = effect_outcome::applied; });
  add(event_type::effect, [](event& e) { e.proc = 4; e.key = 7; e.token = 10; e.outcome = effect_outcome::rejected_stale; });
  add(event_type::store_restart, [](event& e) { e.value_ns = 5'000'000'000; e.data_lost = true; });
  add(event_type::store_restart, [](event& e) { e.value_ns = 0; e.data_lost = false; });
  add(event_type::process_pause, [](event& e) { e.proc = 3; e.value_ns = 40'000'000'000; });
  add(event_type::worker_crash, [](event& e) { e.proc = 4; });
  add(event_type::clock_jump, [](event& e) { e.proc = 2; e.value_ns = -2'000'000'000; });
  return v;
}

std::vector<std::string> lines_of(const std::string& text) {
  std::istringstream in(text);
  std::vector<std::string> lines;
  for (std::string l; std::getline(in, l);) lines.push_back(l);
  return lines;
}

std::string decode_error(const std::string& event_line) {
  std::istringstream in(encode_header(queue_header()) + "\n" + event_line + "\n");
  try {
    jsonl_reader reader(in);
    collect sink;
    reader.read_all(sink);
  } catch (const jsonl_error& e) {
    return e.what();
  }
  return "";
}

}  // namespace

TEST_CASE("jsonl: queue, lock and ledger events have the documented shape") {
  const auto lines = lines_of(write_all(queue_header(), queue_lock_events()));
  REQUIRE(lines.size() == 17);
  CHECK(lines[1] == R"({"t_ns":0,"seq":0,"type":"delivery","proc":"w3","req":41,"key":7,"attempt":1})");
  CHECK(lines[2] == R"({"t_ns":1000,"seq":1,"type":"delivery","proc":"w4","req":41,"key":7,"attempt":2})");
  CHECK(lines[3] == R"({"t_ns":2000,"seq":2,"type":"dlq","req":41,"key":7,"cause":"max_deliveries"})");
  CHECK(lines[4] == R"({"t_ns":3000,"seq":3,"type":"dlq","proc":"w4","req":42,"key":8,"cause":"permanent"})");
  CHECK(lines[5] == R"({"t_ns":4000,"seq":4,"type":"lock_acquired","proc":"w3","key":9,"token":11,"ttl_ns":30000000000})");
  CHECK(lines[6] == R"({"t_ns":5000,"seq":5,"type":"lock_renewed","proc":"w3","key":9,"token":11,"ttl_ns":30000000000})");
  CHECK(lines[7] == R"({"t_ns":6000,"seq":6,"type":"lock_released","proc":"w3","key":9,"token":11})");
  CHECK(lines[8] == R"({"t_ns":7000,"seq":7,"type":"lock_lost","proc":"w3","key":9,"token":0,"valid_until_ns":123})");
  CHECK(lines[9] == R"({"t_ns":8000,"seq":8,"type":"idempotency_skip","proc":"w5","key":18446744073709551615})");
  CHECK(lines[10] == R"({"t_ns":9000,"seq":9,"type":"effect","proc":"w3","key":7,"token":11,"outcome":"applied"})");
  CHECK(lines[11] == R"({"t_ns":10000,"seq":10,"type":"effect","proc":"w4","key":7,"token":10,"outcome":"rejected_stale"})");
  CHECK(lines[12] == R"({"t_ns":11000,"seq":11,"type":"store_restart","downtime_ns":5000000000,"data_lost":true})");
  CHECK(lines[13] == R"({"t_ns":12000,"seq":12,"type":"store_restart","downtime_ns":0,"data_lost":false})");
  CHECK(lines[14] == R"({"t_ns":13000,"seq":13,"type":"process_pause","proc":"w3","pause_ns":40000000000})");
  CHECK(lines[15] == R"({"t_ns":14000,"seq":14,"type":"worker_crash","proc":"w4"})");
  CHECK(lines[16] == R"({"t_ns":15000,"seq":15,"type":"clock_jump","proc":"w2","jump_ns":-2000000000})");
}

TEST_CASE("jsonl: every queue, lock and ledger event round-trips byte-identically with its fields") {
  const header h = queue_header();
  const std::vector<event> events = queue_lock_events();
  const std::string first = write_all(h, events);
  std::istringstream in(first);
  jsonl_reader reader(in);
  collect sink;
  REQUIRE(reader.read_all(sink) == events.size());
  for (std::size_t i = 0; i < events.size(); ++i) {
    INFO(i);
    const event& a = events[i];
    const event& b = sink.events[i];
    CHECK(b.type == a.type);
    CHECK(b.proc == a.proc);
    CHECK(b.req == a.req);
    CHECK(b.key == a.key);
    CHECK(b.token == a.token);
    CHECK(b.attempt == a.attempt);
    CHECK(b.value_ns == a.value_ns);
    CHECK(b.outcome == a.outcome);
    CHECK(b.cause == a.cause);
    CHECK(b.data_lost == a.data_lost);
  }
  CHECK(write_all(reader.header(), sink.events) == first);
}

TEST_CASE("jsonl: the reader rejects queue, lock and ledger events with missing, unknown or bad fields") {
  CHECK_THAT(decode_error(R"({"t_ns":1,"seq":1,"type":"effect","proc":"w1","key":7,"token":0})"),
             Catch::Contains("line 2: missing \"outcome\" in a \"effect\" event"));
  CHECK_THAT(decode_error(R"({"t_ns":1,"seq":1,"type":"effect","key":7,"token":0,"outcome":"applied"})"),
             Catch::Contains("line 2: missing \"proc\" in a \"effect\" event"));
  CHECK_THAT(decode_error(R"({"t_ns":1,"seq":1,"type":"lock_acquired","proc":"w1","key":7,"ttl_ns":5})"),
             Catch::Contains("line 2: missing \"token\" in a \"lock_acquired\" event"));
  CHECK_THAT(decode_error(R"({"t_ns":1,"seq":1,"type":"delivery","proc":"w1","req":1,"key":7})"),
             Catch::Contains("line 2: missing \"attempt\" in a \"delivery\" event"));
  CHECK_THAT(decode_error(R"({"t_ns":1,"seq":1,"type":"store_restart","downtime_ns":5})"),
             Catch::Contains("line 2: missing \"data_lost\" in a \"store_restart\" event"));
  CHECK_THAT(decode_error(R"({"t_ns":1,"seq":1,"type":"lock_released","proc":"w1","key":7,"token":1,"ttl_ns":5})"),
             Catch::Contains("line 2: unknown field \"ttl_ns\" in a \"lock_released\" event"));
  CHECK_THAT(decode_error(R"({"t_ns":1,"seq":1,"type":"effect","proc":"w1","key":7,"token":0,"outcome":"twice"})"),
             Catch::Contains("line 2: unknown \"outcome\" \"twice\""));
  CHECK_THAT(decode_error(R"({"t_ns":1,"seq":1,"type":"dlq","req":1,"key":7,"cause":"bored"})"),
             Catch::Contains("line 2: unknown \"cause\" \"bored\""));
  CHECK_THAT(decode_error(R"({"t_ns":1,"seq":1,"type":"store_restart","downtime_ns":5,"data_lost":1})"),
             Catch::Contains("line 2: \"data_lost\" must be true or false"));
  CHECK_THAT(decode_error(R"({"t_ns":1,"seq":1,"type":"lock_acquired","proc":"w1","key":-7,"token":1,"ttl_ns":5})"),
             Catch::Contains("line 2: \"key\" out of range"));
  CHECK_THAT(decode_error(R"({"t_ns":1,"seq":1,"type":"process_pause","proc":"w1","pause_ns":-5})"),
             Catch::Contains("line 2: \"pause_ns\" out of range"));
  // A well-formed line decodes (the rows above fail for the reason they name, not for the header).
  CHECK(decode_error(R"({"t_ns":1,"seq":1,"type":"clock_jump","proc":"w1","jump_ns":-5})").empty());
}

TEST_CASE("jsonl: the writer refuses a worker event without a proc and needs no dependency for the new types") {
  header h = queue_header();
  h.dependencies.clear();  // queue and lock events name no dependency
  std::ostringstream out;
  jsonl_writer w(out, h);
  event e;
  e.type = event_type::effect;
  e.key = 1;
  CHECK_THROWS_AS(w.on_event(e), std::invalid_argument);
  e.proc = 0;
  CHECK_NOTHROW(w.on_event(e));
  e.type = event_type::dlq;
  e.proc = -1;
  CHECK_NOTHROW(w.on_event(e));
  CHECK(w.events_written() == 2);
}
