// JSONL writer: hand-formatted into a 1 MiB buffer, because it runs once per event (millions per simulated
// hour) and building a JSON object per event would dominate the run.
#include <charconv>
#include <cmath>
#include <cstring>
#include <ostream>
#include <stdexcept>

#include <nlohmann/json.hpp>

#include "history/jsonl.hpp"

namespace squall::history {
namespace {

constexpr std::size_t buffer_bytes = std::size_t{1} << 20;
// Upper bound of one event line: fixed keys + numbers + one dependency name. The name is checked separately.
constexpr std::size_t event_line_reserve = 512;
// JSON-escaping can grow a name up to 6x; 256 bytes keeps every event line far below jsonl_max_event_line_bytes.
constexpr std::size_t max_dependency_name_bytes = 256;

nlohmann::ordered_json header_json(const header& h) {
  nlohmann::ordered_json j;
  j["type"] = "header";
  j["schema"] = h.schema;
  j["scenario"] = h.scenario;
  j["description"] = h.description;
  j["seed"] = h.seed;
  j["duration_ns"] = h.duration_ns;
  j["dependencies"] = h.dependencies;
  auto faults = nlohmann::ordered_json::array();
  for (const fault_info& f : h.faults) {
    faults.push_back({{"kind", f.kind}, {"target", f.target}, {"from_ns", f.from_ns}, {"to_ns", f.to_ns}});
  }
  j["faults"] = std::move(faults);
  j["gates"] = h.gates;
  // Only scenarios with shadow candidates list them: histories without keep their bytes.
  if (!h.candidates.empty()) {
    auto candidates = nlohmann::ordered_json::array();
    for (const candidate_info& c : h.candidates) {
      nlohmann::ordered_json item;
      item["name"] = c.name;
      item["breaker"] = c.breaker ? nlohmann::ordered_json(c.breaker_per_request ? "per_request" : "per_attempt")
                                  : nlohmann::ordered_json(nullptr);
      item["budget"] = c.budget;
      candidates.push_back(std::move(item));
    }
    j["candidates"] = std::move(candidates);
  }
  // Whole seconds print as integers ("60", not "60.0") so the header reads as written in the scenario.
  if (std::trunc(h.flap_window_s) == h.flap_window_s && std::fabs(h.flap_window_s) < 1e15) {
    j["flap_window_s"] = static_cast<std::int64_t>(h.flap_window_s);
  } else {
    j["flap_window_s"] = h.flap_window_s;
  }
  j["expect"] = h.expect;
  j["repro"] = h.repro;
  return j;
}

}  // namespace

std::string encode_header(const header& h) { return header_json(h).dump(); }

jsonl_writer::jsonl_writer(std::ostream& out, const header& h) : stream_(&out), buf_(new char[buffer_bytes]) {
  start(h);
}

jsonl_writer::jsonl_writer(std::FILE* out, const header& h) : file_(out), buf_(new char[buffer_bytes]) {
  start(h);
}

void jsonl_writer::start(const header& h) {
  fault_count_ = h.faults.size();
  candidate_count_ = h.candidates.size();
  for (const std::string& d : h.dependencies) {
    // Bounded so one event line always fits the reserve below and the reader's line limit.
    if (d.size() > max_dependency_name_bytes) {
      throw std::invalid_argument("jsonl_writer: dependency name longer than " +
                                  std::to_string(max_dependency_name_bytes) + " bytes");
    }
    dep_json_.push_back(nlohmann::json(d).dump());
  }
  put(encode_header(h));
  put("\n");
}

jsonl_writer::~jsonl_writer() {
  // A destructor must not throw; a failed final write shows as a short file, and callers that care call flush().
  try {
    flush();
  } catch (...) {
  }
}

void jsonl_writer::drain() {
  if (len_ == 0) return;
  if (stream_ != nullptr) {
    stream_->write(buf_.get(), static_cast<std::streamsize>(len_));
    if (!*stream_) throw std::runtime_error("jsonl_writer: write failed");
  } else if (std::fwrite(buf_.get(), 1, len_, file_) != len_) {
    throw std::runtime_error("jsonl_writer: write failed");
  }
  len_ = 0;
}

void jsonl_writer::flush() {
  drain();
  if (stream_ != nullptr) {
    stream_->flush();
  } else {
    std::fflush(file_);
  }
}

void jsonl_writer::reserve(std::size_t bytes) {
  if (len_ + bytes > buffer_bytes) drain();
}

void jsonl_writer::put(std::string_view s) {
  if (len_ + s.size() > buffer_bytes) {
    drain();
    if (s.size() > buffer_bytes) {  // only a huge header gets here: write it straight through
      if (stream_ != nullptr) {
        stream_->write(s.data(), static_cast<std::streamsize>(s.size()));
      } else {
        std::fwrite(s.data(), 1, s.size(), file_);
      }
      return;
    }
  }
  std::memcpy(buf_.get() + len_, s.data(), s.size());
  len_ += s.size();
}

void jsonl_writer::put_int(std::int64_t v) {
  const auto r = std::to_chars(buf_.get() + len_, buf_.get() + buffer_bytes, v);
  len_ = static_cast<std::size_t>(r.ptr - buf_.get());
}

void jsonl_writer::put_uint(std::uint64_t v) {
  const auto r = std::to_chars(buf_.get() + len_, buf_.get() + buffer_bytes, v);
  len_ = static_cast<std::size_t>(r.ptr - buf_.get());
}

void jsonl_writer::put_dep(std::uint16_t dep) {
  put_lit(",\"dep\":");
  put_unchecked(dep_json_[dep]);
}

void jsonl_writer::put_unchecked(std::string_view s) {
  std::memcpy(buf_.get() + len_, s.data(), s.size());
  len_ += s.size();
}

void jsonl_writer::on_event(const event& e) {
  // Validate before writing so a rejected event leaves no half line behind.
  const bool has_dep = e.type != event_type::invoke && e.type != event_type::start && e.type != event_type::ok &&
                       e.type != event_type::fail && e.type != event_type::info && e.type <= event_type::fault_stop;
  if (has_dep && e.dep >= dep_json_.size()) {
    throw std::invalid_argument("jsonl_writer: event names dependency #" + std::to_string(e.dep) +
                                " but the header has " + std::to_string(dep_json_.size()));
  }
  const bool has_fault = e.type == event_type::fault_start || e.type == event_type::fault_stop;
  if (has_fault && e.fault >= fault_count_) {
    throw std::invalid_argument("jsonl_writer: event names fault #" + std::to_string(e.fault) +
                                " but the header has " + std::to_string(fault_count_));
  }
  const bool may_name_candidate = e.type == event_type::budget_deny || e.type == event_type::breaker_reject ||
                                  e.type == event_type::breaker;
  if (e.candidate != 0 && (!may_name_candidate || e.candidate > candidate_count_ || !e.shadow)) {
    throw std::invalid_argument(std::string("jsonl_writer: a \"") + to_string(e.type) + "\" event names candidate #" +
                                std::to_string(e.candidate) + " but the header has " +
                                std::to_string(candidate_count_) + " (candidate events are shadow breaker and " +
                                "budget decisions)");
  }
  const bool needs_proc = e.type >= event_type::delivery && e.type != event_type::dlq &&
                          e.type != event_type::store_restart;
  if (needs_proc && e.proc < 0) {
    throw std::invalid_argument(std::string("jsonl_writer: a \"") + to_string(e.type) + "\" event needs a proc");
  }
  reserve(event_line_reserve + (has_dep ? dep_json_[e.dep].size() : 0));
  put_lit("{\"t_ns\":");
  put_int(e.t_ns);
  put_lit(",\"seq\":");
  put_uint(e.seq);
  put_lit(",\"type\":\"");
  put_unchecked(to_string(e.type));
  put_lit("\"");

  const auto proc = [&] {
    if (e.proc >= 0) {
      put_lit(",\"proc\":\"w");
      put_int(e.proc);
      put_lit("\"");
    }
  };
  const auto req = [&] {
    put_lit(",\"req\":");
    put_uint(e.req);
  };
  const auto attempt = [&] {
    put_lit(",\"attempt\":");
    put_uint(e.attempt);
  };
  const auto latency = [&] {
    put_lit(",\"latency_ns\":");
    put_int(e.value_ns);
  };
  const auto shadow = [&] {
    if (e.shadow) put_lit(",\"shadow\":true");
  };
  const auto candidate = [&] {
    if (e.candidate != 0) {  // 0, the enforced policy, is left out: histories without candidates keep their bytes
      put_lit(",\"candidate\":");
      put_uint(e.candidate);
    }
  };
  const auto key = [&] {
    put_lit(",\"key\":");
    put_uint(e.key);
  };
  const auto token = [&] {
    put_lit(",\"token\":");
    put_uint(e.token);
  };
  const auto fault = [&] {
    put_lit(",\"fault\":");
    put_uint(e.fault);
  };

  switch (e.type) {
    case event_type::invoke:
      req();
      break;
    case event_type::start:
      proc();
      req();
      break;
    case event_type::attempt:
      proc();
      req();
      put_dep(e.dep);
      attempt();
      break;
    case event_type::attempt_end:
      proc();
      req();
      put_dep(e.dep);
      attempt();
      put_lit(",\"result\":\"");
      put_unchecked(to_string(e.result));
      put_lit("\"");
      if (e.result == attempt_result::response) {
        put_lit(",\"status\":");
        put_int(e.status);
      }
      latency();
      break;
    case event_type::retry:
      proc();
      req();
      put_dep(e.dep);
      attempt();
      put_lit(",\"delay_ns\":");
      put_int(e.value_ns);
      break;
    case event_type::budget_deny:
    case event_type::breaker_reject:
      proc();
      req();
      put_dep(e.dep);
      shadow();
      candidate();
      break;
    case event_type::breaker:
      put_dep(e.dep);
      put_lit(",\"from\":\"");
      put_unchecked(to_string(e.from));
      put_lit("\",\"to\":\"");
      put_unchecked(to_string(e.to));
      put_lit("\"");
      shadow();
      candidate();
      break;
    case event_type::ok:
      proc();
      req();
      latency();
      break;
    case event_type::fail:
    case event_type::info:
      proc();
      req();
      put_lit(",\"reason\":\"");
      put_unchecked(to_string(e.reason));
      put_lit("\"");
      latency();
      break;
    case event_type::fault_start:
    case event_type::fault_stop:
      fault();
      put_dep(e.dep);
      break;
    case event_type::delivery:
      proc();
      req();
      key();
      attempt();
      break;
    case event_type::dlq:
      proc();
      req();
      key();
      put_lit(",\"cause\":\"");
      put_unchecked(to_string(e.cause));
      put_lit("\"");
      break;
    case event_type::lock_acquired:
    case event_type::lock_renewed:
      proc();
      key();
      token();
      put_lit(",\"ttl_ns\":");
      put_int(e.value_ns);
      break;
    case event_type::lock_released:
      proc();
      key();
      token();
      break;
    case event_type::lock_lost:
      proc();
      key();
      token();
      put_lit(",\"valid_until_ns\":");
      put_int(e.value_ns);
      break;
    case event_type::idempotency_skip:
      proc();
      key();
      break;
    case event_type::effect:
      proc();
      key();
      token();
      put_lit(",\"outcome\":\"");
      put_unchecked(to_string(e.outcome));
      put_lit("\"");
      break;
    case event_type::store_restart:
      put_lit(",\"downtime_ns\":");
      put_int(e.value_ns);
      if (e.data_lost) {
        put_lit(",\"data_lost\":true");
      } else {
        put_lit(",\"data_lost\":false");
      }
      break;
    case event_type::process_pause:
      proc();
      put_lit(",\"pause_ns\":");
      put_int(e.value_ns);
      break;
    case event_type::worker_crash:
      proc();
      break;
    case event_type::clock_jump:
      proc();
      put_lit(",\"jump_ns\":");
      put_int(e.value_ns);
      break;
  }
  put_lit("}\n");
  ++events_;
}

}  // namespace squall::history
