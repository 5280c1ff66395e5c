#pragma once
// One pipelined TCP connection to Redis over Boost.Asio (issue 5). Single-threaded: every call and every callback
// happens on the thread running the caller's io_context.
//
// Commands are written as RESP arrays, batched: those issued in the same handler (say, by the callbacks of one
// read's replies) or while a write is in flight go out together in one write (measured: 10-30 % less client CPU
// per command with 50 clients on one connection, bench/net_redis.cpp). Replies, parsed by hiredis's redisReader, are matched to callbacks in
// FIFO order, as Redis answers them. Each callback runs exactly once, never inside command() itself (immediate
// failures are posted to the io_context):
//   ok           a reply arrived: `reply` holds it (an error reply such as -NOSCRIPT or -LOADING is still ok here;
//                check reply.type)
//   timeout      no reply before the command's deadline. The command stays in the FIFO and may still run on the
//                server; its late reply is read and dropped, so later replies keep matching their commands.
//   unavailable  the command was never sent: not connected (refused, or waiting out the reconnect backoff), or
//                max_outstanding commands were already waiting for replies.
//   lost         sent, then the connection closed before its reply: it may or may not have run (a SIGKILLed
//                server, a reset). redis_kv reports it as `timeout`, the stack's word for indeterminate.
//
// Connecting is lazy: the first command connects. When a connect fails or the connection closes, every waiting
// command fails (unavailable or lost) and new commands fail as unavailable until the reconnect backoff has passed
// (doubling from reconnect_backoff_min to reconnect_backoff_max, reset by a successful connect); the first command
// after it connects again. No background work runs while idle, so an io_context with only an idle connection
// has nothing to do.
//
// Destroying the connection drops the callbacks of pending commands without calling them.
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <initializer_list>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include <boost/asio/io_context.hpp>

#include "stack/core/time.hpp"

namespace squall::net {

// A Redis reply, owned (copied out of hiredis's redisReply).
struct redis_reply {
  enum class kind : std::uint8_t { nil, status, error, string, integer, array };
  kind type = kind::nil;
  std::string str;                    // status, error, string
  std::int64_t integer = 0;           // integer
  std::vector<redis_reply> elements;  // array

  bool is_error() const { return type == kind::error; }
};

enum class redis_status : std::uint8_t { ok, timeout, unavailable, lost };

struct redis_result {
  redis_status status = redis_status::ok;
  redis_reply reply;  // meaningful when status == ok
};

using redis_callback = std::function<void(redis_result&& result)>;

struct redis_connection_config {
  std::string host = "127.0.0.1";  // an IP address or a name (resolved, blocking, when connecting)
  std::uint16_t port = 6379;
  // Commands sent and not yet answered (timed-out ones included, until their late reply or the connection's end).
  // Beyond it new commands fail as unavailable: a stalled server cannot make the client queue without bound.
  std::size_t max_outstanding = 4096;
  stack::duration connect_timeout = std::chrono::seconds(1);
  stack::duration reconnect_backoff_min = std::chrono::milliseconds(10);
  stack::duration reconnect_backoff_max = std::chrono::seconds(1);
};

struct redis_connection_stats {
  std::uint64_t commands = 0;      // issued
  std::uint64_t replies = 0;       // replies read (late ones included)
  std::uint64_t timeouts = 0;      // callbacks that got timeout
  std::uint64_t late_replies = 0;  // replies to timed-out commands, dropped
  std::uint64_t unavailable = 0;   // callbacks that got unavailable
  std::uint64_t lost = 0;          // callbacks that got lost
  std::uint64_t connects = 0;      // successful connects
  std::uint64_t connect_failures = 0;
  std::uint64_t disconnects = 0;   // established connections that closed or failed
};

class redis_connection {
 public:
  redis_connection(boost::asio::io_context& io, redis_connection_config config);
  ~redis_connection();
  redis_connection(const redis_connection&) = delete;
  redis_connection& operator=(const redis_connection&) = delete;

  // Sends one command (its arguments as bulk strings: {"SET", "k", "v", "NX", "PX", "100"}); `done` runs once
  // with the reply, or timeout after `timeout` from now, or unavailable / lost (see above).
  void command(std::initializer_list<std::string_view> args, stack::duration timeout, redis_callback done);
  void command(const std::vector<std::string>& args, stack::duration timeout, redis_callback done);

  // Starts connecting now instead of at the first command (no-op when connected, connecting or backing off).
  void connect();
  // Closes the connection now: waiting commands get lost/unavailable; the next command reconnects at once.
  void close();

  bool connected() const;
  // Commands sent (or queued to send) and not yet answered.
  std::size_t outstanding() const;
  const redis_connection_stats& stats() const;
  const redis_connection_config& config() const;

 private:
  class impl;
  std::shared_ptr<impl> impl_;  // shared with in-flight Asio handlers, which outlive a destroyed connection
};

const char* to_string(redis_status s);

}  // namespace squall::net
