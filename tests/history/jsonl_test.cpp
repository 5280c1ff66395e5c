// The JSONL codec: byte-identical round trips, the exact line format, and strict decoding with line numbers.
#include <catch2/catch.hpp>

#include <cstdio>
#include <sstream>
#include <string>
#include <vector>

#include "history/jsonl.hpp"
#include "tests/history/jsonl_support.hpp"

using namespace squall::history;
using squall::history::test::collect;
using squall::history::test::write_all;

namespace {

header sample_header() {
  header h;
  h.scenario = "storm-hour";
  h.description = "quotes \" backslash \\ tab \t unicode \xc3\xa9 and a newline \n";
  h.seed = 18446744073709551615ull;
  h.duration_ns = 3'600'000'000'000;
  h.dependencies = {"api", "kv \"store\""};
  h.faults = {{"error_storm", "api", 60'000'000'000, 120'000'000'000}, {"latency_spike", "api", 1, 2}};
  h.gates = {"retry_amplification.overall < 1.5", "breaker.by_kind.closed->open <= 3"};
  h.flap_window_s = 60;
  h.expect = "fail";
  h.repro = "squall run scenarios/storm.json --seed 42";
  return h;
}

event make(event_type type, std::int64_t t_ns, std::uint64_t seq) {
  event e;
  e.type = type;
  e.t_ns = t_ns;
  e.seq = seq;
  return e;
}

// One event of every type, with the field variants the format distinguishes (shadow, status, no proc).
std::vector<event> sample_events() {
  std::vector<event> v;
  std::uint64_t seq = 0;
  auto add = [&](event_type type, auto&& fill) {
    event e = make(type, static_cast<std::int64_t>(seq) * 1000, seq);
    ++seq;
    fill(e);
    v.push_back(e);
  };
  add(event_type::invoke, [](event& e) { e.req = 12; });
  add(event_type::start, [](event& e) { e.req = 12; e.proc = 17; });
  add(event_type::attempt, [](event& e) { e.req = 12; e.proc = 17; e.dep = 0; e.attempt = 1; });
  add(event_type::attempt_end, [](event& e) {
    e.req = 12; e.proc = 17; e.attempt = 1; e.result = attempt_result::response; e.status = 503; e.value_ns = 1500;
  });
  add(event_type::attempt_end, [](event& e) {
    e.req = 12; e.proc = 17; e.dep = 1; e.attempt = 2; e.result = attempt_result::timeout; e.value_ns = 200'000'000;
  });
  add(event_type::attempt_end, [](event& e) { e.req = 13; e.proc = 0; e.attempt = 3; e.result = attempt_result::reset; });
  add(event_type::attempt_end, [](event& e) { e.req = 13; e.proc = 0; e.attempt = 65535; e.result = attempt_result::connect_failure; });
  add(event_type::retry, [](event& e) { e.req = 12; e.proc = 17; e.attempt = 2; e.value_ns = 123456789; });
  add(event_type::budget_deny, [](event& e) { e.req = 12; e.proc = 17; });
  add(event_type::budget_deny, [](event& e) { e.req = 12; e.proc = 17; e.shadow = true; });
  add(event_type::breaker_reject, [](event& e) { e.req = 14; e.proc = 3; });
  add(event_type::breaker_reject, [](event& e) { e.req = 14; e.proc = 3; e.shadow = true; e.dep = 1; });
  add(event_type::breaker, [](event& e) { e.from = breaker_state::closed; e.to = breaker_state::open; });
  add(event_type::breaker, [](event& e) { e.from = breaker_state::open; e.to = breaker_state::half_open; e.shadow = true; });
  add(event_type::ok, [](event& e) { e.req = 12; e.proc = 17; e.value_ns = 9'000'000; });
  add(event_type::fail, [](event& e) { e.req = 15; e.reason = fail_reason::queue_full; });  // never had a worker
  add(event_type::fail, [](event& e) { e.req = 16; e.proc = 2147483647; e.reason = fail_reason::breaker_open; });
  add(event_type::info, [](event& e) { e.req = 18446744073709551615ull; e.proc = 1; e.reason = fail_reason::exhausted; e.value_ns = 9223372036854775807; });
  add(event_type::fault_start, [](event& e) { e.fault = 0; });
  add(event_type::fault_stop, [](event& e) { e.fault = 1; e.dep = 1; });
  return v;
}

std::string header_line() { return encode_header(sample_header()); }

// Decodes header + the given event lines and returns the error message ("" when it decodes).
std::string decode_error(const std::string& text) {
  std::istringstream in(text);
  try {
    header h;
    collect sink;
    read_history(in, h, sink);
  } catch (const jsonl_error& e) {
    return e.what();
  }
  return "";
}

}  // namespace

