// JSONL reader: strict, because `squall check` must not silently drop what it does not understand.
#include <array>
#include <type_traits>
#include <istream>
#include <iterator>
#include <limits>

#include <nlohmann/json.hpp>

#include "history/jsonl.hpp"

namespace squall::history {

using json = nlohmann::json;

namespace jsonl_detail {

inline constexpr std::size_t field_count = 27;

// One value of an event line as the SAX parser delivered it. Mirrors the few nlohmann::json queries the decoder
// makes, so header (DOM) and events (SAX) share the same checks.
struct raw_value {
  enum class kind : std::uint8_t { integer, unsigned_integer, floating, string, boolean, null, nested };
  kind k = kind::null;
  std::int64_t i = 0;
  std::uint64_t u = 0;
  double f = 0;
  bool b = false;
  std::string s;  // reused across lines: no allocation once warm

  bool is_string() const { return k == kind::string; }
  bool is_boolean() const { return k == kind::boolean; }
  bool is_number_unsigned() const { return k == kind::unsigned_integer; }
  bool is_number_integer() const { return k == kind::integer || k == kind::unsigned_integer; }
  template <typename T>
  T get() const {
    if constexpr (std::is_same_v<T, std::uint64_t>) {
      return u;
    } else if constexpr (std::is_same_v<T, std::int64_t>) {
      return i;
    } else if constexpr (std::is_same_v<T, bool>) {
      return b;
    } else {
      return s;
    }
  }
  template <typename Ref>
  Ref get_ref() const {
    return s;
  }
  std::string dump() const {
    switch (k) {
      case kind::integer: return std::to_string(i);
      case kind::unsigned_integer: return std::to_string(u);
      case kind::floating: return json(f).dump();
      case kind::string: return json(s).dump();
      case kind::boolean: return b ? "true" : "false";
      case kind::null: return "null";
      case kind::nested: return "an array or object";
    }
    return "?";
  }
};

// An event line's top-level keys and values, collected without building a DOM (the hot part of `squall check`).
struct raw_event {
  std::array<raw_value, field_count> values;
  std::uint32_t seen = 0;
  std::string unknown_key;    // the first key that is not a known field
  std::string duplicate_key;  // the first key given twice
};

}  // namespace jsonl_detail

namespace {

using jsonl_detail::field_count;
using jsonl_detail::raw_event;
using jsonl_detail::raw_value;

using json = nlohmann::json;

// Every field an event line may carry. The per-type tables below say which are allowed and required.
enum field : std::uint32_t {
  f_t_ns = 1u << 0,
  f_seq = 1u << 1,
  f_type = 1u << 2,
  f_proc = 1u << 3,
  f_req = 1u << 4,
  f_dep = 1u << 5,
  f_attempt = 1u << 6,
  f_result = 1u << 7,
  f_status = 1u << 8,
  f_latency = 1u << 9,
  f_delay = 1u << 10,
  f_reason = 1u << 11,
  f_from = 1u << 12,
  f_to = 1u << 13,
  f_shadow = 1u << 14,
  f_fault = 1u << 15,
  f_key = 1u << 16,
  f_token = 1u << 17,
  f_ttl = 1u << 18,
  f_valid_until = 1u << 19,
  f_outcome = 1u << 20,
  f_cause = 1u << 21,
  f_downtime = 1u << 22,
  f_data_lost = 1u << 23,
  f_pause = 1u << 24,
  f_jump = 1u << 25,
  f_candidate = 1u << 26,
};

struct field_name {
  const char* name;
  field bit;
};
constexpr field_name field_names[] = {
    {"t_ns", f_t_ns},       {"seq", f_seq},       {"type", f_type},        {"proc", f_proc},
    {"req", f_req},         {"dep", f_dep},       {"attempt", f_attempt},  {"result", f_result},
    {"status", f_status},   {"latency_ns", f_latency}, {"delay_ns", f_delay}, {"reason", f_reason},
    {"from", f_from},       {"to", f_to},         {"shadow", f_shadow},    {"fault", f_fault},
    {"key", f_key},         {"token", f_token},   {"ttl_ns", f_ttl},       {"valid_until_ns", f_valid_until},
    {"outcome", f_outcome}, {"cause", f_cause},   {"downtime_ns", f_downtime}, {"data_lost", f_data_lost},
    {"pause_ns", f_pause},  {"jump_ns", f_jump},  {"candidate", f_candidate},
};
static_assert(std::size(field_names) == field_count);

struct type_fields {
  std::uint32_t required;
  std::uint32_t optional;  // proc is optional everywhere it appears (a queue_full fail never had a worker)
};

constexpr std::uint32_t base = f_t_ns | f_seq | f_type;
constexpr std::array<type_fields, event_type_count> fields_of = {{
    /* invoke */ {base | f_req, 0},
    /* start */ {base | f_req, f_proc},
    /* attempt */ {base | f_req | f_dep | f_attempt, f_proc},
    /* attempt_end */ {base | f_req | f_dep | f_attempt | f_result | f_latency, f_proc | f_status},
    /* retry */ {base | f_req | f_dep | f_attempt | f_delay, f_proc},
    /* budget_deny */ {base | f_req | f_dep, f_proc | f_shadow | f_candidate},
    /* breaker_reject */ {base | f_req | f_dep, f_proc | f_shadow | f_candidate},
    /* breaker */ {base | f_dep | f_from | f_to, f_shadow | f_candidate},
    /* ok */ {base | f_req | f_latency, f_proc},
    /* fail */ {base | f_req | f_reason | f_latency, f_proc},
    /* info */ {base | f_req | f_reason | f_latency, f_proc},
    /* fault_start */ {base | f_fault | f_dep, 0},
    /* fault_stop */ {base | f_fault | f_dep, 0},
    // Queue, lock and ledger events name their worker: proc is required there (dlq may come from the broker).
    /* delivery */ {base | f_proc | f_req | f_key | f_attempt, 0},
    /* dlq */ {base | f_req | f_key | f_cause, f_proc},
    /* lock_acquired */ {base | f_proc | f_key | f_token | f_ttl, 0},
    /* lock_renewed */ {base | f_proc | f_key | f_token | f_ttl, 0},
    /* lock_released */ {base | f_proc | f_key | f_token, 0},
    /* lock_lost */ {base | f_proc | f_key | f_token | f_valid_until, 0},
    /* idempotency_skip */ {base | f_proc | f_key, 0},
    /* effect */ {base | f_proc | f_key | f_token | f_outcome, 0},
    /* store_restart */ {base | f_downtime | f_data_lost, 0},
    /* process_pause */ {base | f_proc | f_pause, 0},
    /* worker_crash */ {base | f_proc, 0},
    /* clock_jump */ {base | f_proc | f_jump, 0},
}};

// Looks a name up among an enum's to_string values.
template <typename Enum, int Count>
bool enum_from_string(const std::string& s, Enum& out) {
  for (int i = 0; i < Count; ++i) {
    const auto candidate = static_cast<Enum>(i);
    if (s == to_string(candidate)) {
      out = candidate;
      return true;
    }
  }
  return false;
}

int field_index(const std::string& key) {
  for (std::size_t i = 0; i < field_count; ++i) {
    if (key == field_names[i].name) return static_cast<int>(i);
  }
  return -1;
}

class event_sax {
 public:
  using number_integer_t = json::number_integer_t;
  using number_unsigned_t = json::number_unsigned_t;
  using number_float_t = json::number_float_t;
  using string_t = json::string_t;
  using binary_t = json::binary_t;

