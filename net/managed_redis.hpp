#pragma once
// A redis-server that squall starts and stops itself (issue 5, `redis: "managed"`): a child process on a free
// loopback port, in a fresh temp dir, with the scenario's persistence mode, so real-mode faults are real: SIGKILL,
// restart with whatever the persistence kept, CLIENT PAUSE.
//
// Spawned with posix_spawnp (no shell), stdin from /dev/null, its log in <dir>/redis.log. start() and restart()
// return once the server answers PING with PONG (the AOF is replayed by then), or throw after start_timeout with
// the log's tail. Control calls (the PING wait, pause_clients, admin) use hiredis's blocking client on short-lived
// connections, so they never share a connection with the traffic under test.
//
// Persistence, matching the simulated store (fakes/kv_store.hpp):
//   none          no AOF, no RDB snapshots: a SIGKILL loses everything.
//   aof_everysec  appendonly yes, appendfsync everysec: a SIGKILL of the process loses nothing the kernel
//                 received (the page cache survives), an OS crash would lose up to a second.
//   aof_always    appendonly yes, appendfsync always: every acknowledged write is on disk.
#include <sys/types.h>

#include <cstdint>
#include <initializer_list>
#include <string>
#include <string_view>

#include "stack/core/time.hpp"

namespace squall::net {

// net/ does not depend on fakes/: the same names as fakes::kv_persistence, mapped by the runner.
enum class redis_persistence : std::uint8_t { none, aof_everysec, aof_always };

struct managed_redis_config {
  redis_persistence persistence = redis_persistence::none;
  std::string executable = "redis-server";  // looked up in PATH unless it contains '/'
  stack::duration start_timeout = std::chrono::seconds(10);
  stack::duration stop_timeout = std::chrono::seconds(5);  // SIGTERM, then SIGKILL after this
};

class managed_redis {
 public:
  // Picks a free port, makes the temp dir and starts the server (throws std::runtime_error on failure).
  explicit managed_redis(managed_redis_config config = {});
  ~managed_redis();  // stops the server and removes the dir
  managed_redis(const managed_redis&) = delete;
  managed_redis& operator=(const managed_redis&) = delete;

  // SIGKILL, and wait for the process to be gone. No-op when not running.
  void kill();
  // Starts the server again on the same port and dir (stopping it first if running): the AOF, if any, is
  // replayed before this returns.
  void restart();
  // SIGTERM (graceful: the AOF is flushed), SIGKILL after stop_timeout. No-op when not running.
  void stop();
  // CLIENT PAUSE ms: every client's commands wait (are not refused) until the pause ends.
  void pause_clients(stack::duration d);
  // Runs one command on a fresh blocking connection; returns the reply as text (status, string, integer as
  // decimal, nil as "(nil)", arrays as their element count). Throws on an error reply or no connection.
  std::string admin(std::initializer_list<std::string_view> args) const;

  bool running() const { return pid_ > 0; }
  std::uint16_t port() const { return port_; }
  const std::string& host() const { return host_; }
  const std::string& dir() const { return dir_; }
  pid_t pid() const { return pid_; }
  const managed_redis_config& config() const { return config_; }

 private:
  void spawn();
  void wait_ready();
  bool reap(stack::duration within);
  std::string log_tail() const;

  managed_redis_config config_;
  std::string host_ = "127.0.0.1";
  std::uint16_t port_ = 0;
  std::string dir_;
  pid_t pid_ = -1;
};

// Finds a free loopback TCP port by binding port 0 (the usual small race: it is free when this returns).
std::uint16_t free_loopback_port();

const char* to_string(redis_persistence p);

}  // namespace squall::net