TEST_CASE("jsonl: the event lines have the documented shape") {
  const std::string text = write_all(sample_header(), sample_events());
  std::istringstream in(text);
  std::vector<std::string> lines;
  for (std::string l; std::getline(in, l);) lines.push_back(l);
  REQUIRE(lines.size() == 21);
  CHECK(lines[0].rfind("{\"type\":\"header\",\"schema\":1,\"scenario\":\"storm-hour\",", 0) == 0);
  CHECK_THAT(lines[0], Catch::Contains(",\"flap_window_s\":60,\"expect\":\"fail\","));
  CHECK_THAT(lines[0], Catch::Contains("\"faults\":[{\"kind\":\"error_storm\",\"target\":\"api\",\"from_ns\":60000000000,\"to_ns\":120000000000}"));
  CHECK(lines[1] == R"({"t_ns":0,"seq":0,"type":"invoke","req":12})");
  CHECK(lines[3] == R"({"t_ns":2000,"seq":2,"type":"attempt","proc":"w17","req":12,"dep":"api","attempt":1})");
  CHECK(lines[4] == R"({"t_ns":3000,"seq":3,"type":"attempt_end","proc":"w17","req":12,"dep":"api","attempt":1,"result":"response","status":503,"latency_ns":1500})");
  CHECK(lines[5] == R"({"t_ns":4000,"seq":4,"type":"attempt_end","proc":"w17","req":12,"dep":"kv \"store\"","attempt":2,"result":"timeout","latency_ns":200000000})");
  CHECK(lines[8] == R"({"t_ns":7000,"seq":7,"type":"retry","proc":"w17","req":12,"dep":"api","attempt":2,"delay_ns":123456789})");
  CHECK(lines[9] == R"({"t_ns":8000,"seq":8,"type":"budget_deny","proc":"w17","req":12,"dep":"api"})");
  CHECK(lines[10] == R"({"t_ns":9000,"seq":9,"type":"budget_deny","proc":"w17","req":12,"dep":"api","shadow":true})");
  CHECK(lines[13] == R"({"t_ns":12000,"seq":12,"type":"breaker","dep":"api","from":"closed","to":"open"})");
  CHECK(lines[14] == R"({"t_ns":13000,"seq":13,"type":"breaker","dep":"api","from":"open","to":"half_open","shadow":true})");
  CHECK(lines[15] == R"({"t_ns":14000,"seq":14,"type":"ok","proc":"w17","req":12,"latency_ns":9000000})");
  CHECK(lines[16] == R"({"t_ns":15000,"seq":15,"type":"fail","req":15,"reason":"queue_full","latency_ns":0})");
  CHECK(lines[19] == R"({"t_ns":18000,"seq":18,"type":"fault_start","fault":0,"dep":"api"})");
}

TEST_CASE("jsonl: write -> read -> write is byte-identical and preserves every used field") {
  const header h = sample_header();
  const std::vector<event> events = sample_events();
  const std::string first = write_all(h, events);

  std::istringstream in(first);
  jsonl_reader reader(in);
  const header& back = reader.header();
  CHECK(back.scenario == h.scenario);
  CHECK(back.description == h.description);
  CHECK(back.seed == h.seed);
  CHECK(back.duration_ns == h.duration_ns);
  CHECK(back.dependencies == h.dependencies);
  REQUIRE(back.faults.size() == 2);
  CHECK(back.faults[0].from_ns == h.faults[0].from_ns);
  CHECK(back.faults[1].kind == "latency_spike");
  CHECK(back.gates == h.gates);
  CHECK(back.flap_window_s == 60.0);
  CHECK(back.expect == "fail");
  CHECK(back.repro == h.repro);
  collect sink;
  CHECK(reader.read_all(sink) == events.size());
  CHECK(reader.line() == events.size() + 1);

  REQUIRE(sink.events.size() == events.size());
  for (std::size_t i = 0; i < events.size(); ++i) {
    INFO(i);
    CHECK(sink.events[i].type == events[i].type);
    CHECK(sink.events[i].t_ns == events[i].t_ns);
    CHECK(sink.events[i].req == events[i].req);
    CHECK(sink.events[i].proc == events[i].proc);
    CHECK(sink.events[i].shadow == events[i].shadow);
    CHECK(sink.events[i].value_ns == events[i].value_ns);
    CHECK(sink.events[i].dep == events[i].dep);
  }
  CHECK(sink.events[16].proc == 2147483647);
  CHECK(sink.events[17].req == 18446744073709551615ull);
  CHECK(sink.events[3].status == 503);
  CHECK(sink.events[6].attempt == 65535);
  CHECK(sink.events[19].fault == 1);

  const std::string second = write_all(back, sink.events);
  CHECK(second == first);
}

