#pragma once
// A simulated Redis server (issue 3, "fakes/kv"): a deterministic, sans-IO model that executes the stack's
// kv_command vocabulary (stack/core/kv.hpp) and computes each reply and the time it arrives up front, as
// fakes/http_service does for HTTP.
//
// Execution. Commands are applied atomically, one at a time, in call order, at the true time they arrive
// (`true_now`, which must never go backwards: the simulator calls in time order). The reply arrives at
// true_now + a latency drawn from `latency` (processing plus round trip); each draw is independent. A fault
// that starts after a command was applied does not recall its reply: the command ran and its answer was sent.
//
// Time to live. TTLs are judged by the store's own clock (a sim::node_clock: offset, drift, jumps), because
// Redis compares absolute expiry times with its wall clock. A key set with ttl at store time S expires at
// store time S + ttl and is gone from that instant on: its life is [S, S + ttl). (Redis at millisecond
// resolution still shows the key during the millisecond S + ttl; the half-open choice errs toward the early
// expiry that makes locks unsafe, which is what the harness hunts.) So a forward jump of the store clock
// expires keys early, a fast drift shortens every TTL in true time, and a backward jump lengthens TTLs not yet
// elapsed. Expired keys are purged at every command, before it runs, through an index ordered by expiry:
// memory holds only keys live at the last command (a key whose expiry passed is never revived by a later
// backward jump once a command has observed it expired; between commands it can be, as in Redis before its
// expiry cycle reaches the key).
//
// Commands (Redis-compatible, per kv.hpp):
//   set_nx_px  sets only when the key is absent (an expired key is absent) → ok | nil
//   set_px     always sets, replacing value and TTL → ok
//   (both: ttl 0 = no expiry; a negative ttl is a model bug and aborts)
//   get        → ok + value | nil;  del → ok + 0/1
//   pexpire    → ok + 1 when the key exists (new expiry = store now + ttl), else 0; ttl <= 0 deletes the key
//              and still answers 1, as Redis does
//   incr       missing key: starts from 0 and has no TTL; existing key: keeps its TTL → ok + new value.
//              INCR of a value that is not a canonical 64-bit integer, or past INT64_MAX, aborts: Redis would
//              answer an error, which kv_status cannot express, and the stack only INCRs its own counters, so
//              it can only be a model bug, never user input.
//   del_if_owner / pexpire_if_owner: act only when the key is live and its value equals command.value
//              (the Lua compare-and-delete / compare-and-extend) → ok + 1 acted, 0 not owner or missing.
//
// Faults (the world calls these at the planned true times):
//   restart(now, downtime): the server crashes at `now` and refuses every command in [now, now + downtime);
//     data comes back per persistence (the restored state is fixed at the crash):
//       none          → empty.
//       aof_always    → everything acknowledged before the crash.
//       aof_everysec  → the state as of crash − 1 s: every write executed in (crash − 1 s, crash] is lost,
//                       including DELs (deleted keys come back) and TTL changes. This is the worst case of an
//                       OS crash or power loss with fsync once a second, chosen because it is deterministic
//                       and its boundary is testable; a write at exactly crash − 1 s survives. Implemented as
//                       an undo log: each write of the last second keeps the entry it replaced, and a crash
//                       rolls them back newest first (then purges what has expired meanwhile).
//     TTLs keep counting on the store clock through the downtime (expiries are absolute).
//     A fencing counter is just an INCR key here, so it loses increments exactly like any other write.
//   set_unavailable(from, to): commands in [from, to) are refused, data intact (CLIENT PAUSE, or a partition
//     from every client). May be planned ahead of time.
//   clock(): the store's node clock, for the world to jump or skew.
//   A refused command answers `unavailable` after 1 ms (connection refused). Partitions between particular
//   client nodes and the store are the runtime's business, not the store's.
//
// Memory. The live keyspace holds the live key space (expired keys are purged at every command). aof_everysec
// adds an undo journal of the writes of the last second: O(live keys + writes per second), never O(run
// length), and a restart costs O(writes in the last second), not O(keys).
#include <cstddef>
#include <cstdint>
#include <deque>
#include <optional>
#include <string>
#include <vector>

