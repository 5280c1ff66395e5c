#include "net/stream_queue.hpp"

#include <algorithm>
#include <charconv>
#include <utility>

#include "stack/core/assert.hpp"

namespace squall::net {

namespace {

using clock = std::chrono::steady_clock;

// KEYS: stream. ARGV: message id, key, max_messages. 1 added, 0 full.
constexpr std::string_view enqueue_script = R"(
if redis.call('XLEN', KEYS[1]) >= tonumber(ARGV[3]) then return 0 end
redis.call('XADD', KEYS[1], '*', 'msg', ARGV[1], 'key', ARGV[2])
return 1)";

// KEYS: stream, dlq. ARGV: group, consumer, min idle ms, count, max_deliveries.
// XAUTOCLAIM takes over entries idle past the visibility timeout (it drops entries deleted from the stream from
// the pending list itself); the delivery count it raised, read back with XPENDING, decides redelivery or the DLQ.
// Returns {kind, entry id, msg, key, deliveries} per entry: kind 1 claimed (deliveries = this round), 2 DLQ.
constexpr std::string_view claim_script = R"(
local out = {}
local claimed = redis.call('XAUTOCLAIM', KEYS[1], ARGV[1], ARGV[2], ARGV[3], '0-0', 'COUNT', ARGV[4])[2]
for _, e in ipairs(claimed) do
  if e then
    local id, f = e[1], e[2]
    local count = redis.call('XPENDING', KEYS[1], ARGV[1], id, id, 1)[1][4]
    local msg, key = '', ''
    for i = 1, #f, 2 do
      if f[i] == 'msg' then msg = f[i + 1] elseif f[i] == 'key' then key = f[i + 1] end
    end
    if count > tonumber(ARGV[5]) then
      redis.call('XADD', KEYS[2], '*', 'msg', msg, 'key', key, 'deliveries', count - 1, 'entry', id)
      redis.call('XACK', KEYS[1], ARGV[1], id)
      redis.call('XDEL', KEYS[1], id)
      out[#out + 1] = {2, id, msg, key, count - 1}
    else
      out[#out + 1] = {1, id, msg, key, count}
    end
  end
end
return out)";

// KEYS: stream. ARGV: group, consumer, entry, round, mode (ack|requeue), idle ms to set, visibility ms.
// 1 done, 0 stale receipt (not pending for this consumer and round, or for requeue: visibility lapsed).
constexpr std::string_view settle_script = R"(
local p = redis.call('XPENDING', KEYS[1], ARGV[1], ARGV[3], ARGV[3], 1)
if #p == 0 or p[1][2] ~= ARGV[2] or p[1][4] ~= tonumber(ARGV[4]) then return 0 end
if ARGV[5] == 'ack' then
  redis.call('XACK', KEYS[1], ARGV[1], ARGV[3])
  redis.call('XDEL', KEYS[1], ARGV[3])
  return 1
end
if p[1][3] >= tonumber(ARGV[7]) then return 0 end
redis.call('XCLAIM', KEYS[1], ARGV[1], ARGV[2], 0, ARGV[3], 'IDLE', ARGV[6], 'JUSTID')
return 1)";

std::string ms_text(stack::duration d) {
  return std::to_string(std::max<std::int64_t>(0, std::chrono::duration_cast<std::chrono::milliseconds>(d).count()));
}

std::uint64_t to_u64(std::string_view s) {
  std::uint64_t v = 0;
  std::from_chars(s.data(), s.data() + s.size(), v);
  return v;
}

bool is_nogroup(const redis_result& r) {
  return r.status == redis_status::ok && r.reply.is_error() && r.reply.str.find("NOGROUP") != std::string::npos;
}

// The string of a reply element that may come as a bulk string or (from Lua) an integer.
std::string text_of(const redis_reply& r) {
  return r.type == redis_reply::kind::integer ? std::to_string(r.integer) : r.str;
}

}  // namespace

stream_names stream_names::for_run(std::string_view run) {
  const std::string base = std::string(run) + ":jobs";
  return {base, base + ":dlq", "squall"};
}

// --- producer ------------------------------------------------------------------------------------------------

