#pragma once
// One client's view of one lease lock (seeds 002 and 003), sans-IO like quinn-proto or h11: the owner (a worker)
// feeds inputs with handle_*/start_* and carries out the outputs of poll_*. The lock never reads a clock, never
// draws a random number of its own and never does I/O.
//
// Driving it: after every input, send each poll_command() to the store (with config().command_timeout; the
// port must answer exactly once, with `timeout` at the deadline), arm a timer at poll_timer() and call
// handle_timer(now) when it fires (spurious or stale wake-ups are harmless), and drain poll_event(). At most one
// command is outstanding; handle_reply answers the last command polled.
//
// All instants are on the client's own clock, which may be skewed against the store's. The validity the client
// believes in is ttl - elapsed - clock_drift_margin, elapsed counted from when the command that set or extended
// the TTL was sent (not when its reply came back): the store can only have started the TTL later than that.
//
// Acquire: SET key token NX PX ttl. nil is contention: wait a backoff (jitter from the injected uniform) and retry
// until acquire_timeout is spent. unavailable / timeout are retried the same way. A SET NX that timed out may
// have run on the store: the key then holds our own token and every later SET NX is nil. So after any timed-out
// SET NX, a nil is followed by GET key; finding our token counts as acquired, with the validity measured from the
// send of the FIRST timed-out SET NX (the earliest the winning one can have run). With fencing, INCR
// `<key>:fence` after winning the key gives the token (retried on failure while the validity lasts; a timed-out
// INCR that ran makes the next token skip a number, which keeps tokens increasing).
//
// Giving up after the store may hold our token (SET NX ok then the fence failed, or a SET NX timed out) sends
// one best-effort compare-and-delete so others need not wait out the TTL; its answer is ignored.
//
// Renewal (renew = true): every renew_every after the send of the last confirmed SET/extension,
// pexpire_if_owner(key, token, ttl). 1 extends the validity; 0 means another owner or no key: lost, and never
// renewed again. unavailable / timeout: retried after a backoff until the validity runs out, then lost. Without
// renewal the validity simply ends at ttl - margin after the SET NX was sent: the store may expire the key while
// the job still runs, the unsafe variant.
//
// Release: owner_checked sends del_if_owner (0: release_not_owner, nothing deleted); blind sends DEL key, which
// deletes another owner's lock if ours expired. A release requested while a renewal is in flight goes out after
// its reply. A release is sent once: if it fails the key expires by its TTL.
#include <cstdint>
#include <deque>
#include <optional>
#include <string>

#include "stack/core/kv.hpp"
#include "stack/core/time.hpp"
#include "stack/lock/lock_config.hpp"
#include "stack/lock/lock_event.hpp"

namespace squall::stack::lock {

enum class lock_state : std::uint8_t {
  idle,       // never started, or abandoned
  acquiring,  // SET NX / GET / fence INCR in progress or waiting for a retry
  held,       // acquired; believes_held(now) tells whether the validity still lasts
  releasing,  // release requested; the client no longer counts on the lock
  released,   // the release was answered
  failed,     // acquire gave up (a cleanup command may still be outstanding: see busy())
  lost,       // it held the lock and stopped believing so (validity over, or a renewal said not owner)
};

// Where jitter comes from: a plain function pointer and its object (no allocation, no ambient randomness).
// fn returns a uniform number in [0, 1).
struct uniform_source {
  double (*fn)(void* self) = nullptr;
  void* self = nullptr;
  double operator()() const { return fn(self); }
};

struct lock_stats {
  std::uint64_t commands = 0;             // commands issued
  std::uint64_t set_attempts = 0;         // SET NX sent
  std::uint64_t contended = 0;            // acquire rounds that found another owner
  std::uint64_t store_failures = 0;       // replies unavailable or timeout
  std::uint64_t ambiguous_recovered = 0;  // a GET found our token after a timed-out SET NX
  std::uint64_t renewals = 0;             // renewals that extended the validity
  std::uint64_t renewals_failed = 0;      // renewals answered 0, unavailable or timeout
  std::uint64_t cleanups = 0;             // compare-and-deletes sent after giving up
  std::uint64_t stray_replies = 0;        // replies with no command outstanding (after abandon()), ignored
};

class lease_lock {
 public:
  lease_lock(const lock_config& config, uniform_source uniform);

