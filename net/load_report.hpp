#pragma once
// report.json and report.md of `squall load` (docs/load.md): counts by kind and status, achieved rate against
// the target, latency from the intended send time and service time from the actual send, drops.
#include <string>

#include <nlohmann/json.hpp>

#include "net/load_run.hpp"

namespace squall::net {

struct load_report_input {
  std::string url;
  std::string arrivals;  // "poisson" | "constant"
  double rate_per_s = 0;
  const load_config* config = nullptr;
  const load_stats* stats = nullptr;
  std::string repro;     // the command line that reruns this load
};

nlohmann::json load_report(const load_report_input& in);
std::string load_markdown(const nlohmann::json& report);
// One line for the terminal: "sent 98.2 k, 9.8 k req/s, ok 98.1 k, errors 0, timeouts 0, p50 0.41 ms, p99 1.2 ms".
std::string load_progress_text(const load_stats& s, stack::duration elapsed, stack::duration duration);

}  // namespace squall::net
