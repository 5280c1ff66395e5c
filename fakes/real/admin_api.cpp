#include "fakes/real/admin_api.hpp"

#include <charconv>

#include <nlohmann/json.hpp>

namespace squall::fakes::real {
namespace {

using nlohmann::json;

constexpr std::string_view endpoints_hint =
    "endpoints: GET /__squall/, GET|POST|DELETE /__squall/faults, DELETE /__squall/faults/<id>, "
    "POST /__squall/reset, GET /metrics";

control_reply error(int status, std::string message, std::string path = {}, std::string hint = {}) {
  return {status, json{{"error", std::move(message)}, {"path", std::move(path)}, {"hint", std::move(hint)}}.dump()};
}

control_reply ok(const json& body, int status = 200) { return {status, body.dump()}; }

control_reply wrong_method(std::string_view method, std::string_view allowed) {
  return error(405, "method " + std::string(method) + " is not allowed here", "",
               "use " + std::string(allowed) + "; " + std::string(endpoints_hint));
}

double seconds(stack::duration d) { return stack::to_s(d); }

json describe(const fault_entry& e, stack::instant now) {
  const stack::duration t = now.time_since_epoch();
  json j = fault_json(e.fault);
  j.update({{"id", e.id}, {"active", t >= e.fault.from && t < e.fault.to}, {"ends_in_s", seconds(e.fault.to - t)}});
  return j;
}

}  // namespace

json fault_json(const fault_config& f) {
  json j{{"kind", to_string(f.kind)}, {"target", f.target}, {"from_s", seconds(f.from)}, {"to_s", seconds(f.to)}};
  switch (f.kind) {
    case fault_kind::error_storm:
      j.update({{"rate", f.rate}, {"status", f.status}, {"latency_ms", f.latency_ms},
                {"retry_after_s", f.retry_after_s}});
      break;
    case fault_kind::latency_spike: j.update({{"multiplier", f.multiplier}, {"add_ms", f.add_ms}}); break;
    case fault_kind::outage: break;
    case fault_kind::hang:
    case fault_kind::reset: j["rate"] = f.rate; break;
    case fault_kind::rate_limit: j.update({{"limit_per_s", f.limit_per_s}, {"retry_after_s", f.retry_after_s}}); break;
  }
  return j;
}

bool is_control_target(std::string_view target) {
  const std::string_view path = target.substr(0, target.find('?'));
  return path == metrics_path || path.substr(0, admin_prefix.size()) == admin_prefix;
}

control_api::control_api(live_service& service, const server_metrics& metrics, fault_parser parse)
    : service_(service), metrics_(metrics), parse_(std::move(parse)) {}

control_reply control_api::handle(std::string_view method, std::string_view target, std::string_view body) {
  const std::string_view path = target.substr(0, target.find('?'));
  if (path == metrics_path) {
    if (method != "GET") return wrong_method(method, "GET");
    return {200, metrics_.render(service_.queued(), service_.active_faults()), "text/plain; version=0.0.4"};
  }
  std::string_view rest = path.substr(admin_prefix.size());
  if (rest.empty() || rest == "/") return method == "GET" ? index() : wrong_method(method, "GET");
  if (rest == "/faults" || rest == "/faults/") return faults(method, body);
  if (rest.substr(0, 8) == "/faults/") return fault_by_id(method, rest.substr(8));
  if (rest == "/reset") {
    if (method != "POST") return wrong_method(method, "POST");
    return ok({{"removed", service_.clear()}});
  }
  return error(404, "no admin endpoint " + std::string(path), "", std::string(endpoints_hint));
}

control_reply control_api::faults(std::string_view method, std::string_view body) {
  if (method == "GET") {
    const stack::instant now = service_.now();
    json list = json::array();
    for (const fault_entry& e : service_.list()) list.push_back(describe(e, now));
    return ok({{"now_s", seconds(now.time_since_epoch())}, {"faults", std::move(list)}});
  }
  if (method == "POST") return add(body);
  if (method == "DELETE") return ok({{"removed", service_.clear()}});
  return wrong_method(method, "GET, POST or DELETE");
}

control_reply control_api::fault_by_id(std::string_view method, std::string_view id_text) {
  std::uint64_t id = 0;
  const auto [end, ec] = std::from_chars(id_text.data(), id_text.data() + id_text.size(), id);
  if (ec != std::errc{} || end != id_text.data() + id_text.size()) {
    return error(404, "no fault with id '" + std::string(id_text) + "'", "",
                 "fault ids are numbers; GET /__squall/faults lists them");
  }
  if (method != "DELETE") return wrong_method(method, "DELETE");
  if (!service_.remove(id)) {
    return error(404, "no fault with id " + std::to_string(id), "",
                 "it may have ended already; GET /__squall/faults lists the faults not yet over");
  }
  return ok({{"removed", id}});
}

control_reply control_api::add(std::string_view body) {
  if (!parse_) return error(501, "this server does not accept new faults");
  fault_parse parsed = parse_(body);
  if (!parsed.fault) {
    control_reply reply = error(400, std::move(parsed.error), std::move(parsed.path), std::move(parsed.hint));
    if (!parsed.more.empty()) {  // every problem at once, like `squall validate`
      json detail = json::parse(reply.body);
      json& all = detail["more"] = json::array();
      for (const fault_error& e : parsed.more) all.push_back({{"error", e.error}, {"path", e.path}, {"hint", e.hint}});
      reply.body = detail.dump();
    }
    return reply;
  }
  fault_config fault = std::move(*parsed.fault);
  fault.target = service_.config().name;
  fault.target_index = 0;
  // Posted windows count from now.
  const stack::duration now = service_.now().time_since_epoch();
  fault.from += now;
  fault.to += now;
  const auto id = service_.add(fault);
  if (!id) {
    return error(409, "too many faults (at most " + std::to_string(live_service::max_faults) + ")", "",
                 "DELETE /__squall/faults/<id> or DELETE /__squall/faults first");
  }
  return ok(describe(fault_entry{*id, fault}, service_.now()), 201);
}

control_reply control_api::index() const {
  const dependency_config& c = service_.config();
  return ok({{"server", "squall fake http"},
             {"dependency", c.name},
             {"capacity", c.capacity},
             {"uptime_s", seconds(service_.now().time_since_epoch())},
             {"endpoints",
              {"GET /__squall/faults", "POST /__squall/faults", "DELETE /__squall/faults/<id>",
               "DELETE /__squall/faults", "POST /__squall/reset", "GET /metrics"}}});
}

}  // namespace squall::fakes::real