  explicit event_sax(raw_event& out) : out_(out) {
    out_.seen = 0;
    out_.unknown_key.clear();
    out_.duplicate_key.clear();
  }
  const std::string& error() const { return error_; }

  bool null() { return scalar([](raw_value& v) { v.k = raw_value::kind::null; }); }
  bool boolean(bool val) {
    return scalar([&](raw_value& v) {
      v.k = raw_value::kind::boolean;
      v.b = val;
    });
  }
  bool number_integer(number_integer_t val) {
    return scalar([&](raw_value& v) {
      v.k = raw_value::kind::integer;
      v.i = val;
    });
  }
  bool number_unsigned(number_unsigned_t val) {
    return scalar([&](raw_value& v) {
      v.k = raw_value::kind::unsigned_integer;
      v.u = val;
      v.i = static_cast<std::int64_t>(val);
    });
  }
  bool number_float(number_float_t val, const string_t&) {
    return scalar([&](raw_value& v) {
      v.k = raw_value::kind::floating;
      v.f = val;
    });
  }
  bool string(string_t& val) {
    return scalar([&](raw_value& v) {
      v.k = raw_value::kind::string;
      v.s.assign(val);
    });
  }
  bool binary(binary_t&) { return scalar([](raw_value& v) { v.k = raw_value::kind::nested; }); }
  bool start_object(std::size_t) { return open(); }
  bool start_array(std::size_t) {
    if (depth_ == 0) return not_an_object();
    return open();
  }
  bool end_object() { return close(); }
  bool end_array() { return close(); }
  bool key(string_t& k) {
    if (depth_ != 1) return true;
    current_ = field_index(k);
    if (current_ < 0) {
      if (out_.unknown_key.empty()) out_.unknown_key = k;
      return true;
    }
    const std::uint32_t bit = field_names[static_cast<std::size_t>(current_)].bit;
    if ((out_.seen & bit) != 0 && out_.duplicate_key.empty()) out_.duplicate_key = k;
    out_.seen |= bit;
    return true;
  }
  bool parse_error(std::size_t, const std::string&, const nlohmann::detail::exception& ex) {
    error_ = std::string("invalid JSON: ") + ex.what();
    return false;
  }

