#pragma once
// hiredis's blocking client, for control calls off the event loops: managed_redis's PING wait and admin commands,
// and the shared fencing store (net::shared_fence). Every call is bounded by the timeout given at connect.
#include <chrono>
#include <cstdint>
#include <initializer_list>
#include <memory>
#include <string>
#include <string_view>

struct redisContext;
struct redisReply;

namespace squall::net {

struct blocking_context_deleter {
  void operator()(redisContext* c) const;
};
struct blocking_reply_deleter {
  void operator()(redisReply* r) const;
};
using blocking_context = std::unique_ptr<redisContext, blocking_context_deleter>;
using blocking_reply = std::unique_ptr<redisReply, blocking_reply_deleter>;

// nullptr when it cannot connect within `timeout`; later commands time out after it too.
blocking_context connect_blocking(const std::string& host, std::uint16_t port, std::chrono::milliseconds timeout);
// nullptr when the command failed (the connection broke or timed out: the context is then unusable).
blocking_reply run_blocking(redisContext& c, std::initializer_list<std::string_view> args);

}  // namespace squall::net
