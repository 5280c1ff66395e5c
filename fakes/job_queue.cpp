#include "fakes/job_queue.hpp"

#include <algorithm>
#include <numeric>

#include "stack/core/assert.hpp"

namespace squall::fakes {

std::string_view to_string(dlq_cause cause) {
  switch (cause) {
    case dlq_cause::max_deliveries: return "max_deliveries";
    case dlq_cause::permanent_error: return "permanent_error";
    case dlq_cause::retries_exhausted: return "retries_exhausted";
  }
  return "unknown";
}

std::uint64_t job_queue_stats::dead_lettered_total() const {
  return std::accumulate(dead_lettered.begin(), dead_lettered.end(), std::uint64_t{0});
}

job_queue::job_queue(job_queue_config config, sim::rng rng) : config_(config), rng_(rng) {
  SQUALL_ASSERT(config_.visibility_timeout > stack::duration::zero(), "visibility_timeout must be positive");
  SQUALL_ASSERT(config_.max_deliveries >= 1, "max_deliveries must be at least 1");
  SQUALL_ASSERT(config_.duplicate_rate >= 0.0 && config_.duplicate_rate <= 1.0, "duplicate_rate must be in [0, 1]");
  SQUALL_ASSERT(config_.max_messages > 0, "max_messages must be positive");
}

// One runtime drives the queue in event order; time going back would silently reorder visibility.
void job_queue::observe(stack::instant now) {
  SQUALL_ASSERT(now >= last_now_, "job_queue: time went backwards");
  last_now_ = now;
}

std::optional<std::uint64_t> job_queue::enqueue(stack::instant now, std::string idempotency_key) {
  observe(now);
  if (messages_.size() >= config_.max_messages) {
    ++stats_.rejected_full;
    return std::nullopt;
  }
  const std::uint64_t id = next_message_id_++;
  entry e{job_message{id, std::move(idempotency_key), now, 0}, now, false, {}};
  messages_.emplace(id, std::move(e));
  by_visibility_.emplace(now, id);
  ++stats_.enqueued;
  return id;
}

std::optional<delivery> job_queue::receive(stack::instant now, std::string_view consumer) {
  observe(now);
  while (!by_visibility_.empty() && by_visibility_.begin()->first <= now) {
    const auto it = messages_.find(by_visibility_.begin()->second);
    SQUALL_ASSERT(it != messages_.end(), "job_queue: visibility index names a missing message");
    entry& e = it->second;
    // Deliveries whose visibility lapsed lose the message now that it is handed out again.
    std::erase_if(e.holders, [now](const holder& h) { return h.visible_until <= now; });
    if (e.duplicate_pending) {
      e.duplicate_pending = false;
      // A duplicate is a second copy alongside the first; if the first is gone this is a plain new round.
      if (!e.holders.empty()) {
        ++stats_.duplicated;
        delivery d = hand_out(e, now, consumer, true);
        rehide(e, now);
        return d;
      }
    }
    if (e.message.deliveries >= config_.max_deliveries) {
      to_dlq(it, now, dlq_cause::max_deliveries);
      continue;
    }
    ++e.message.deliveries;
    if (e.message.deliveries > 1) ++stats_.redelivered;
    delivery d = hand_out(e, now, consumer, false);
    if (rng_.bernoulli(config_.duplicate_rate)) {
      e.duplicate_pending = true;  // stays visible at its place in line for the next consumer
    } else {
      rehide(e, now);
    }
    return d;
  }
  return std::nullopt;
}

delivery job_queue::hand_out(entry& e, stack::instant now, std::string_view consumer, bool duplicate) {
  const std::uint64_t id = next_delivery_id_++;
  const stack::instant until = now + config_.visibility_timeout;
  e.holders.push_back(holder{id, until});
  ++stats_.delivered;
  return delivery{id, e.message, duplicate, until, std::string(consumer)};
}

void job_queue::set_visible_at(entry& e, stack::instant at) {
  if (at == e.visible_at) return;
  by_visibility_.erase({e.visible_at, e.message.id});
  e.visible_at = at;
  by_visibility_.emplace(at, e.message.id);
}

// Hidden until the latest visibility of its current deliveries; a pending duplicate keeps it visible.
void job_queue::rehide(entry& e, stack::instant now) {
  if (e.duplicate_pending) return;
  stack::instant at = now;
  for (const holder& h : e.holders) at = std::max(at, h.visible_until);
  set_visible_at(e, at);
}

std::optional<job_queue::current> job_queue::find_current(const delivery& d) {
  const auto it = messages_.find(d.message.id);
  if (it == messages_.end()) return std::nullopt;
  auto& holders = it->second.holders;
  const auto h = std::find_if(holders.begin(), holders.end(), [&](const holder& x) { return x.id == d.id; });
  if (h == holders.end()) return std::nullopt;
  return current{it, h};
}

bool job_queue::ack(stack::instant now, const delivery& d) {
  observe(now);
  const auto c = find_current(d);
  if (!c) {
    ++stats_.stale_acks;
    return false;
  }
  ++stats_.acked;
  remove(c->it);
  return true;
}

bool job_queue::nack(stack::instant now, const delivery& d) {
  observe(now);
  const auto c = find_current(d);
  if (!c) {
    ++stats_.stale_receipts;
    return false;
  }
  ++stats_.nacked;
  c->it->second.holders.erase(c->h);
  rehide(c->it->second, now);
  return true;
}

bool job_queue::extend(stack::instant now, const delivery& d, stack::duration by) {
  observe(now);
  SQUALL_ASSERT(by >= stack::duration::zero(), "job_queue: extend by a negative duration");
  const auto c = find_current(d);
  // A lapsed delivery cannot win the message back: another consumer may already be receiving it.
  if (!c || c->h->visible_until <= now) {
    ++stats_.stale_receipts;
    return false;
  }
  ++stats_.extended;
  c->h->visible_until = now + by;
  rehide(c->it->second, now);
  return true;
}

bool job_queue::dead_letter(stack::instant now, const delivery& d, dlq_cause cause) {
  observe(now);
  SQUALL_ASSERT(cause != dlq_cause::max_deliveries, "job_queue: max_deliveries is the queue's own DLQ cause");
  const auto c = find_current(d);
  if (!c) {
    ++stats_.stale_receipts;
    return false;
  }
  to_dlq(c->it, now, cause);
  return true;
}

void job_queue::to_dlq(entries::iterator it, stack::instant now, dlq_cause cause) {
  SQUALL_ASSERT(dead_letters_.size() < config_.max_messages, "job_queue: dead letters are never polled");
  dead_letters_.push_back(dead_letter_record{it->second.message, cause, now});
  ++stats_.dead_lettered[static_cast<std::size_t>(cause)];
  remove(it);
}

void job_queue::remove(entries::iterator it) {
  by_visibility_.erase({it->second.visible_at, it->first});
  messages_.erase(it);
}

std::optional<stack::instant> job_queue::next_visible_at() const {
  if (by_visibility_.empty()) return std::nullopt;
  return by_visibility_.begin()->first;
}

std::optional<dead_letter_record> job_queue::poll_dead_letter() {
  if (dead_letters_.empty()) return std::nullopt;
  dead_letter_record r = std::move(dead_letters_.front());
  dead_letters_.pop_front();
  return r;
}

std::size_t job_queue::visible(stack::instant now) const {
  std::size_t n = 0;
  for (auto it = by_visibility_.begin(); it != by_visibility_.end() && it->first <= now; ++it) ++n;
  return n;
}

}  // namespace squall::fakes