stream_producer::stream_producer(redis_connection& connection, stream_names names, stream_queue_config config)
    : conn_(connection), names_(std::move(names)), config_(config) {}

void stream_producer::enqueue(std::uint64_t message, std::string_view key, std::function<void(bool)> done) {
  conn_.command({"EVAL", enqueue_script, "1", names_.stream, std::to_string(message), key,
                 std::to_string(config_.max_messages)},
                config_.command_timeout, [done = std::move(done)](redis_result&& r) {
                  done(r.status == redis_status::ok && r.reply.type == redis_reply::kind::integer &&
                       r.reply.integer == 1);
                });
}

// --- consumer ------------------------------------------------------------------------------------------------

stream_consumer::stream_consumer(boost::asio::io_context& io, redis_connection& fetch, redis_connection& settle,
                                 stream_names names, std::string consumer, stream_queue_config config, hooks h)
    : fetch_(fetch),
      settle_(settle),
      names_(std::move(names)),
      consumer_(std::move(consumer)),
      config_(config),
      hooks_(std::move(h)),
      retry_timer_(io) {
  SQUALL_ASSERT(config_.visibility_timeout > stack::duration::zero(), "visibility_timeout must be positive");
  SQUALL_ASSERT(config_.max_deliveries >= 1, "max_deliveries must be at least 1");
  SQUALL_ASSERT(config_.prefetch_max >= 1, "prefetch_max must be at least 1");
}

stream_consumer::~stream_consumer() { stop(); }

void stream_consumer::start() {
  if (running_) return;
  running_ = true;
  pump();
}

void stream_consumer::stop() {
  running_ = false;
  ++stop_epoch_;  // callbacks of commands sent before are ignored
  busy_ = false;
  waiting_ = false;
  retry_timer_.cancel();
}

std::size_t stream_consumer::room() const {
  return buffer_.size() >= config_.prefetch_max ? 0 : config_.prefetch_max - buffer_.size();
}

// One command at a time on `fetch`: a claim pass when due, else a blocking read, while there is room.
void stream_consumer::pump() {
  if (!running_ || busy_ || waiting_ || room() == 0) return;
  if (clock::now() - last_claim_ >= config_.claim_every) {
    claim();
  } else {
    read();
  }
}

void stream_consumer::claim() {
  busy_ = true;
  last_claim_ = clock::now();
  const std::uint64_t epoch = stop_epoch_;
  fetch_.command({"EVAL", claim_script, "2", names_.stream, names_.dlq, names_.group, consumer_,
                  ms_text(config_.visibility_timeout), std::to_string(room()), std::to_string(config_.max_deliveries)},
                 config_.command_timeout, [this, epoch](redis_result&& r) {
                   if (epoch != stop_epoch_) return;
                   busy_ = false;
                   if (r.status != redis_status::ok || r.reply.type != redis_reply::kind::array) {
                     after_failure(r);
                     return;
                   }
                   bool added = false;
                   for (const redis_reply& x : r.reply.elements) {
                     if (x.type != redis_reply::kind::array || x.elements.size() != 5) continue;
                     const auto rounds = static_cast<std::uint32_t>(x.elements[4].integer);
                     if (x.elements[0].integer == 2) {
                       ++stats_.dead_lettered;
                       if (hooks_.dead_letter) {
                         hooks_.dead_letter(stream_dead_letter{x.elements[1].str, to_u64(text_of(x.elements[2])),
                                                               text_of(x.elements[3]), rounds});
                       }
                       continue;
                     }
                     ++stats_.redelivered;
                     buffer_.push_back(stream_delivery{x.elements[1].str, to_u64(text_of(x.elements[2])),
                                                       text_of(x.elements[3]), rounds, clock::now()});
                     added = true;
                   }
                   if (added && hooks_.ready) hooks_.ready();
                   pump();
                 });
}