 private:
  template <typename Set>
  bool scalar(Set set) {
    if (depth_ == 0) return not_an_object();
    if (depth_ == 1 && current_ >= 0) set(out_.values[static_cast<std::size_t>(current_)]);
    return true;
  }
  bool open() {
    if (depth_ == 1 && current_ >= 0) out_.values[static_cast<std::size_t>(current_)].k = raw_value::kind::nested;
    ++depth_;
    return true;
  }
  bool close() {
    --depth_;
    return true;
  }
  bool not_an_object() {
    error_ = "an event must be a JSON object";
    return false;
  }

  raw_event& out_;
  int depth_ = 0;
  int current_ = -1;
  std::string error_;
};

class line_decoder {
 public:
  line_decoder(std::uint64_t line, const header& h) : line_(line), header_(h) {}

  [[noreturn]] void fail(const std::string& message) const { throw jsonl_error(line_, message); }

  template <typename Value>
  const std::string& string(const Value& v, const char* key) const {
    if (!v.is_string()) fail(std::string("\"") + key + "\" must be a string");
    return v.template get_ref<const std::string&>();
  }

  template <typename Int, typename Value>
  Int integer(const Value& v, const char* key, Int lo = std::numeric_limits<Int>::min(),
              Int hi = std::numeric_limits<Int>::max()) const {
    bool in_range = false;
    if (v.is_number_unsigned()) {
      const auto u = v.template get<std::uint64_t>();
      in_range = u <= static_cast<std::uint64_t>(hi) && (lo <= 0 || u >= static_cast<std::uint64_t>(lo));
      if (in_range) return static_cast<Int>(u);
    } else if (v.is_number_integer()) {
      const auto s = v.template get<std::int64_t>();
      if constexpr (std::numeric_limits<Int>::is_signed) {
        in_range = s >= static_cast<std::int64_t>(lo) && s <= static_cast<std::int64_t>(hi);
      } else {
        in_range = s >= 0 && static_cast<std::uint64_t>(s) >= static_cast<std::uint64_t>(lo) &&
                   static_cast<std::uint64_t>(s) <= static_cast<std::uint64_t>(hi);
      }
      if (in_range) return static_cast<Int>(s);
    } else {
      fail(std::string("\"") + key + "\" must be an integer");
    }
    fail(std::string("\"") + key + "\" out of range: " + v.dump());
  }

  std::uint16_t dep(const raw_value& v) const {
    const std::string& name = string(v, "dep");
    for (std::size_t i = 0; i < header_.dependencies.size(); ++i) {
      if (header_.dependencies[i] == name) return static_cast<std::uint16_t>(i);
    }
    fail("\"dep\": unknown dependency \"" + name + "\" (the header lists " +
         json(header_.dependencies).dump() + ")");
  }

