#pragma once
// `jobs.store.redis` and `squall worker --redis`: redis://host:port (or host:port). Header-only, so the scenario
// parser can check it without linking the real-mode world.
#include <charconv>
#include <cstdint>
#include <stdexcept>
#include <string>
#include <string_view>

namespace squall::runner {

// "redis://host:port", "host:port" → host and port; throws std::invalid_argument with what is wrong.
inline void parse_redis_url(const std::string& url, std::string& host, std::uint16_t& port) {
  std::string_view rest = url;
  if (rest.starts_with("redis://")) rest.remove_prefix(8);
  if (const auto slash = rest.find('/'); slash != std::string_view::npos) rest = rest.substr(0, slash);
  const auto colon = rest.rfind(':');
  if (colon == std::string_view::npos || colon == 0) {
    throw std::invalid_argument("redis URL '" + url + "': expected redis://host:port");
  }
  const std::string_view p = rest.substr(colon + 1);
  unsigned value = 0;
  const auto [end, ec] = std::from_chars(p.data(), p.data() + p.size(), value);
  if (ec != std::errc{} || end != p.data() + p.size() || value == 0 || value > 65535) {
    throw std::invalid_argument("redis URL '" + url + "': bad port '" + std::string(p) + "'");
  }
  host = std::string(rest.substr(0, colon));
  port = static_cast<std::uint16_t>(value);
}

}  // namespace squall::runner
