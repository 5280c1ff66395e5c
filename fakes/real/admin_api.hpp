#pragma once
// The fake server's control surface, as a pure handler (method, target, body) -> (status, JSON): the admin
// API under /__squall/ (Toxiproxy's idea at the HTTP level, with faults bounded in time) and /metrics.
//
//   GET    /__squall/             what the server is and the endpoints below
//   GET    /__squall/faults       faults not yet over, with ids, windows (seconds since start) and fields
//   POST   /__squall/faults       add a fault in the scenario's fault JSON; from_s/to_s or duration_s count from now
//   DELETE /__squall/faults/<id>  remove one fault
//   DELETE /__squall/faults       remove every fault (also POST /__squall/reset)
//   GET    /metrics               Prometheus text format
// Errors are {"error": ..., "path": ..., "hint": ...} with a 4xx status.
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "fakes/http_config.hpp"
#include "fakes/real/live_service.hpp"
#include "fakes/real/metrics.hpp"

namespace squall::fakes::real {

inline constexpr std::string_view admin_prefix = "/__squall";
inline constexpr std::string_view metrics_path = "/metrics";
// Admin bodies are one fault: a few hundred bytes.
inline constexpr std::size_t admin_body_max = 64 * 1024;

// A fault as the admin API lists it and accepts it: kind, target, from_s, to_s and the kind's fields.
nlohmann::json fault_json(const fault_config& fault);

// Whether the request is for the control surface (never subject to faults).
bool is_control_target(std::string_view target);

// A fault posted to the admin API, parsed by the scenario parser (the runner supplies it, so the server and the
// scenario accept the same faults with the same messages). `fault` times count from the moment it is posted.
struct fault_error {
  std::string error, path, hint;
};
struct fault_parse {
  std::optional<fault_config> fault;
  std::string error, path, hint;      // the first error when `fault` is empty
  std::vector<fault_error> more;      // the others, if any
};
using fault_parser = std::function<fault_parse(std::string_view json_text)>;

struct control_reply {
  int status = 200;
  std::string body;
  std::string_view content_type = "application/json";
};

class control_api {
 public:
  // `parse` may be empty: adding faults then answers 501.
  control_api(live_service& service, const server_metrics& metrics, fault_parser parse);
  control_reply handle(std::string_view method, std::string_view target, std::string_view body);

 private:
  control_reply faults(std::string_view method, std::string_view body);
  control_reply fault_by_id(std::string_view method, std::string_view id);
  control_reply add(std::string_view body);
  control_reply index() const;

  live_service& service_;
  const server_metrics& metrics_;
  fault_parser parse_;
};

}  // namespace squall::fakes::real