TEST_CASE("jsonl: a non-integral flap window and a run larger than the write buffer round-trip") {
  header h = sample_header();
  h.flap_window_s = 12.345;
  std::vector<event> events;
  for (std::uint64_t i = 0; i < 30000; ++i) {  // ~2.5 MB: forces several buffer drains
    event e = make(event_type::attempt, static_cast<std::int64_t>(i) * 7919, i);
    e.req = i + 1;
    e.proc = static_cast<std::int32_t>(i % 256);
    e.attempt = static_cast<std::uint16_t>(1 + i % 3);
    events.push_back(e);
  }
  const std::string first = write_all(h, events);
  CHECK(first.size() > (std::size_t{2} << 20));
  std::istringstream in(first);
  header back;
  collect sink;
  CHECK(read_history(in, back, sink) == events.size());
  CHECK(back.flap_window_s == 12.345);
  CHECK(write_all(back, sink.events) == first);
}

TEST_CASE("jsonl: the FILE* writer produces the same bytes as the stream writer") {
  const header h = sample_header();
  const std::vector<event> events = sample_events();
  std::FILE* f = std::tmpfile();
  REQUIRE(f != nullptr);
  {
    jsonl_writer w(f, h);
    for (const event& e : events) w.on_event(e);
    CHECK(w.events_written() == events.size());
  }
  std::rewind(f);
  std::string bytes;
  for (int c = std::fgetc(f); c != EOF; c = std::fgetc(f)) bytes.push_back(static_cast<char>(c));
  std::fclose(f);
  CHECK(bytes == write_all(h, events));
}

TEST_CASE("jsonl: the writer rejects events naming a dependency or fault the header lacks") {
  std::ostringstream out;
  jsonl_writer w(out, sample_header());
  event e = make(event_type::attempt, 0, 0);
  e.dep = 2;
  CHECK_THROWS_AS(w.on_event(e), std::invalid_argument);
  event f = make(event_type::fault_start, 0, 1);
  f.fault = 2;
  CHECK_THROWS_AS(w.on_event(f), std::invalid_argument);
  w.flush();
  CHECK(out.str() == header_line() + "\n");  // nothing half-written
}

