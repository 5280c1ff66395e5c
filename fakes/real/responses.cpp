#include "fakes/real/responses.hpp"

#include <iterator>

#include <boost/beast/http/status.hpp>
#include <fmt/format.h>

namespace squall::fakes::real {
namespace {

std::string_view reason(int status) {
  const auto r = boost::beast::http::obsolete_reason(static_cast<boost::beast::http::status>(status));
  return {r.data(), r.size()};
}

}  // namespace

canned_responses::canned_responses() {
  for (int s = status_min; s <= status_max; ++s) {
    const std::string body = fmt::format("{} {}\n", s, reason(s));
    for (const bool close : {false, true}) {
      std::string& out = bytes_[static_cast<std::size_t>(s - status_min) * 2 + (close ? 1 : 0)];
      format_response(out, s, "text/plain", body, close);
    }
  }
}

std::string_view canned_responses::plain(int status, bool close) const {
  if (status < status_min || status > status_max) status = 500;
  return bytes_[static_cast<std::size_t>(status - status_min) * 2 + (close ? 1 : 0)];
}

void format_response(std::string& out, int status, std::string_view content_type, std::string_view body,
                     bool close, stack::duration retry_after) {
  out.clear();
  auto it = std::back_inserter(out);
  fmt::format_to(it, "HTTP/1.1 {} {}\r\nContent-Type: {}\r\nContent-Length: {}\r\n", status, reason(status),
                 content_type, body.size());
  if (retry_after.count() > 0) {
    const std::int64_t seconds = (retry_after.count() + 999'999'999) / 1'000'000'000;
    fmt::format_to(it, "Retry-After: {}\r\n", seconds);
  }
  if (close) out += "Connection: close\r\n";
  out += "\r\n";
  out += body;
}

}  // namespace squall::fakes::real
