#include "net/shared_fence.hpp"

#include <hiredis/hiredis.h>

#include <stdexcept>
#include <utility>

#include <fmt/format.h>

namespace squall::net {

namespace {

// KEYS[1] the resource's key, ARGV[1] the token. Tokens stay below 2^53, exact in Lua's numbers for the
// comparison; the stored text is returned as it is (Lua's tostring would print large numbers with an exponent).
constexpr std::string_view check_and_raise_script = R"(
local highest = redis.call('GET', KEYS[1]) or '0'
if tonumber(ARGV[1]) >= tonumber(highest) then redis.call('SET', KEYS[1], ARGV[1]) end
return highest)";

}  // namespace

shared_fence::shared_fence(const std::string& host, std::uint16_t port, std::string key_prefix,
                           std::chrono::milliseconds timeout)
    : host_(host), port_(port), key_prefix_(std::move(key_prefix)), timeout_(timeout),
      context_(connect_blocking(host, port, timeout)) {
  if (!context_) throw std::runtime_error(fmt::format("cannot reach the ledger's Redis at {}:{}", host, port));
}

std::optional<std::uint64_t> shared_fence::check_and_raise(std::string_view resource, std::uint64_t token) {
  if (!context_) context_ = connect_blocking(host_, port_, timeout_);
  if (context_) {
    const std::string key = key_prefix_ + "fenced:" + std::string(resource);
    const std::string value = std::to_string(token);
    const blocking_reply r = run_blocking(*context_, {"EVAL", check_and_raise_script, "1", key, value});
    if (r && r->type == REDIS_REPLY_STRING) return std::stoull(std::string(r->str, r->len));
    if (!r) context_.reset();  // broken or timed out: replies would no longer match commands
  }
  ++errors_;
  return std::nullopt;
}

}  // namespace squall::net
