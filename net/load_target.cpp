#include "net/load_target.hpp"

#include <charconv>
#include <stdexcept>

#include <boost/asio/io_context.hpp>
#include <fmt/format.h>

namespace squall::net {

namespace {

[[noreturn]] void bad(std::string_view url, std::string_view why) {
  throw std::invalid_argument(fmt::format("URL '{}': {}", url, why));
}

}  // namespace

load_target parse_load_url(std::string_view url) {
  load_target t;
  t.url = std::string(url);
  constexpr std::string_view scheme = "http://";
  if (url.starts_with("https://")) bad(url, "https is not supported (squall load speaks plain HTTP/1.1)");
  if (!url.starts_with(scheme)) bad(url, "must start with http://");
  std::string_view rest = url.substr(scheme.size());
  const std::size_t path_at = rest.find_first_of("/?#");
  std::string_view authority = rest.substr(0, path_at);
  if (path_at != std::string_view::npos) {
    std::string_view path = rest.substr(path_at);
    if (const std::size_t hash = path.find('#'); hash != std::string_view::npos) path = path.substr(0, hash);
    if (!path.empty()) t.path = path.front() == '/' ? std::string(path) : "/" + std::string(path);
  }
  for (const char ch : t.path) {
    if (static_cast<unsigned char>(ch) <= 0x20 || ch == 0x7f) bad(url, "the path has a space or control character");
  }
  if (authority.find('@') != std::string_view::npos) bad(url, "user info (user@host) is not supported");
  if (authority.empty()) bad(url, "no host");
  t.host_header = std::string(authority);
  std::string_view port;
  if (authority.front() == '[') {
    const std::size_t close = authority.find(']');
    if (close == std::string_view::npos) bad(url, "unterminated [IPv6] host");
    t.host = std::string(authority.substr(1, close - 1));
    std::string_view after = authority.substr(close + 1);
    if (!after.empty()) {
      if (after.front() != ':') bad(url, "unexpected characters after ]");
      port = after.substr(1);
    }
  } else {
    const std::size_t colon = authority.find(':');
    t.host = std::string(authority.substr(0, colon));
    if (colon != std::string_view::npos) port = authority.substr(colon + 1);
  }
  if (t.host.empty()) bad(url, "no host");
  if (authority.find(':') != std::string_view::npos && authority.front() != '[' && port.empty()) {
    bad(url, "empty port");
  }
  if (!port.empty()) {
    unsigned value = 0;
    const auto [end, ec] = std::from_chars(port.data(), port.data() + port.size(), value);
    if (ec != std::errc{} || end != port.data() + port.size() || value == 0 || value > 65535) {
      bad(url, fmt::format("port '{}' is not a number in 1..65535", port));
    }
    t.port = static_cast<std::uint16_t>(value);
  }
  return t;
}

boost::asio::ip::tcp::endpoint resolve_load_target(const load_target& target, bool allow_remote) {
  boost::asio::io_context io;
  boost::asio::ip::tcp::resolver resolver(io);
  boost::system::error_code ec;
  const auto results = resolver.resolve(target.host, std::to_string(target.port),
                                        boost::asio::ip::tcp::resolver::numeric_service, ec);
  if (ec || results.empty()) {
    throw std::invalid_argument(fmt::format("URL '{}': host '{}' does not resolve: {}", target.url, target.host,
                                            ec ? ec.message() : "no address"));
  }
  if (!allow_remote) {
    for (const auto& r : results) {
      if (!r.endpoint().address().is_loopback()) {
        throw std::invalid_argument(fmt::format(
            "URL '{}': {} is not a loopback address; squall load only targets this machine unless "
            "--allow-remote is given (load aimed at the wrong host is a denial of service)",
            target.url, r.endpoint().address().to_string()));
      }
    }
  }
  return results.begin()->endpoint();
}

}  // namespace squall::net
