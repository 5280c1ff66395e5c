#pragma once
// The fencing storage of a real run shared by all its processes (Kleppmann's fenced resource): the highest token
// accepted per resource, kept in a Redis by a Lua script so that "compare with the highest, raise it" is atomic
// across processes. Each `squall worker` process keeps its own fakes::ledger (ground truth of its own effects);
// before one applies a fenced effect it asks this store for the highest token any process accepted, so a stale
// token is refused whichever process saw the newer one (docs/real-mode-jobs.md, "The ledger").
//
// Use a Redis the run's faults do not touch (`squall worker --ledger-redis`): the downstream system is not the
// lock store, and a paused or restarted lock store must not stall or forget the ground truth.
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "net/blocking_redis.hpp"

namespace squall::net {

class shared_fence {
 public:
  // Connects (blocking, bounded by `timeout`); throws std::runtime_error when it cannot. Keys are
  // <key_prefix>fenced:<resource>.
  shared_fence(const std::string& host, std::uint16_t port, std::string key_prefix,
               std::chrono::milliseconds timeout = std::chrono::milliseconds(2000));

  // Atomically: returns the highest token accepted for `resource` before this call (0: none), and raises it to
  // `token` when `token` is not lower. nullopt when the store did not answer (the caller fences locally only);
  // the connection is re-made on the next call.
  std::optional<std::uint64_t> check_and_raise(std::string_view resource, std::uint64_t token);

  std::uint64_t errors() const { return errors_; }

 private:
  std::string host_;
  std::uint16_t port_;
  std::string key_prefix_;
  std::chrono::milliseconds timeout_;
  blocking_context context_;
  std::uint64_t errors_ = 0;
};

}  // namespace squall::net