TEST_CASE("jsonl: decode errors name the line") {
  const std::string h = header_line() + "\n";
  const std::string ok1 = R"({"t_ns":5,"seq":1,"type":"invoke","req":1})" "\n";
  struct row {
    std::string text;
    std::string message;  // expected prefix-free fragment, including "line N: "
  };
  const std::vector<row> rows = {
      {"", "line 1: empty input"},
      {"{\"type\":\"invoke\"}\n", "line 1: the first line must be the header"},
      {"not json\n", "line 1: invalid JSON"},
      {R"({"type":"header","schema":2,"duration_ns":1,"dependencies":[]})" "\n", "line 1: unsupported schema 2"},
      {R"({"type":"header","schema":1,"duration_ns":1,"dependencies":[],"color":"red"})" "\n",
       "line 1: unknown header field \"color\""},
      {R"({"type":"header","schema":1,"dependencies":[]})" "\n", "line 1: the header needs \"duration_ns\""},
      {R"({"type":"header","schema":1,"duration_ns":1,"dependencies":[],"expect":"maybe"})" "\n",
       "line 1: \"expect\" must be"},
      {h + ok1 + R"({"t_ns":6,"seq":2,"type":"teleport","req":1})" "\n", "line 3: unknown event type \"teleport\""},
      {h + ok1 + R"({"t_ns":6,"seq":2,"type":"invoke","req":1,"dep":"api"})" "\n",
       "line 3: unknown field \"dep\" in a \"invoke\" event"},
      {h + R"({"t_ns":6,"seq":2,"type":"attempt","req":1,"dep":"api"})" "\n",
       "line 2: missing \"attempt\" in a \"attempt\" event"},
      {h + R"({"t_ns":6,"seq":2,"type":"attempt","req":1,"dep":"db","attempt":1})" "\n",
       "line 2: \"dep\": unknown dependency \"db\""},
      {h + R"({"t_ns":6,"seq":2,"type":"attempt","req":1,"dep":"api","attempt":0})" "\n",
       "line 2: \"attempt\" out of range"},
      {h + R"({"t_ns":6,"seq":2,"type":"attempt","req":1.5,"dep":"api","attempt":1})" "\n",
       "line 2: \"req\" must be an integer"},
      {h + R"({"t_ns":-1,"seq":2,"type":"invoke","req":1})" "\n", "line 2: \"t_ns\" out of range"},
      {h + R"({"t_ns":6,"seq":2,"type":"start","req":1,"proc":"17"})" "\n", "line 2: \"proc\" must look like"},
      {h + R"({"t_ns":6,"seq":2,"type":"start","req":1,"proc":"w017"})" "\n", "line 2: \"proc\" must look like"},
      {h + R"({"t_ns":6,"seq":2,"type":"attempt_end","req":1,"dep":"api","attempt":1,"result":"response","latency_ns":1})" "\n",
       "line 2: missing \"status\""},
      {h + R"({"t_ns":6,"seq":2,"type":"attempt_end","req":1,"dep":"api","attempt":1,"result":"timeout","status":200,"latency_ns":1})" "\n",
       "line 2: \"status\" is only for result \"response\""},
      {h + R"({"t_ns":6,"seq":2,"type":"attempt_end","req":1,"dep":"api","attempt":1,"result":"lost","latency_ns":1})" "\n",
       "line 2: unknown \"result\" \"lost\""},
      {h + R"({"t_ns":6,"seq":2,"type":"fail","req":1,"reason":"tired","latency_ns":1})" "\n",
       "line 2: unknown \"reason\" \"tired\""},
      {h + R"({"t_ns":6,"seq":2,"type":"breaker","dep":"api","from":"closed","to":"ajar"})" "\n",
       "line 2: unknown \"to\" state \"ajar\""},
      {h + R"({"t_ns":6,"seq":2,"type":"breaker","dep":"api","from":"closed","to":"open","shadow":1})" "\n",
       "line 2: \"shadow\" must be true or false"},
      {h + R"({"t_ns":6,"seq":2,"type":"fault_start","fault":2,"dep":"api"})" "\n", "line 2: \"fault\": index 2"},
      {h + ok1 + R"({"t_ns":4,"seq":2,"type":"invoke","req":2})" "\n", "line 3: event out of order"},
      {h + ok1 + R"({"t_ns":5,"seq":1,"type":"invoke","req":2})" "\n", "line 3: event out of order"},
      {h + ok1 + "\n" + ok1, "line 3: empty line"},
      {h + ok1 + "[1,2]\n", "line 3: an event must be a JSON object"},
      {h + ok1 + "{\"t_ns\":6,\n", "line 3: invalid JSON"},
      {h + ok1 + h, "line 3: a second header"},
      {h + R"({"t_ns":6,"seq":2,"type":"invoke","req":1,"req":2})" "\n", "line 2: duplicate field \"req\""},
      {h + R"({"t_ns":6,"seq":2,"type":"invoke","req":[1]})" "\n", "line 2: \"req\" must be an integer"},
      {h + R"({"t_ns":6,"seq":2,"type":"invoke","req":1,"extra":{"a":[1]}})" "\n",
       "line 2: unknown field \"extra\" in a \"invoke\" event"},
      {h + R"({"t_ns":6,"seq":2,"req":1})" "\n", "line 2: missing \"type\""},
      {h + R"({"t_ns":6,"seq":2,"type":7,"req":1})" "\n", "line 2: \"type\" must be a string"},
      {h + R"("just a string")" "\n", "line 2: an event must be a JSON object"},
      {h + R"({"t_ns":6,"seq":2,"type":"invoke","req":1} trailing)" "\n", "line 2: invalid JSON"},
      {h + ok1 + std::string(5000, ' ') + "\n", "line 3: line longer than 4096 bytes"},
  };
  for (const row& r : rows) {
    INFO(r.text);
    const std::string error = decode_error(r.text);
    CHECK_THAT(error, Catch::Contains(r.message));
    CHECK(error.rfind("line ", 0) == 0);
  }
  // And the good prefix decodes cleanly, with CRLF line ends tolerated and keys in any order.
  CHECK(decode_error(h + ok1) == "");
  CHECK(decode_error(h + R"({"req":1,"type":"invoke","seq":1,"t_ns":5})" "\n") == "");
  CHECK(decode_error(header_line() + "\r\n" + R"({"t_ns":5,"seq":1,"type":"invoke","req":1})" "\r\n") == "");
}

TEST_CASE("jsonl: jsonl_error carries the line number") {
  std::istringstream in(header_line() + "\n" + R"({"t_ns":5,"seq":1,"type":"invoke"})" "\n");
  jsonl_reader reader(in);
  event e;
  try {
    reader.next(e);
    FAIL("expected a jsonl_error");
  } catch (const jsonl_error& err) {
    CHECK(err.line() == 2);
  }
}
