#pragma once
// `squall fake http`: a Beast HTTP/1.1 server whose answers come from the simulator's dependency model
// (fakes::http_service through live_service), carried out in real time: a status at the reply's time (with
// Retry-After), a hang (no answer until the client leaves or hang_max), a reset (RST at the reply's time),
// an outage (connections closed at once). Control requests (admin_api.hpp) bypass the model.
//
// Threads: one io_context per thread, each with its own acceptor on the same port (SO_REUSEPORT), so a
// connection lives on one thread; the model is shared behind a lock. Every wait is bounded: a request must
// arrive within read_timeout (slow or idle clients are closed), hangs end after hang_max.
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "fakes/http_config.hpp"
#include "fakes/real/admin_api.hpp"
#include "fakes/real/live_service.hpp"
#include "fakes/real/metrics.hpp"

namespace squall::fakes::real {

struct server_state;  // server_state.hpp

struct server_options {
  std::string address = "127.0.0.1";
  std::uint16_t port = 0;                  // 0: any free port (see http_server::port())
  int threads = 1;
  std::size_t max_connections = 10'000;    // beyond this, new connections are closed at once
  stack::duration read_timeout = std::chrono::seconds(30);  // from the previous answer (or accept) to a full request
  stack::duration hang_max = std::chrono::seconds(60);      // a hang's connection is closed after this
  std::uint32_t header_limit = 8 * 1024;   // bytes; beyond: 431 and close
  std::uint64_t body_limit = 1024 * 1024;  // bytes; beyond: 413 and close (admin bodies: admin_body_max)
  std::uint64_t seed = 1;
  // Spin on the event loop instead of sleeping in epoll_wait: each thread burns a core, and timers (latency faults)
  // fire within tens of µs instead of the 80-300 µs a sleeping core takes to wake on a VM (docs/fake-server.md).
  bool busy_poll = false;
};

class http_server {
 public:
  // `faults` are timed from the server's start; `parse` reads faults posted to the admin API (may be empty).
  http_server(dependency_config dependency, std::vector<fault_config> faults, server_options options,
              fault_parser parse = {});
  ~http_server();
  http_server(const http_server&) = delete;
  http_server& operator=(const http_server&) = delete;

  // Binds and listens (throws std::system_error when it cannot), then serves on background threads.
  void start();
  // Closes the listeners and every connection, then joins the threads. Idempotent.
  void stop();

  std::uint16_t port() const;  // the bound port, after start()
  live_service& service();
  const server_metrics& metrics() const;

 private:
  std::unique_ptr<server_state> impl_;
};

}  // namespace squall::fakes::real
