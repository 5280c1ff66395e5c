#pragma once
// The target of `squall load`: an http:// URL parsed, resolved, and checked against the loopback-only rule.
#include <cstdint>
#include <string>
#include <string_view>

#include <boost/asio/ip/tcp.hpp>

namespace squall::net {

struct load_target {
  std::string url;
  std::string host;        // without brackets for IPv6
  std::uint16_t port = 80;
  std::string path = "/";  // with the query, if any
  std::string host_header; // host[:port] as the URL gave it
};

// http://HOST[:PORT][/PATH][?QUERY]; throws std::invalid_argument saying what is wrong.
load_target parse_load_url(std::string_view url);

// The first address HOST resolves to. Unless `allow_remote`, every address it resolves to must be loopback
// (127.0.0.0/8, ::1): a load test aimed at the wrong host is a denial of service, so reaching beyond this
// machine takes an explicit flag. Throws std::invalid_argument when it does not resolve or is not allowed.
boost::asio::ip::tcp::endpoint resolve_load_target(const load_target& target, bool allow_remote);

}  // namespace squall::net