  std::int32_t proc(const raw_value& v) const {
    const std::string& s = string(v, "proc");
    // "w<N>": N a decimal without leading zeros, as the writer prints it.
    if (s.size() < 2 || s[0] != 'w' || s.size() > 11 || (s[1] == '0' && s.size() > 2)) {
      fail("\"proc\" must look like \"w17\", got \"" + s + "\"");
    }
    std::int64_t n = 0;
    for (std::size_t i = 1; i < s.size(); ++i) {
      if (s[i] < '0' || s[i] > '9') fail("\"proc\" must look like \"w17\", got \"" + s + "\"");
      n = n * 10 + (s[i] - '0');
    }
    if (n > std::numeric_limits<std::int32_t>::max()) fail("\"proc\" out of range: \"" + s + "\"");
    return static_cast<std::int32_t>(n);
  }

  event decode(const raw_event& raw) const {
    if ((raw.seen & f_type) == 0) fail("missing \"type\"");
    event e;
    const std::string& type_name = string(raw.values[2], "type");
    if (type_name == "header") fail("a second header; the header must be the first line only");
    if (!enum_from_string<event_type, event_type_count>(type_name, e.type)) {
      fail("unknown event type \"" + type_name + "\"");
    }
    if (!raw.duplicate_key.empty()) fail("duplicate field \"" + raw.duplicate_key + "\"");
    if (!raw.unknown_key.empty()) fail("unknown field \"" + raw.unknown_key + "\" in a \"" + type_name + "\" event");
    const type_fields allowed = fields_of[static_cast<std::size_t>(e.type)];
    const std::uint32_t seen = raw.seen;
    for (std::size_t i = 0; i < field_count; ++i) {
      const std::uint32_t bit = field_names[i].bit;
      if ((seen & bit) == 0) continue;
      if ((bit & (allowed.required | allowed.optional)) == 0) {
        fail(std::string("unknown field \"") + field_names[i].name + "\" in a \"" + type_name + "\" event");
      }
      decode_field(static_cast<field>(bit), raw.values[i], e);
    }
    if (const std::uint32_t missing = allowed.required & ~seen; missing != 0) {
      for (const field_name& f : field_names) {
        if ((missing & f.bit) != 0) fail(std::string("missing \"") + f.name + "\" in a \"" + type_name + "\" event");
      }
    }
    if (e.type == event_type::attempt_end) {
      const bool has_status = (seen & f_status) != 0;
      if (e.result == attempt_result::response && !has_status) fail("missing \"status\" for result \"response\"");
      if (e.result != attempt_result::response && has_status) {
        fail(std::string("\"status\" is only for result \"response\", not \"") + to_string(e.result) + "\"");
      }
    }
    if (e.candidate != 0 && !e.shadow) {
      fail("a \"candidate\" event must have \"shadow\": true (candidates never enforce)");
    }
    return e;
  }

