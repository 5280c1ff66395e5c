#pragma once
// The vocabulary between the stack and a Redis-like key-value store (DESIGN.md §2 "send-kv"). The simulated
// store (fakes/kv_store) and, later, the real Redis connection (net/) both speak it. The owner-checked commands
// stand in for the Lua scripts a real client would run (compare-and-delete, compare-and-extend).
#include <cstdint>
#include <string>

#include "stack/core/time.hpp"

namespace squall::stack {

enum class kv_op : std::uint8_t {
  set_nx_px,         // SET key value NX PX ttl          → ok (set) | nil (exists)
  set_px,            // SET key value PX ttl (ttl 0: no expiry) → ok
  get,               // GET key                          → ok + value | nil
  del,               // DEL key                          → ok + integer (keys removed)
  pexpire,           // PEXPIRE key ttl                  → ok + integer (1 if the key exists)
  incr,              // INCR key                         → ok + integer (new value)
  del_if_owner,      // if GET key == value then DEL     → ok + integer (1 deleted, 0 not owner/missing)
  pexpire_if_owner,  // if GET key == value then PEXPIRE → ok + integer (1 extended, 0 not owner/missing)
};

struct kv_command {
  kv_op op = kv_op::get;
  std::string key;
  std::string value;   // set_*, *_if_owner: the value / owner token to compare
  duration ttl{0};     // set_*_px, pexpire*: time to live as judged by the store's clock
};

enum class kv_status : std::uint8_t {
  ok,           // the command ran; see value / integer
  nil,          // the key does not exist (GET) or NX refused (SET NX)
  unavailable,  // the store refused the connection (restarting, unavailable, partitioned)
  timeout,      // no answer within the client's deadline: the command may or may not have run
};

struct kv_reply {
  kv_status status = kv_status::ok;
  std::string value;
  std::int64_t integer = 0;
};

const char* to_string(kv_op op);
const char* to_string(kv_status s);

}  // namespace squall::stack
