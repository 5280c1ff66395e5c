#pragma once
// Fake servers for the tests: a dependency with constant latency, faults from t = 0, loopback on a free port.
#include <chrono>
#include <string>
#include <vector>

#include "fakes/real/http_server.hpp"
#include "runner/fake_config.hpp"
#include "tests/fake_server/http_client.hpp"

namespace squall::test {

inline fakes::dependency_config constant_dependency(double latency_ms, int capacity = 64) {
  fakes::dependency_config d;
  d.name = "api";
  d.capacity = capacity;
  d.latency.dist = fakes::latency_dist::constant;
  d.latency.value_ms = latency_ms;
  d.errors.rate = 0;
  return d;
}

// Active from the server's start for a minute.
inline fakes::fault_config fault_now(fakes::fault_kind kind) {
  fakes::fault_config f;
  f.kind = kind;
  f.target = "api";
  f.from = std::chrono::seconds(0);
  f.to = std::chrono::seconds(60);
  return f;
}

struct running_server {
  explicit running_server(fakes::dependency_config dependency, std::vector<fakes::fault_config> faults = {},
                          fakes::real::server_options options = {})
      : server(std::move(dependency), std::move(faults), options,
               [](std::string_view text) { return runner::parse_posted_fault(text, "api"); }) {
    server.start();
  }
  std::uint16_t port() const { return server.port(); }
  std::string metrics() { return fetch(port(), "GET", "/metrics").body; }

  fakes::real::http_server server;
};

inline fakes::real::server_options options_with(std::chrono::milliseconds read_timeout,
                                                std::chrono::milliseconds hang_max) {
  fakes::real::server_options o;
  o.read_timeout = read_timeout;
  o.hang_max = hang_max;
  return o;
}

}  // namespace squall::test