#include "fakes/http_config.hpp"
#include "fakes/kv_keyspace.hpp"
#include "sim/node_clock.hpp"
#include "sim/rng.hpp"
#include "stack/core/kv.hpp"
#include "stack/core/time.hpp"

namespace squall::fakes {

enum class kv_persistence : std::uint8_t { none, aof_everysec, aof_always };

struct kv_store_config {
  // A Redis command on a LAN: about half a millisecond, with a modest tail.
  latency_config latency{.dist = latency_dist::lognormal, .median_ms = 0.5, .sigma = 0.3};
  kv_persistence persistence = kv_persistence::aof_everysec;
  sim::node_clock clock;  // the store's wall clock, which judges TTLs
};

struct kv_result {
  bool answers = true;  // always true today: every command is answered (refusals too); false is for hangs
  stack::instant at;    // true time the reply reaches the client
  stack::kv_reply reply;
};

struct kv_store_stats {
  std::uint64_t commands_executed = 0;  // reached the data (ok or nil)
  std::uint64_t commands_refused = 0;   // answered unavailable (down or paused)
  std::uint64_t keys_expired = 0;       // purged from the live data because their TTL elapsed
  std::uint64_t restarts = 0;
  std::uint64_t keys_lost_last_restart = 0;      // live at the crash, absent after it
  std::uint64_t keys_reverted_last_restart = 0;  // back with an older value or TTL, or back after a lost DEL
  std::size_t keys_live = 0;                     // in memory as of the last command or fault
  std::size_t journal_writes = 0;                // aof_everysec: writes of the last second, which a crash loses
};

class kv_store {
 public:
  // The latency drawn for a refused connection.
  static constexpr stack::duration refuse_latency{1'000'000};
  // aof_everysec: writes younger than this at a crash are lost.
  static constexpr stack::duration fsync_lag{1'000'000'000};

  kv_store(kv_store_config config, sim::rng rng);

  kv_result execute(stack::instant true_now, const stack::kv_command& command);
  void restart(stack::instant true_now, stack::duration downtime);
  void set_unavailable(stack::instant from, stack::instant to);

  sim::node_clock& clock() { return clock_; }
  const sim::node_clock& clock() const { return clock_; }
  kv_store_stats stats() const;

 private:
  struct window {
    stack::instant from, to;
  };
  // One write as it changed the data: the entry it replaced (nullopt: the key was absent), so a crash can
  // undo it. Recording effects, not commands, keeps the undo independent of the clock (the AOF also logs
  // absolute expiries).
  struct write_effect {
    stack::instant at;  // true time it executed
    std::string key;
    std::optional<kv_entry> before;
  };

  void advance(stack::instant true_now);
  bool refusing(stack::instant true_now) const;
  stack::kv_reply apply(stack::instant true_now, const stack::kv_command& command);
  stack::kv_reply incr(stack::instant true_now, const std::string& key);
  stack::kv_reply extend(stack::instant true_now, stack::instant store_now, const std::string& key,
                         stack::duration ttl);
  void write(stack::instant true_now, const std::string& key, std::optional<kv_entry> after);
  void forget_journal(stack::instant through);
  void undo_journal(stack::instant true_now);

  kv_store_config config_;
  sim::rng rng_;
  sim::node_clock clock_;
  kv_keyspace live_;
  std::deque<write_effect> journal_;   // aof_everysec only: writes of the last second, in execution order
  std::vector<window> unavailable_;    // planned pauses not yet over
  stack::instant down_until_{};        // a restart's downtime ends here
  stack::instant last_now_ = stack::instant::min();
  kv_store_stats stats_;
};

const char* to_string(kv_persistence p);

}  // namespace squall::fakes
