// One connection of the fake server: read a request, ask the model, carry out its answer in real time, repeat.
// Requests on a connection are answered in order (HTTP/1.1 pipelining): bytes of the next request wait in the
// connection's buffer until the current one is answered.
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/read.hpp>

#include "fakes/real/server_state.hpp"

namespace squall::fakes::real {
namespace {

namespace asio = boost::asio;
namespace http = boost::beast::http;
using boost::system::error_code;
constexpr auto use_tuple = asio::as_tuple(asio::use_awaitable);

// Decrements a gauge however the coroutine ends (including destruction at shutdown).
struct gauge_guard {
  server_metrics& metrics;
  std::atomic<std::size_t>& open;
  ~gauge_guard() {
    metrics.connections(-1);
    open.fetch_sub(1, std::memory_order_relaxed);
  }
};

struct in_flight_guard {
  server_metrics& metrics;
  explicit in_flight_guard(server_metrics& m) : metrics(m) { metrics.in_flight(+1); }
  ~in_flight_guard() { metrics.in_flight(-1); }
};

// 431/413/400 for requests the parser refused; 0 when the error is the connection's, not the request's.
int status_for_parse_error(const error_code& ec) {
  if (ec.category() != http::make_error_code(http::error::bad_method).category()) return 0;
  if (ec == http::error::end_of_stream || ec == http::error::partial_message) return 0;  // client left
  if (ec == http::error::header_limit) return 431;
  if (ec == http::error::body_limit) return 413;
  return 400;
}

// Closes with SO_LINGER 0: the peer sees a reset (RST), not an orderly end of stream.
void close_with_reset(tcp::socket& socket) {
  error_code ignored;
  socket.set_option(asio::socket_base::linger(true, 0), ignored);
  socket.close(ignored);
}

// Sends FIN after the last answer, so the client reads the whole response before the end of stream.
void close_gracefully(tcp::socket& socket) {
  error_code ignored;
  socket.shutdown(tcp::socket::shutdown_send, ignored);
  socket.close(ignored);
}

// After refusing a request, reads (and drops) what the client still sends, for a bounded time and size, before
// closing: closing with unread bytes would send a reset that can destroy the refusal before the client reads it.
asio::awaitable<void> lingering_close(connection& c) {
  constexpr std::size_t drain_max = 1024 * 1024;
  error_code ignored;
  c.socket.shutdown(tcp::socket::shutdown_send, ignored);
  c.deadline = steady_clock::now() + std::chrono::seconds(1);
  char sink[4096];
  for (std::size_t drained = 0; drained < drain_max;) {
    const auto [ec, n] = co_await c.socket.async_read_some(asio::buffer(sink), use_tuple);
    if (ec || n == 0) break;
    drained += n;
  }
  c.socket.close(ignored);
}

asio::awaitable<bool> write(connection& c, std::string_view bytes) {
  const auto [ec, n] = co_await asio::async_write(c.socket, asio::buffer(bytes.data(), bytes.size()), use_tuple);
  co_return !ec;
}

// Waits on the timer until `at` (a no-op when it is already past). False when the wait was cut short.
asio::awaitable<bool> wait_until(connection& c, steady_clock::time_point at) {
  if (at <= steady_clock::now()) co_return true;
  c.timer.expires_at(at);
  const auto [ec] = co_await c.timer.async_wait(use_tuple);
  co_return !ec && c.socket.is_open();
}

// A hang: never answer. Read (and drop) whatever the client still sends until it closes the connection or the
// watchdog ends it at hang_max.
asio::awaitable<void> hang(connection& c, stack::duration hang_max) {
  c.hanging = true;
  c.deadline = steady_clock::now() + hang_max;
  char sink[4096];
  for (;;) {
    const auto [ec, n] = co_await c.socket.async_read_some(asio::buffer(sink), use_tuple);
    if (ec || n == 0) break;
  }
}

// Carries out the model's reply. False when the connection is over.
asio::awaitable<bool> answer(server_state& s, connection& c, const sim::http_reply& reply, bool close,
                             steady_clock::time_point arrived) {
  if (!reply.answers) {
    co_await hang(c, s.options.hang_max);
    s.metrics.hang_ended();
    co_return false;
  }
  if (reply.result.kind == stack::attempt_kind::connect_failure) {  // outage: no answer at all
    s.metrics.outage_close();
    close_with_reset(c.socket);
    co_return false;
  }
  const steady_clock::time_point due = s.service.steady(reply.at);
  if (!co_await wait_until(c, due)) co_return false;
  if (reply.result.kind == stack::attempt_kind::reset) {
    close_with_reset(c.socket);
    const auto now = steady_clock::now();
    s.metrics.reset(now - arrived);
    s.metrics.late_by(now - due);
    co_return false;
  }
  const int status = reply.result.status;
  std::string_view bytes = s.canned.plain(status, close);
  if (reply.result.retry_after.count() > 0 && (status == 429 || status == 503)) {
    const std::string_view body = s.canned.plain(status, close);
    format_response(c.scratch, status, "text/plain", body.substr(body.find("\r\n\r\n") + 4), close,
                    reply.result.retry_after);
    bytes = c.scratch;
  }
  const bool sent = co_await write(c, bytes);
  const auto now = steady_clock::now();
  s.metrics.answered(status, now - arrived);
  s.metrics.late_by(now - due);
  co_return sent;
}

asio::awaitable<bool> answer_control(server_state& s, connection& c, bool close) {
  const control_reply reply = s.control.handle(c.request.method_text, c.request.target, c.request.body);
  format_response(c.scratch, reply.status, reply.content_type, reply.body, close);
  co_return co_await write(c, c.scratch);
}

// A request the parser refused: say why (when the connection still works) and close.
asio::awaitable<void> refuse(server_state& s, connection& c, const error_code& ec) {
  const int status = status_for_parse_error(ec);
  if (c.expired) s.metrics.timed_out();
  if (status == 0) co_return;
  s.metrics.bad_request();
  c.deadline = steady_clock::now() + s.options.read_timeout;  // a client that does not read is not waited for
  format_response(c.scratch, status, "text/plain", "bad request: " + ec.message() + "\n", true);
  if (co_await write(c, c.scratch)) co_await lingering_close(c);
}

}  // namespace

asio::awaitable<void> serve_connection(server_state& s, worker& w, tcp::socket socket) {
  connection c(std::move(socket));
  w.connections.push_back(c);
  s.metrics.connections(+1);
  const gauge_guard guard{s.metrics, s.open_connections};
  for (;;) {
    c.deadline = steady_clock::now() + s.options.read_timeout;
    request_parser parser(c.request);
    parser.header_limit(s.options.header_limit);
    parser.body_limit(s.options.body_limit);
    const auto [ec, n] = co_await http::async_read(c.socket, c.buffer, parser, use_tuple);
    if (ec) {
      co_await refuse(s, c, ec);
      co_return;
    }
    const steady_clock::time_point arrived = steady_clock::now();
    c.deadline = steady_clock::time_point::max();
    const bool close = !parser.keep_alive();
    bool open = false;
    if (c.request.keep_body) {
      open = co_await answer_control(s, c, close);
    } else {
      const in_flight_guard in_flight(s.metrics);
      open = co_await answer(s, c, s.service.serve(), close, arrived);
    }
    if (!open) co_return;
    if (close) {
      close_gracefully(c.socket);
      co_return;
    }
  }
}

}  // namespace squall::fakes::real
