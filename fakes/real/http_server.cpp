// Threads, listeners and the watchdog of the fake server; connections are served in connection.cpp.
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/ip/address.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/system/system_error.hpp>

#include <system_error>

#include "fakes/real/server_state.hpp"

namespace squall::fakes::real {
namespace {

namespace asio = boost::asio;
using boost::system::error_code;
constexpr auto use_tuple = asio::as_tuple(asio::use_awaitable);
// How often the watchdog looks for connections past their deadline: the precision of read_timeout and hang_max.
constexpr auto watchdog_period = std::chrono::milliseconds(100);
// After a failed accept (out of file descriptors, say), wait a little instead of spinning.
constexpr auto accept_retry_delay = std::chrono::milliseconds(10);

using reuse_port = asio::detail::socket_option::boolean<SOL_SOCKET, SO_REUSEPORT>;

void close_with_reset(tcp::socket& socket) {
  error_code ignored;
  socket.set_option(asio::socket_base::linger(true, 0), ignored);
  socket.close(ignored);
}

asio::awaitable<void> accept_loop(server_state& s, worker& w) {
  asio::steady_timer pause(w.io);
  for (;;) {
    auto [ec, socket] = co_await w.acceptor->async_accept(use_tuple);
    if (ec) {
      if (!w.acceptor->is_open()) co_return;
      pause.expires_after(accept_retry_delay);
      co_await pause.async_wait(use_tuple);
      continue;
    }
    if (s.open_connections.load(std::memory_order_relaxed) >= s.options.max_connections) {
      s.metrics.refused_over_limit();
      close_with_reset(socket);
      continue;
    }
    if (s.service.outage_now()) {  // an outage refuses connections before any request
      s.metrics.outage_close();
      close_with_reset(socket);
      continue;
    }
    error_code ignored;
    socket.set_option(tcp::no_delay(true), ignored);
    s.open_connections.fetch_add(1, std::memory_order_relaxed);
    asio::co_spawn(w.io, serve_connection(s, w, std::move(socket)), asio::detached);
  }
}

// Closes connections past their deadline: slow or idle clients, and hangs at their bound.
asio::awaitable<void> watchdog(worker& w) {
  for (;;) {
    w.watchdog.expires_after(watchdog_period);
    const auto [ec] = co_await w.watchdog.async_wait(use_tuple);
    if (ec) co_return;
    const auto now = steady_clock::now();
    for (connection& c : w.connections) {
      if (c.deadline > now || !c.socket.is_open()) continue;
      c.expired = true;
      error_code ignored;
      c.socket.close(ignored);
    }
  }
}

// Throws std::system_error (what start() promises), not Boost's own exception type.
void listen(worker& w, const tcp::endpoint& at, bool shared) {
  try {
    w.acceptor.emplace(w.io);
    w.acceptor->open(at.protocol());
    w.acceptor->set_option(asio::socket_base::reuse_address(true));
    if (shared) w.acceptor->set_option(reuse_port(true));
    w.acceptor->bind(at);
    w.acceptor->listen(asio::socket_base::max_listen_connections);
  } catch (const boost::system::system_error& e) {
    throw std::system_error(std::error_code(e.code()), "listen");
  }
}

void shut_down(worker& w) {
  error_code ignored;
  if (w.acceptor) w.acceptor->close(ignored);
  w.watchdog.cancel();
  for (connection& c : w.connections) {
    c.timer.cancel();
    c.socket.close(ignored);
  }
  w.io.stop();
}

}  // namespace

http_server::http_server(dependency_config dependency, std::vector<fault_config> faults, server_options options,
                         fault_parser parse)
    : impl_(std::make_unique<server_state>(std::move(dependency), std::move(faults), std::move(options), std::move(parse))) {}

http_server::~http_server() { stop(); }

void http_server::start() {
  server_state& s = *impl_;
  if (s.started) return;
  const int threads = std::max(1, s.options.threads);
  tcp::endpoint at(asio::ip::make_address(s.options.address), s.options.port);
  for (int i = 0; i < threads; ++i) {
    auto w = std::make_unique<worker>();
    listen(*w, at, threads > 1);
    if (i == 0) at.port(w->acceptor->local_endpoint().port());  // the others share the port the first got
    s.workers.push_back(std::move(w));
  }
  s.port = at.port();
  for (auto& w : s.workers) {
    asio::co_spawn(w->io, accept_loop(s, *w), asio::detached);
    asio::co_spawn(w->io, watchdog(*w), asio::detached);
    w->thread = std::thread([&io = w->io, spin = s.options.busy_poll] {
      if (!spin) {
        io.run();
        return;
      }
      while (!io.stopped()) io.poll();
    });
  }
  s.started = true;
}

void http_server::stop() {
  server_state& s = *impl_;
  for (auto& w : s.workers) asio::post(w->io, [&w = *w] { shut_down(w); });
  for (auto& w : s.workers) {
    if (w->thread.joinable()) w->thread.join();
  }
  s.workers.clear();  // destroys the io_contexts, and with them the suspended connections
  s.started = false;
}

std::uint16_t http_server::port() const { return impl_->port; }
live_service& http_server::service() { return impl_->service; }
const server_metrics& http_server::metrics() const { return impl_->metrics; }

}  // namespace squall::fakes::real
