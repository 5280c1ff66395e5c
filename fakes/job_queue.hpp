#pragma once
// An at-least-once job queue with a visibility timeout, as SQS standard queues and Redis Streams consumer groups
// behave (seed 001): a received message is hidden, not removed; a worker that crashes, pauses or runs too long
// never acks, its visibility lapses, and another worker gets the same job. That redelivery, plus the queue's own
// spontaneous duplicates, is what the stack's idempotency and locks have to survive.
//
// Semantics (each choice is the one a worker written against SQS would meet):
// - Order: the oldest visible message first, by the time it became visible, then by id. A redelivered message
//   sorts by when its visibility lapsed, so it queues behind messages that were visible before then.
// - Rounds: each receive of a visible message is a new delivery round; it increments `deliveries`, hides the
//   message until now + visibility_timeout and gets a fresh delivery id. When a round would be number
//   max_deliveries + 1 the message goes to the DLQ instead (cause max_deliveries) and receive moves on.
// - Spontaneous duplicates: with probability duplicate_rate a round leaves the message visible, and the next
//   receive hands out a second copy of the same round (same `deliveries`, `duplicate` set, its own delivery id),
//   while the first is still in flight. A duplicate copy never duplicates again and does not count towards
//   max_deliveries. If the first copy is released or lapses before anyone takes the second, it is not made.
// - Receipts: a delivery stays current until it is acked, nacked or dead-lettered, or until the message is
//   delivered again after its visibility lapsed. Operations on a delivery that is no longer current return
//   false and change nothing, like an SQS receipt handle after someone else received the message. A delivery
//   whose visibility lapsed but that nobody has received again can still ack: SQS deletes in that case too.
// - ack removes the message (the other copy of a duplicate becomes stale). nack releases the delivery and makes
//   the message visible at once, unless another current delivery still hides it. extend(by) sets the
//   delivery's visibility to now + by (ChangeMessageVisibility counts from the call, it does not add); it fails
//   once the visibility has lapsed, since the message may already be on its way to someone else.
// - The message is hidden until the latest visibility of its current deliveries.
// - A full queue (max_messages live messages) rejects enqueue: back-pressure is a modelled condition, like the
//   HTTP fake's queue_max, so enqueue returns nullopt and counts it rather than aborting.
//
// Memory: live messages (not yet acked or dead-lettered, at most max_messages), each with at most two current
// deliveries (a round and its duplicate), plus dead-letter records not yet taken with poll_dead_letter().
#include <array>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "sim/rng.hpp"
#include "stack/core/time.hpp"

namespace squall::fakes {

struct job_queue_config {
  stack::duration visibility_timeout = std::chrono::seconds{30};  // SQS's default; > 0
  std::uint32_t max_deliveries = 5;                                // rounds before the DLQ takes it; >= 1
  double duplicate_rate = 0.0;                                     // per round, in [0, 1]
  std::size_t max_messages = 100'000;                              // live messages; > 0
};

// Why a message left for the DLQ. max_deliveries is the queue's own redrive policy; the others come from the
// worker (seed 001: a permanent error, or its own retries ran out).
enum class dlq_cause : std::uint8_t { max_deliveries, permanent_error, retries_exhausted };
inline constexpr std::size_t dlq_cause_count = 3;
std::string_view to_string(dlq_cause cause);

struct job_message {
  std::uint64_t id = 0;  // 1, 2, ... in enqueue order
  std::string idempotency_key;
  stack::instant enqueued_at{};
  std::uint32_t deliveries = 0;  // delivery rounds so far
};

struct delivery {
  std::uint64_t id = 0;  // unique across the queue: tells deliveries of one message apart (the receipt)
  job_message message;   // as of this delivery: message.deliveries is this round's number
  bool duplicate = false;  // the spontaneous second copy of a round
  stack::instant visible_until{};  // the queue keeps the message from others until then, unless extended
  std::string consumer;
};

struct dead_letter_record {
  job_message message;
  dlq_cause cause = dlq_cause::max_deliveries;
  stack::instant at{};
};

struct job_queue_stats {
  std::uint64_t enqueued = 0;
  std::uint64_t rejected_full = 0;  // enqueues refused at max_messages
  std::uint64_t delivered = 0;      // every delivery, duplicate copies included
  std::uint64_t redelivered = 0;    // rounds after the first
  std::uint64_t duplicated = 0;     // duplicate copies handed out
  std::uint64_t acked = 0;
  std::uint64_t nacked = 0;
  std::uint64_t extended = 0;
  std::uint64_t stale_acks = 0;      // acks refused: the delivery was no longer current
  std::uint64_t stale_receipts = 0;  // nack / extend / dead_letter refused alike (extend also once lapsed)
  std::array<std::uint64_t, dlq_cause_count> dead_lettered{};  // by dlq_cause