 private:
  void decode_field(field f, const raw_value& v, event& e) const {
    switch (f) {
      case f_t_ns: e.t_ns = integer<std::int64_t>(v, "t_ns", 0); break;
      case f_seq: e.seq = integer<std::uint64_t>(v, "seq"); break;
      case f_type: break;
      case f_proc: e.proc = proc(v); break;
      case f_req: e.req = integer<std::uint64_t>(v, "req"); break;
      case f_dep: e.dep = dep(v); break;
      case f_attempt: e.attempt = integer<std::uint16_t>(v, "attempt", 1); break;
      case f_result:
        if (!enum_from_string<attempt_result, 4>(string(v, "result"), e.result)) {
          fail("unknown \"result\" \"" + v.get<std::string>() + "\" (response|timeout|reset|connect_failure)");
        }
        break;
      case f_status: e.status = integer<std::int32_t>(v, "status"); break;
      case f_latency: e.value_ns = integer<std::int64_t>(v, "latency_ns", 0); break;
      case f_delay: e.value_ns = integer<std::int64_t>(v, "delay_ns", 0); break;
      case f_reason:
        if (!enum_from_string<fail_reason, 6>(string(v, "reason"), e.reason)) {
          fail("unknown \"reason\" \"" + v.get<std::string>() +
               "\" (none|exhausted|budget|permanent|breaker_open|queue_full)");
        }
        break;
      case f_from:
      case f_to: {
        const char* key = f == f_from ? "from" : "to";
        breaker_state& s = f == f_from ? e.from : e.to;
        if (!enum_from_string<breaker_state, 3>(string(v, key), s)) {
          fail(std::string("unknown \"") + key + "\" state \"" + v.get<std::string>() + "\" (closed|open|half_open)");
        }
        break;
      }
      case f_shadow:
        if (!v.is_boolean()) fail("\"shadow\" must be true or false");
        e.shadow = v.get<bool>();
        break;
      case f_fault: {
        const auto max_fault = static_cast<std::uint64_t>(header_.faults.size());
        const auto index = integer<std::uint64_t>(v, "fault", std::uint64_t{0});
        if (index >= max_fault) {
          fail("\"fault\": index " + std::to_string(index) + " but the header has " + std::to_string(max_fault) +
               " faults");
        }
        e.fault = static_cast<std::uint16_t>(index);
        break;
      }
      case f_candidate: {
        // 0 (the enforced policy) is written by leaving the field out.
        const auto max_candidate = static_cast<std::uint64_t>(header_.candidates.size());
        const auto index = integer<std::uint64_t>(v, "candidate", std::uint64_t{0});
        if (index == 0 || index > max_candidate) {
          fail("\"candidate\": " + std::to_string(index) + " but the header lists " + std::to_string(max_candidate) +
               " candidates (1-based; the enforced policy's events have no \"candidate\")");
        }
        e.candidate = static_cast<std::uint8_t>(index);
        break;
      }
      case f_key: e.key = integer<std::uint64_t>(v, "key"); break;
      case f_token: e.token = integer<std::uint64_t>(v, "token"); break;
      case f_ttl: e.value_ns = integer<std::int64_t>(v, "ttl_ns", 0); break;
      case f_valid_until: e.value_ns = integer<std::int64_t>(v, "valid_until_ns", 0); break;
      case f_downtime: e.value_ns = integer<std::int64_t>(v, "downtime_ns", 0); break;
      case f_pause: e.value_ns = integer<std::int64_t>(v, "pause_ns", 0); break;
      case f_jump: e.value_ns = integer<std::int64_t>(v, "jump_ns"); break;
      case f_outcome:
        if (!enum_from_string<effect_outcome, 2>(string(v, "outcome"), e.outcome)) {
          fail("unknown \"outcome\" \"" + v.get<std::string>() + "\" (applied|rejected_stale)");
        }
        break;
      case f_cause:
        if (!enum_from_string<dlq_cause, 2>(string(v, "cause"), e.cause)) {
          fail("unknown \"cause\" \"" + v.get<std::string>() + "\" (max_deliveries|permanent)");
        }
        break;
      case f_data_lost:
        if (!v.is_boolean()) fail("\"data_lost\" must be true or false");
        e.data_lost = v.get<bool>();
        break;
    }
  }