void stream_consumer::read() {
  busy_ = true;
  const std::uint64_t epoch = stop_epoch_;
  fetch_.command({"XREADGROUP", "GROUP", names_.group, consumer_, "COUNT", std::to_string(room()), "BLOCK",
                  ms_text(std::max(config_.block, stack::duration{std::chrono::milliseconds{1}})), "STREAMS",
                  names_.stream, ">"},
                 config_.block + config_.command_timeout, [this, epoch](redis_result&& r) {
                   if (epoch != stop_epoch_) return;
                   busy_ = false;
                   if (r.status != redis_status::ok || r.reply.is_error()) {
                     after_failure(r);
                     return;
                   }
                   bool added = false;
                   // nil on timeout; else [[stream, [[id, [f, v, ...]], ...]]]
                   for (const redis_reply& s : r.reply.elements) {
                     if (s.elements.size() != 2) continue;
                     for (const redis_reply& entry : s.elements[1].elements) {
                       if (entry.elements.size() != 2) continue;
                       stream_delivery d{entry.elements[0].str, 0, {}, 1, clock::now()};
                       const auto& f = entry.elements[1].elements;
                       for (std::size_t i = 0; i + 1 < f.size(); i += 2) {
                         if (f[i].str == "msg") d.message = to_u64(f[i + 1].str);
                         if (f[i].str == "key") d.key = f[i + 1].str;
                       }
                       ++stats_.delivered;
                       buffer_.push_back(std::move(d));
                       added = true;
                     }
                   }
                   if (added && hooks_.ready) hooks_.ready();
                   pump();
                 });
}

void stream_consumer::after_failure(const redis_result& r) {
  ++stats_.failed_commands;
  if (is_nogroup(r)) {
    ensure_group();  // a fresh Redis (or one restarted without persistence): no stream, no group
    return;
  }
  retry_later();
}

void stream_consumer::ensure_group() {
  busy_ = true;
  const std::uint64_t epoch = stop_epoch_;
  // From 0: entries added before the group existed are delivered too. BUSYGROUP (it exists) is fine.
  fetch_.command({"XGROUP", "CREATE", names_.stream, names_.group, "0", "MKSTREAM"}, config_.command_timeout,
                 [this, epoch](redis_result&& r) {
                   if (epoch != stop_epoch_) return;
                   busy_ = false;
                   if (r.status == redis_status::ok) {
                     if (!r.reply.is_error()) ++stats_.groups_created;
                     pump();
                   } else {
                     retry_later();
                   }
                 });
}

void stream_consumer::retry_later() {
  waiting_ = true;
  const std::uint64_t epoch = stop_epoch_;
  retry_timer_.expires_after(config_.retry_delay);
  retry_timer_.async_wait([this, epoch](const boost::system::error_code& ec) {
    if (ec || epoch != stop_epoch_) return;
    waiting_ = false;
    pump();
  });
}

std::optional<stream_delivery> stream_consumer::take() {
  std::optional<stream_delivery> out;
  const auto now = clock::now();
  while (!buffer_.empty() && !out) {
    stream_delivery d = std::move(buffer_.front());
    buffer_.pop_front();
    if (now - d.fetched_at >= config_.visibility_timeout) {
      ++stats_.dropped_stale;  // another consumer may hold it by now; a later claim pass brings it back
      continue;
    }
    out = std::move(d);
  }
  pump();  // room was made
  return out;
}

void stream_consumer::ack(const stream_delivery& d) { settle(d, true, stack::duration::zero()); }

void stream_consumer::requeue(const stream_delivery& d, stack::duration after) {
  settle(d, false, std::min(after, config_.visibility_timeout));
}

void stream_consumer::settle(const stream_delivery& d, bool ack, stack::duration after) {
  const std::uint64_t epoch = stop_epoch_;
  settle_.command({"EVAL", settle_script, "1", names_.stream, names_.group, consumer_, d.entry,
                   std::to_string(d.round), ack ? "ack" : "requeue", ms_text(config_.visibility_timeout - after),
                   ms_text(config_.visibility_timeout)},
                  config_.command_timeout, [this, epoch, ack](redis_result&& r) {
                    if (epoch != stop_epoch_) return;
                    if (r.status != redis_status::ok || r.reply.is_error()) {
                      ++stats_.failed_commands;  // the delivery lapses and is claimed again
                    } else if (r.reply.integer == 1) {
                      ++(ack ? stats_.acked : stats_.requeued);
                    } else {
                      ++stats_.stale_receipts;
                    }
                  });
}

}  // namespace squall::net
