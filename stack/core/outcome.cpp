#include "stack/core/outcome.hpp"

namespace squall::stack {

const char* to_string(attempt_kind k) {
  switch (k) {
    case attempt_kind::response: return "response";
    case attempt_kind::timeout: return "timeout";
    case attempt_kind::reset: return "reset";
    case attempt_kind::connect_failure: return "connect_failure";
  }
  return "?";
}

}  // namespace squall::stack
