#pragma once
// The stack's KV vocabulary (stack/core/kv.hpp) over a real Redis: what job_port::send_kv does in real mode.
// Replies mean what the simulated store's do (fakes/kv_store.hpp):
//   set_nx_px  SET key value NX PX ttl (ttl 0: SET key value NX)   → ok | nil
//   set_px     SET key value PX ttl (ttl 0: SET key value)          → ok
//   get        GET key                                              → ok + value | nil
//   del        DEL key                                              → ok + integer
//   pexpire    PEXPIRE key ttl (ttl <= 0 deletes, answers 1)        → ok + integer
//   incr       INCR key                                             → ok + integer
//   del_if_owner / pexpire_if_owner: the Lua compare-and-delete / compare-and-extend below, by EVALSHA (the SHA
//     from SCRIPT LOAD, sent on first use); until the SHA is known, and whenever Redis answers NOSCRIPT (a
//     restart without persistence, SCRIPT FLUSH), the same command is sent as EVAL within the same deadline.
//                                                                   → ok + integer (1 acted, 0 not owner/missing)
// TTLs go to Redis in whole milliseconds, rounded up (a 0.5 ms TTL is 1 ms, never "no expiry").
//
// Failures: the connection's `unavailable` → unavailable (the command was not sent); its `timeout` and `lost`
// (sent, no answer: it may have run) → timeout, the stack's indeterminate outcome. An error reply (-LOADING
// while the AOF replays after a restart, -BUSY, INCR of a non-integer, ...) → unavailable: Redis refused the
// command before running it, which is what `unavailable` means to the stack. An unexpected reply type counts as
// an error too.
#include <cstdint>
#include <initializer_list>
#include <string>
#include <string_view>
#include <vector>

#include <boost/asio/io_context.hpp>

#include "net/redis_connection.hpp"
#include "stack/core/kv.hpp"
#include "stack/core/time.hpp"
#include "stack/worker/job_ports.hpp"

namespace squall::net {

struct redis_kv_stats {
  std::uint64_t sent = 0;              // kv commands given to send()
  std::uint64_t error_replies = 0;     // error or unexpected replies answered as unavailable
  std::uint64_t noscript_fallbacks = 0;  // EVALSHA answered NOSCRIPT, resent as EVAL
};

class redis_kv {
 public:
  static constexpr std::string_view del_if_owner_script =
      "if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) else return 0 end";
  static constexpr std::string_view pexpire_if_owner_script =
      "if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('pexpire', KEYS[1], ARGV[2]) "
      "else return 0 end";

  redis_kv(boost::asio::io_context& io, redis_connection_config config);

  // Runs `command`; `done` is called exactly once (never inside send) with the reply, or timeout after
  // `timeout`, or unavailable (see above).
  void send(const stack::kv_command& command, stack::duration timeout, stack::worker::kv_handler done);

  // Any other Redis command on the same connection (see redis_connection::command).
  void command(std::initializer_list<std::string_view> args, stack::duration timeout, redis_callback done) {
    connection_.command(args, timeout, std::move(done));
  }
  void command(const std::vector<std::string>& args, stack::duration timeout, redis_callback done) {
    connection_.command(args, timeout, std::move(done));
  }

  redis_connection& connection() { return connection_; }
  const redis_kv_stats& stats() const { return stats_; }

 private:
  struct script {
    std::string_view source;
    std::string sha;  // empty until SCRIPT LOAD answered
    bool loading = false;
  };

  void send_plain(const stack::kv_command& c, stack::duration timeout, stack::worker::kv_handler done);
  void send_script(const stack::kv_command& c, stack::duration timeout, stack::worker::kv_handler done,
                   bool by_sha);
  void load(script& s);
  stack::kv_reply translate(stack::kv_op op, const redis_result& r);

  redis_connection connection_;
  script del_if_owner_{del_if_owner_script, {}, false};
  script pexpire_if_owner_{pexpire_if_owner_script, {}, false};
  redis_kv_stats stats_;
};

// A TTL as Redis's PX/PEXPIRE argument: whole milliseconds, rounded up.
std::int64_t redis_ttl_ms(stack::duration ttl);

}  // namespace squall::net
