#pragma once
// Configuration of the job flow of seed 002 (lock → idempotency → side effect → persist outcome → release → ack)
// as one worker node runs it. The unsafe variants (no lock, no renewal, blind release, check_then_act) are
// first-class so users can demonstrate what they break.
#include <cstdint>
#include <optional>
#include <string>

#include "stack/core/time.hpp"
#include "stack/lock/lock_config.hpp"
#include "stack/resilience/backoff.hpp"

namespace squall::stack::worker {

enum class idempotency_mode : std::uint8_t {
  none,            // apply the effect every time the job runs
  check_then_act,  // seed 001/002: GET done:<key>; if absent run, then SET done:<key>. Racy on purpose: two
                   // runs that both check before either persists both apply.
  claim_first,     // SET claim:<key> NX before the effect (atomic); only the claimant applies, then marks done
};

enum class job_source : std::uint8_t {
  queue,  // at-least-once queue: every delivery is a job, acked at the end
  cron,   // "every N seconds on every node": each node fires by its own clock; the key is the schedule slot
};

struct job_flow_config {
  job_source source = job_source::queue;
  int concurrency = 1;                           // jobs a node runs at once (queue source)
  // Lease lock around the job; unset: no lock. Its `key` is the prefix: the lock of job key k is "<key>:<k>"
  // for queue jobs (one lock per idempotency key) and "<key>" for cron (one lock per job name).
  std::optional<lock::lock_config> lock;
  idempotency_mode idempotency = idempotency_mode::none;
  duration idempotency_ttl{86'400'000'000'000};  // TTL of done/claim records (a day)
  // Idempotency and persist commands: each gets command_timeout, and failures (unavailable, timeout) are retried
  // up to store_attempts in all with this backoff.
  duration command_timeout{1'000'000'000};
  int store_attempts = 3;
  resilience::backoff_config store_backoff{resilience::backoff_kind::full_jitter, duration{100'000'000},
                                           duration{2'000'000'000}};
  // A queue job that could not run (lock contention, store failure) is handed back to the queue to be
  // delivered again after this long (ChangeMessageVisibility).
  duration requeue_delay{1'000'000'000};
  // Cron: fire when the node's clock reads a multiple of cron_every; flock skips a firing while this node's
  // previous run is still going (a host-level `flock -n`, which cannot see other nodes).
  duration cron_every{60'000'000'000};
  bool flock = false;
};

const char* to_string(idempotency_mode m);
const char* to_string(job_source s);

}  // namespace squall::stack::worker
