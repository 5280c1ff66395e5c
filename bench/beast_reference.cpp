// The reference server for bench/fake-http.sh: a minimal single-threaded Boost.Beast coroutine server that answers
// every request with 200 after an optional fixed delay on an Asio timer. What `squall fake http` adds beyond this
// (its fault model, metrics, admin API) is its overhead; what both share (loopback, the kernel's timer wake-up) is
// the platform's.
// Usage: bench_beast_reference PORT [DELAY_MS]   (listens on 127.0.0.1:PORT until killed)
#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>

namespace asio = boost::asio;
namespace http = boost::beast::http;
using asio::ip::tcp;
constexpr auto use_tuple = asio::as_tuple(asio::use_awaitable);

asio::awaitable<void> serve(tcp::socket socket, std::chrono::microseconds delay) {
  boost::beast::flat_buffer buffer;
  asio::steady_timer timer(socket.get_executor());
  for (;;) {
    http::request<http::string_body> request;
    if (auto [ec, n] = co_await http::async_read(socket, buffer, request, use_tuple); ec) co_return;
    if (delay.count() > 0) {
      timer.expires_after(delay);
      co_await timer.async_wait(use_tuple);
    }
    http::response<http::string_body> response{http::status::ok, request.version()};
    response.set(http::field::content_type, "text/plain");
    response.keep_alive(request.keep_alive());
    response.body() = "ok\n";
    response.prepare_payload();
    if (auto [ec, n] = co_await http::async_write(socket, response, use_tuple); ec || !response.keep_alive()) co_return;
  }
}

asio::awaitable<void> listen(tcp::acceptor& acceptor, std::chrono::microseconds delay) {
  for (;;) {
    auto [ec, socket] = co_await acceptor.async_accept(use_tuple);
    if (ec) continue;
    socket.set_option(tcp::no_delay(true));
    asio::co_spawn(acceptor.get_executor(), serve(std::move(socket), delay), asio::detached);
  }
}

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: %s PORT [DELAY_MS]\n", argv[0]);
    return 2;
  }
  const auto port = static_cast<unsigned short>(std::atoi(argv[1]));
  const auto delay = std::chrono::microseconds(argc > 2 ? static_cast<long>(std::atof(argv[2]) * 1000) : 0);
  asio::io_context io(1);
  tcp::acceptor acceptor(io, {asio::ip::make_address("127.0.0.1"), port});
  asio::co_spawn(io, listen(acceptor, delay), asio::detached);
  io.run();
}
