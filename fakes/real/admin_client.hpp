#pragma once
// A blocking client for a running `squall fake http`'s admin API, for `squall run --real` to play a scenario's
// faults on a dependency given by url when that url is a squall fake (docs/real-mode.md).
#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

#include <boost/asio/ip/tcp.hpp>

#include "fakes/http_config.hpp"

namespace squall::fakes::real {

struct admin_target {
  boost::asio::ip::tcp::endpoint endpoint;
  std::string host;  // the Host header
  std::chrono::milliseconds timeout{2000};
};

// Whether the server answers GET /__squall/ as a squall fake http. False for any other server, or none.
bool is_squall_fake(const admin_target& target);

// Posts each fault (times counted from now, target left out) and returns the ids the server gave them. Throws
// std::runtime_error with the server's error when one is refused or the server cannot be reached.
std::vector<std::uint64_t> post_faults(const admin_target& target, const std::vector<fault_config>& faults);

}  // namespace squall::fakes::real