  std::uint64_t dead_lettered_total() const;
  std::uint64_t dead_lettered_by(dlq_cause cause) const { return dead_lettered[static_cast<std::size_t>(cause)]; }
};

class job_queue {
 public:
  // Spontaneous duplicates draw from `rng` (give the queue its own fork). Invalid config aborts: the scenario
  // parser reports bad values to users; here they are bugs.
  job_queue(job_queue_config config, sim::rng rng);

  // nullopt when the queue already holds max_messages live messages.
  [[nodiscard]] std::optional<std::uint64_t> enqueue(stack::instant now, std::string idempotency_key);
  std::optional<delivery> receive(stack::instant now, std::string_view consumer);

  bool ack(stack::instant now, const delivery& d);
  bool nack(stack::instant now, const delivery& d);
  bool extend(stack::instant now, const delivery& d, stack::duration by);  // by >= 0
  bool dead_letter(stack::instant now, const delivery& d, dlq_cause cause);  // not max_deliveries: that's ours

  // When the next message becomes visible (in the past if one is visible now); nullopt when the queue is empty.
  // A runtime sleeps until then before polling again.
  std::optional<stack::instant> next_visible_at() const;
  // Messages that left for the DLQ, oldest first. The runtime drains them (to emit events); more than
  // max_messages undrained records abort, so a runtime that forgets cannot grow memory without bound.
  std::optional<dead_letter_record> poll_dead_letter();

  std::size_t size() const { return messages_.size(); }       // live messages: the memory bound
  std::size_t visible(stack::instant now) const;              // receivable at `now` (O(visible))
  std::size_t in_flight(stack::instant now) const { return size() - visible(now); }  // hidden by a delivery
  std::size_t dead_letters_pending() const { return dead_letters_.size(); }
  const job_queue_stats& stats() const { return stats_; }
  const job_queue_config& config() const { return config_; }

 private:
  struct holder {  // a current delivery
    std::uint64_t id;
    stack::instant visible_until;
  };
  struct entry {
    job_message message;
    stack::instant visible_at;  // this entry's key in by_visibility_
    bool duplicate_pending = false;
    std::vector<holder> holders;
  };
  using entries = std::map<std::uint64_t, entry>;
  struct current {  // where a current delivery lives
    entries::iterator it;
    std::vector<holder>::iterator h;
  };

  void observe(stack::instant now);
  std::optional<current> find_current(const delivery& d);
  void set_visible_at(entry& e, stack::instant at);
  void rehide(entry& e, stack::instant now);
  delivery hand_out(entry& e, stack::instant now, std::string_view consumer, bool duplicate);
  void remove(entries::iterator it);
  void to_dlq(entries::iterator it, stack::instant now, dlq_cause cause);

  job_queue_config config_;
  sim::rng rng_;
  stack::instant last_now_{};
  std::uint64_t next_message_id_ = 1;
  std::uint64_t next_delivery_id_ = 1;
  entries messages_;
  std::set<std::pair<stack::instant, std::uint64_t>> by_visibility_;  // (visible_at, id) of every live message
  std::deque<dead_letter_record> dead_letters_;
  job_queue_stats stats_;
};

}  // namespace squall::fakes