  std::uint64_t line_;
  const header& header_;
};

std::vector<std::string> string_list(const line_decoder& d, const json& v, const char* key) {
  if (!v.is_array()) d.fail(std::string("header \"") + key + "\" must be an array of strings");
  std::vector<std::string> out;
  for (const json& item : v) out.push_back(d.string(item, key));
  return out;
}

candidate_info decode_candidate(const line_decoder& d, const json& v) {
  if (!v.is_object()) d.fail("header \"candidates\" entries must be objects {name, breaker, budget}");
  candidate_info c;
  int seen = 0;
  for (const auto& [key, item] : v.items()) {
    if (key == "name") {
      c.name = d.string(item, "candidates[].name");
      if (c.name.empty()) d.fail("a header candidate needs a non-empty name");
      // report.json's candidates section keeps its note under this key.
      if (c.name == "note") d.fail("header candidate name \"note\" is reserved");
    } else if (key == "breaker") {
      if (!item.is_null()) {
        const std::string& check = d.string(item, "candidates[].breaker");
        if (check != "per_attempt" && check != "per_request") {
          d.fail("header \"candidates[].breaker\" must be \"per_attempt\", \"per_request\" or null, got \"" + check +
                 "\"");
        }
        c.breaker = true;
        c.breaker_per_request = check == "per_request";
      }
    } else if (key == "budget") {
      if (!item.is_boolean()) d.fail("header \"candidates[].budget\" must be true or false");
      c.budget = item.get<bool>();
    } else {
      d.fail("unknown field \"" + key + "\" in a header candidate");
    }
    ++seen;
  }
  if (seen != 3) d.fail("a header candidate needs name, breaker and budget");
  if (!c.breaker && !c.budget) d.fail("header candidate \"" + c.name + "\" has neither a breaker nor a budget");
  return c;
}

std::vector<candidate_info> decode_candidates(const line_decoder& d, const json& v) {
  if (!v.is_array()) d.fail("header \"candidates\" must be an array");
  if (v.empty() || v.size() > candidates_max) {
    d.fail("header \"candidates\" must list 1 to " + std::to_string(candidates_max) + " candidates (leave it out " +
           "when there are none)");
  }
  std::vector<candidate_info> out;
  for (const json& item : v) {
    candidate_info c = decode_candidate(d, item);
    for (const candidate_info& other : out) {
      if (other.name == c.name) d.fail("header candidate name \"" + c.name + "\" appears twice");
    }
    out.push_back(std::move(c));
  }
  return out;
}

fault_info decode_fault(const line_decoder& d, const json& v) {
  if (!v.is_object()) d.fail("header \"faults\" entries must be objects {kind, target, from_ns, to_ns}");
  fault_info f;
  int seen = 0;
  for (const auto& [key, item] : v.items()) {
    if (key == "kind") {
      f.kind = d.string(item, "faults[].kind");
    } else if (key == "target") {
      f.target = d.string(item, "faults[].target");
    } else if (key == "from_ns") {
      f.from_ns = d.integer<std::int64_t>(item, "faults[].from_ns", 0);
    } else if (key == "to_ns") {
      f.to_ns = d.integer<std::int64_t>(item, "faults[].to_ns", 0);
    } else {
      d.fail("unknown field \"" + key + "\" in a header fault");
    }
    ++seen;
  }
  if (seen != 4) d.fail("a header fault needs kind, target, from_ns and to_ns");
  if (f.to_ns < f.from_ns) d.fail("a header fault ends before it starts");
  return f;
}

}  // namespace

jsonl_error::jsonl_error(std::uint64_t line, const std::string& message)
    : std::runtime_error("line " + std::to_string(line) + ": " + message), line_(line) {}

header decode_header(std::string_view line, std::uint64_t line_number) {
  header h;
  const line_decoder d(line_number, h);
  json j;
  try {
    j = json::parse(line);
  } catch (const json::parse_error& e) {
    d.fail(std::string("invalid JSON: ") + e.what());
  }
  if (!j.is_object()) d.fail("the header must be a JSON object");
  const auto type = j.find("type");
  if (type == j.end() || *type != "header") d.fail("the first line must be the header ({\"type\":\"header\", ...})");
  bool has_schema = false;
  bool has_duration = false;
  bool has_dependencies = false;
  for (const auto& [key, v] : j.items()) {
    if (key == "type") {
    } else if (key == "schema") {
      h.schema = d.integer<int>(v, "schema");
      if (h.schema != jsonl_schema) d.fail("unsupported schema " + std::to_string(h.schema) + " (this build reads 1)");
      has_schema = true;
    } else if (key == "scenario") {
      h.scenario = d.string(v, "scenario");
    } else if (key == "description") {
      h.description = d.string(v, "description");
    } else if (key == "seed") {
      h.seed = d.integer<std::uint64_t>(v, "seed");
    } else if (key == "duration_ns") {
      h.duration_ns = d.integer<std::int64_t>(v, "duration_ns", 0);
      has_duration = true;
    } else if (key == "dependencies") {
      h.dependencies = string_list(d, v, "dependencies");
      if (h.dependencies.size() > std::numeric_limits<std::uint16_t>::max()) d.fail("too many dependencies");
      has_dependencies = true;
    } else if (key == "faults") {
      if (!v.is_array()) d.fail("header \"faults\" must be an array");
      for (const json& f : v) h.faults.push_back(decode_fault(d, f));
      if (h.faults.size() > std::numeric_limits<std::uint16_t>::max()) d.fail("too many faults");
    } else if (key == "gates") {
      h.gates = string_list(d, v, "gates");
    } else if (key == "candidates") {
      h.candidates = decode_candidates(d, v);
    } else if (key == "flap_window_s") {
      if (!v.is_number() || v.get<double>() < 0) d.fail("\"flap_window_s\" must be a number >= 0");
      h.flap_window_s = v.get<double>();
    } else if (key == "expect") {
      h.expect = d.string(v, "expect");
      if (h.expect != "pass" && h.expect != "fail") d.fail("\"expect\" must be \"pass\" or \"fail\"");
    } else if (key == "repro") {
      h.repro = d.string(v, "repro");
    } else {
      d.fail("unknown header field \"" + key + "\"");
    }
  }
  if (!has_schema) d.fail("the header needs \"schema\": 1");
  if (!has_duration) d.fail("the header needs \"duration_ns\"");
  if (!has_dependencies) d.fail("the header needs \"dependencies\"");
  return h;
}

jsonl_reader::~jsonl_reader() = default;

jsonl_reader::jsonl_reader(std::istream& in) : in_(in), raw_(std::make_unique<raw_event>()) {
  if (!read_line(jsonl_max_header_line_bytes)) throw jsonl_error(1, "empty input: expected the header line");
  header_ = decode_header(line_buf_, line_);
}

// Reads one line into line_buf_ (without '\n', a trailing '\r' dropped), refusing lines over max_bytes before
// buffering them. False at the end of input.
bool jsonl_reader::read_line(std::size_t max_bytes) {
  line_buf_.clear();
  std::streambuf* buf = in_.rdbuf();
  using traits = std::streambuf::traits_type;
  int c = buf->sbumpc();
  if (c == traits::eof()) return false;
  ++line_;
  while (c != traits::eof() && c != '\n') {
    if (line_buf_.size() == max_bytes) {
      throw jsonl_error(line_, "line longer than " + std::to_string(max_bytes) + " bytes");
    }
    line_buf_.push_back(static_cast<char>(c));
    c = buf->sbumpc();
  }
  if (!line_buf_.empty() && line_buf_.back() == '\r') line_buf_.pop_back();
  return true;
}

bool jsonl_reader::next(event& e) {
  if (!read_line(jsonl_max_event_line_bytes)) return false;
  const line_decoder d(line_, header_);
  if (line_buf_.empty()) d.fail("empty line");
  // SAX, not a DOM per line: this loop is what bounds `squall check` on multi-million-event histories.
  event_sax sax(*raw_);
  if (!json::sax_parse(line_buf_, &sax)) d.fail(sax.error().empty() ? "invalid JSON" : sax.error());
  e = d.decode(*raw_);
  // The history contract orders events by (time, sequence); the checkers' windows rely on it.
  if (have_last_ && (e.t_ns < last_t_ns_ || (e.t_ns == last_t_ns_ && e.seq <= last_seq_))) {
    d.fail("event out of order: (t_ns " + std::to_string(e.t_ns) + ", seq " + std::to_string(e.seq) +
           ") after (t_ns " + std::to_string(last_t_ns_) + ", seq " + std::to_string(last_seq_) + ")");
  }
  have_last_ = true;
  last_t_ns_ = e.t_ns;
  last_seq_ = e.seq;
  return true;
}

std::uint64_t jsonl_reader::read_all(event_sink& sink) {
  std::uint64_t n = 0;
  event e;
  while (next(e)) {
    sink.on_event(e);
    ++n;
  }
  return n;
}

std::uint64_t read_history(std::istream& in, header& h, event_sink& sink) {
  jsonl_reader reader(in);
  h = reader.header();
  return reader.read_all(sink);
}

}  // namespace squall::history
