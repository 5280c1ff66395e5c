#include "net/blocking_redis.hpp"

#include <hiredis/hiredis.h>
#include <sys/time.h>

#include <vector>

namespace squall::net {

void blocking_context_deleter::operator()(redisContext* c) const { redisFree(c); }
void blocking_reply_deleter::operator()(redisReply* r) const { freeReplyObject(r); }

blocking_context connect_blocking(const std::string& host, std::uint16_t port, std::chrono::milliseconds timeout) {
  timeval tv{};
  tv.tv_sec = static_cast<time_t>(timeout.count() / 1000);
  tv.tv_usec = static_cast<suseconds_t>((timeout.count() % 1000) * 1000);
  blocking_context c(redisConnectWithTimeout(host.c_str(), port, tv));
  if (!c || c->err != 0) return nullptr;
  redisSetTimeout(c.get(), tv);
  return c;
}

blocking_reply run_blocking(redisContext& c, std::initializer_list<std::string_view> args) {
  std::vector<const char*> argv;
  std::vector<std::size_t> lens;
  for (auto a : args) {
    argv.push_back(a.data());
    lens.push_back(a.size());
  }
  return blocking_reply(static_cast<redisReply*>(
      redisCommandArgv(&c, static_cast<int>(argv.size()), argv.data(), lens.data())));
}

}  // namespace squall::net
