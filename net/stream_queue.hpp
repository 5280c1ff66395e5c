#pragma once
// The at-least-once job queue of real mode over Redis Streams (issue 5), with the delivery semantics of the
// simulated queue (fakes/job_queue.hpp) as far as Streams allow:
//
//   enqueue    Lua: refuse when XLEN >= max_messages (acked entries are XDELed, so XLEN counts live messages),
//              else XADD <stream> * msg <id> key <idempotency key>. Message ids come from the (single) producer.
//   receive    XREADGROUP GROUP <group> <consumer> COUNT n BLOCK b STREAMS <stream> >  (round 1), and, every
//              claim_every, Lua: XAUTOCLAIM <visibility_timeout> 0-0 COUNT n (oldest first) takes entries over to
//              this consumer; each is a redelivery (the next round, its delivery count read back by XPENDING) or,
//              when that count passed max_deliveries, XADD to the DLQ stream + XACK + XDEL (cause max_deliveries).
//   ack        Lua: if the entry is still pending for this consumer with this round, XACK + XDEL; else nothing
//              (a stale receipt: the message lapsed and someone claimed it, or it was acked).
//   requeue    ChangeMessageVisibility(after) modelled on the entry's idle time: Streams redeliver an entry once
//              it has been idle for the visibility timeout, so `XCLAIM ... IDLE (visibility_timeout - after)
//              JUSTID` to ourselves makes it claimable `after` from now without counting a delivery (JUSTID).
//              `after` beyond the visibility timeout is clamped to it (IDLE cannot be negative). Like SQS it
//              fails for a delivery that is no longer current or whose visibility already lapsed.
//
// Differences from the simulated queue (docs/real-mode-jobs.md): a redelivery waits for the next claim pass
// (at most claim_every late); order is the stream's (new entries in XADD order, claimed ones oldest pending
// first); no spontaneous duplicates (duplicate_rate is the simulator's); a Redis restart without persistence
// loses the stream, its pending entries and the consumer group (recreated on NOGROUP).
//
// Bounds: a consumer buffers at most prefetch_max deliveries (fetched with COUNT = free room); each claim pass
// handles at most prefetch_max entries; the stream holds at most max_messages live entries. A buffered delivery
// older than the visibility timeout is dropped when taken (the queue may have handed it to another consumer).
//
// Threading: producer and consumer live on the thread running their connections' io_context.
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>

#include "net/redis_connection.hpp"
#include "stack/core/time.hpp"

namespace squall::net {

// The Redis keys of one run's queue: everything is prefixed by the run id, so runs never share state.
struct stream_names {
  std::string stream;  // <run>:jobs
  std::string dlq;     // <run>:jobs:dlq
  std::string group;   // squall

  static stream_names for_run(std::string_view run);
};

struct stream_queue_config {
  stack::duration visibility_timeout = std::chrono::seconds{30};  // > 0; redelivered after idle this long
  std::uint32_t max_deliveries = 5;                                // >= 1
  std::size_t max_messages = 100'000;                              // live entries in the stream
  std::size_t prefetch_max = 1;                                    // per consumer, >= 1
  stack::duration block = std::chrono::milliseconds{100};          // XREADGROUP BLOCK; bounds claim latency
  stack::duration claim_every = std::chrono::milliseconds{50};     // cadence of claim passes
  stack::duration command_timeout = std::chrono::seconds{1};       // per command, beyond BLOCK for reads
  stack::duration retry_delay = std::chrono::milliseconds{50};     // after a failed read or claim
};

// One delivery held by a consumer: the receipt is (entry, consumer, round).
struct stream_delivery {
  std::string entry;          // stream entry id, "ms-seq"
  std::uint64_t message = 0;  // the producer's message id
  std::string key;            // idempotency key
  std::uint32_t round = 0;    // delivery count: 1 = first delivery
  std::chrono::steady_clock::time_point fetched_at{};
};

struct stream_dead_letter {
  std::string entry;
  std::uint64_t message = 0;
  std::string key;
  std::uint32_t deliveries = 0;
};

struct stream_consumer_stats {
  std::uint64_t delivered = 0;    // first rounds read
  std::uint64_t redelivered = 0;  // rounds after the first, claimed
  std::uint64_t dead_lettered = 0;
  std::uint64_t dropped_stale = 0;  // buffered past the visibility timeout, dropped
  std::uint64_t acked = 0;
  std::uint64_t requeued = 0;
  std::uint64_t stale_receipts = 0;  // ack/requeue of a delivery no longer current
  std::uint64_t failed_commands = 0;
  std::uint64_t groups_created = 0;
};

class stream_producer {
 public:
  stream_producer(redis_connection& connection, stream_names names, stream_queue_config config);
  // XADDs one message; `done(true)` once it is in the stream, false when the stream is full or Redis did not
  // answer (the message may or may not be in: an indeterminate enqueue).
  void enqueue(std::uint64_t message, std::string_view key, std::function<void(bool)> done);

 private:
  redis_connection& conn_;
  stream_names names_;
  stream_queue_config config_;
};

class stream_consumer {
 public:
  struct hooks {
    std::function<void()> ready;                                   // deliveries were buffered
    std::function<void(const stream_dead_letter&)> dead_letter;  // moved to the DLQ by this consumer's pass
  };

  // `fetch` carries the blocking reads and claim passes only; `settle` acks and requeues (a connection that
  // never blocks, e.g. the node's KV connection), so an ack does not wait behind a BLOCK.
  stream_consumer(boost::asio::io_context& io, redis_connection& fetch, redis_connection& settle, stream_names names,
                  std::string consumer, stream_queue_config config, hooks h);
  ~stream_consumer();
  stream_consumer(const stream_consumer&) = delete;
  stream_consumer& operator=(const stream_consumer&) = delete;

  void start();
  void stop();  // no new reads; an outstanding one is dropped with its connection
  // The oldest buffered delivery still within its visibility timeout.
  std::optional<stream_delivery> take();
  bool has_buffered() const { return !buffer_.empty(); }
  void ack(const stream_delivery& d);
  void requeue(const stream_delivery& d, stack::duration after);
  // A crash: the buffer is lost (its entries stay pending and are claimed after the visibility timeout).
  void forget() { buffer_.clear(); }

  const std::string& name() const { return consumer_; }
  const stream_consumer_stats& stats() const { return stats_; }

 private:
  void pump();
  void claim();
  void read();
  void ensure_group();
  void after_failure(const redis_result& r);
  void retry_later();
  std::size_t room() const;
  void settle(const stream_delivery& d, bool ack, stack::duration after);

  redis_connection& fetch_;
  redis_connection& settle_;
  stream_names names_;
  std::string consumer_;
  stream_queue_config config_;
  hooks hooks_;
  boost::asio::steady_timer retry_timer_;
  std::deque<stream_delivery> buffer_;
  std::chrono::steady_clock::time_point last_claim_{};
  bool running_ = false;
  bool busy_ = false;     // a read, claim or group creation is outstanding on `fetch`
  bool waiting_ = false;  // the retry timer is armed
  std::uint64_t stop_epoch_ = 0;
  stream_consumer_stats stats_;
};

}  // namespace squall::net