  // Inputs.
  // Starts acquiring with this owner token (unique per acquisition). Allowed when not busy() and idle, released,
  // failed or lost: one lease_lock serves successive acquisitions of the same key.
  void start_acquire(instant now, std::string owner_token);
  // The answer to the last command polled. Ignored (and counted) when none is outstanding.
  void handle_reply(instant now, const kv_reply& reply);
  void handle_timer(instant now);
  // Releases a held or lost lock (lost: the job ran on without it; owner_checked makes that harmless).
  void start_release(instant now);
  // The owner is gone (crash): forget everything, send nothing; the key expires on the store by its TTL. A
  // reply to a command sent before abandon() must not be fed to a later acquisition (the owner drops it).
  void abandon();

  // Outputs.
  std::optional<kv_command> poll_command();
  std::optional<instant> poll_timer() const;
  std::optional<lock_event> poll_event();

  // Queries.
  lock_state state() const { return state_; }
  // Held and the validity lasts at `now` (client clock): what a careful owner checks before its side effect.
  bool believes_held(instant now) const { return state_ == lock_state::held && now < validity_end_; }
  // The fencing token of the current acquisition; 0 without fencing or before it is known.
  std::int64_t fence_token() const { return fence_; }
  // End of the validity on the client's clock (meaningful once acquired).
  instant valid_until() const { return validity_end_; }
  // A command is waiting to be polled or for its reply.
  bool busy() const { return in_flight_ != phase::none; }
  const std::string& token() const { return token_; }
  const lock_config& config() const { return config_; }
  const lock_stats& stats() const { return stats_; }

 private:
  enum class phase : std::uint8_t { none, set_nx, check_owner, incr_fence, renew, release, cleanup };

  // Acquire (lease_lock_acquire.cpp).
  void send_set(instant now);
  void on_set_reply(instant now, const kv_reply& r);
  void on_check_reply(instant now, const kv_reply& r);
  void on_fence_reply(instant now, const kv_reply& r);
  void on_key_won(instant now, instant validity_base);
  void retry_acquire(instant now, lock_reason why);
  void fail_acquire(instant now, lock_reason why);
  void become_held(instant now);
  // Holding and letting go (lease_lock_hold.cpp).
  void send_renew(instant now);
  void on_renew_reply(instant now, const kv_reply& r);
  void send_release(instant now);
  void on_release_reply(instant now, const kv_reply& r);
  void check_validity(instant now);
  void become_lost(instant now, lock_reason why);
  // Plumbing (lease_lock.cpp).
  void pump(instant now);
  void send(instant now, phase p, kv_op op, const std::string& key, const std::string& value);
  duration next_backoff();
  lock_event& emit(instant now, lock_event_kind kind, lock_reason reason);

  lock_config config_;
  uniform_source uniform_;
  duration renew_every_;
  duration margin_;
  std::string fence_key_;
  lock_stats stats_;

  lock_state state_ = lock_state::idle;
  std::string token_;
  std::optional<kv_command> pending_;       // produced, not yet polled
  phase in_flight_ = phase::none;           // the unanswered command's purpose (polled or not)
  instant sent_at_{};                       // when that command was produced (the owner sends it at once)
  std::optional<instant> next_send_at_;     // acquiring: next SET NX / INCR; held: next renewal
  bool release_requested_ = false;
  instant validity_base_{};                 // send time of the command that set or last extended the TTL
  instant validity_end_{};
  std::int64_t fence_ = 0;
  // Per acquisition.
  instant acquire_deadline_{};
  int attempts_ = 0;
  int retries_ = 0;                         // consecutive backoffs, the k of backoff_delay
  duration prev_delay_{0};
  lock_reason last_failure_ = lock_reason::none;
  std::optional<instant> ambiguous_since_;  // send time of the first timed-out SET NX
  bool key_won_ = false;
  bool store_may_hold_ = false;             // a SET NX of ours ran or may have run
  std::deque<lock_event> events_;
};

const char* to_string(lock_state s);

}  // namespace squall::stack::lock
