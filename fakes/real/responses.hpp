#pragma once
// The bytes of the fake server's responses. The model's plain answers (a status, maybe Retry-After) are
// serialised once at startup, so answering a request copies no header and allocates nothing.
#include <array>
#include <string>
#include <string_view>

#include "stack/core/time.hpp"

namespace squall::fakes::real {

class canned_responses {
 public:
  canned_responses();
  // "HTTP/1.1 <status> <reason>" with a short text body; `close` adds "Connection: close".
  std::string_view plain(int status, bool close) const;

 private:
  static constexpr int status_min = 100, status_max = 599;
  std::array<std::string, (status_max - status_min + 1) * 2> bytes_;
};

// A response with `body` of `content_type` (and Retry-After in whole seconds, rounded up, when retry_after > 0),
// written into `out` (its capacity is reused across requests).
void format_response(std::string& out, int status, std::string_view content_type, std::string_view body,
                     bool close, stack::duration retry_after = {});

}  // namespace squall::fakes::real
