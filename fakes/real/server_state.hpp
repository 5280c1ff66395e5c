#pragma once
// Internals of http_server shared by its two halves: http_server.cpp (threads, listeners, the watchdog) and
// connection.cpp (one coroutine per connection). Not for other modules: it pulls in Asio.
#include <atomic>
#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include <boost/asio/awaitable.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/intrusive/list.hpp>

#include "fakes/real/http_server.hpp"
#include "fakes/real/request_parser.hpp"
#include "fakes/real/responses.hpp"

namespace squall::fakes::real {

using steady_clock = std::chrono::steady_clock;
using tcp = boost::asio::ip::tcp;

// One client connection; lives in its coroutine's frame and is listed in its worker for the watchdog.
struct connection : boost::intrusive::list_base_hook<boost::intrusive::link_mode<boost::intrusive::auto_unlink>> {
  explicit connection(tcp::socket s) : socket(std::move(s)), timer(socket.get_executor()) {}

  tcp::socket socket;
  boost::asio::steady_timer timer;                 // waits until the model's reply time
  steady_clock::time_point deadline = steady_clock::time_point::max();  // the watchdog closes the socket then
  bool hanging = false;                            // the deadline is the hang bound, not a read timeout
  bool expired = false;                            // the watchdog closed it
  boost::beast::flat_buffer buffer;                // reused: holds pipelined bytes between requests
  request_info request;
  std::string scratch;                             // reused: control replies and Retry-After responses
};

using connection_list = boost::intrusive::list<connection, boost::intrusive::constant_time_size<false>>;

// One thread's share: its io_context, listener and connections. Members are destroyed in reverse order, so
// the io_context (and the coroutine frames it owns) goes before the list the connections unlink from.
struct worker {
  connection_list connections;
  boost::asio::io_context io{1};
  std::optional<tcp::acceptor> acceptor;
  boost::asio::steady_timer watchdog{io};
  std::thread thread;
};

struct server_state {
  server_state(dependency_config dependency, std::vector<fault_config> faults, server_options opts, fault_parser parse)
      : options(std::move(opts)),
        service(std::move(dependency), std::move(faults), options.seed),
        control(service, metrics, std::move(parse)) {}

  server_options options;
  live_service service;
  server_metrics metrics;
  canned_responses canned;
  control_api control;
  std::atomic<std::size_t> open_connections{0};
  std::uint16_t port = 0;
  std::vector<std::unique_ptr<worker>> workers;
  bool started = false;
};

// Serves one accepted connection until it closes (connection.cpp).
boost::asio::awaitable<void> serve_connection(server_state& server, worker& w, tcp::socket socket);

}  // namespace squall::fakes::real
