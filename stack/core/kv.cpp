#include "stack/core/kv.hpp"

namespace squall::stack {

const char* to_string(kv_op op) {
  switch (op) {
    case kv_op::set_nx_px: return "set_nx_px";
    case kv_op::set_px: return "set_px";
    case kv_op::get: return "get";
    case kv_op::del: return "del";
    case kv_op::pexpire: return "pexpire";
    case kv_op::incr: return "incr";
    case kv_op::del_if_owner: return "del_if_owner";
    case kv_op::pexpire_if_owner: return "pexpire_if_owner";
  }
  return "?";
}

const char* to_string(kv_status s) {
  switch (s) {
    case kv_status::ok: return "ok";
    case kv_status::nil: return "nil";
    case kv_status::unavailable: return "unavailable";
    case kv_status::timeout: return "timeout";
  }
  return "?";
}

}  // namespace squall::stack
