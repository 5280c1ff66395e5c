#include "net/real_job_port.hpp"

#include <charconv>
#include <utility>

#include "stack/core/assert.hpp"

namespace squall::net {

real_job_port::real_job_port(real_runtime& rt, real_history& history, stream_consumer& queue,
                             real_job_port_config config)
    : rt_(rt), history_(history), queue_(queue), config_(std::move(config)) {
  SQUALL_ASSERT(static_cast<bool>(config_.work_time) && static_cast<bool>(config_.apply) &&
                    static_cast<bool>(config_.kv),
                "real_job_port: work_time, apply and kv are required");
}

std::optional<stack::worker::job> real_job_port::receive(std::uint32_t) {
  std::optional<stream_delivery> d = queue_.take();
  if (!d) return std::nullopt;
  stack::worker::job j;
  std::from_chars(d->key.data(), d->key.data() + d->key.size(), j.key);
  j.message = d->message;
  j.delivery = next_receipt_++;
  j.round = d->round;
  deliveries_.emplace(j.delivery, std::move(*d));
  return j;
}

std::optional<stack::instant> real_job_port::next_job_at() {
  if (queue_.has_buffered()) return rt_.now();
  return std::nullopt;  // the consumer pokes the node when it buffers deliveries
}

void real_job_port::ack(const stack::worker::job& j) {
  if (auto it = deliveries_.find(j.delivery); it != deliveries_.end()) {
    queue_.ack(it->second);
    deliveries_.erase(it);
  }
}

void real_job_port::requeue(const stack::worker::job& j, stack::duration after) {
  if (auto it = deliveries_.find(j.delivery); it != deliveries_.end()) {
    queue_.requeue(it->second, after);
    deliveries_.erase(it);
  }
}

bool real_job_port::partitioned(stack::instant true_now) const {
  for (const window& p : partitions_) {
    if (p.from <= true_now && true_now < p.to) return true;
  }
  return false;
}

void real_job_port::send_kv(const stack::kv_command& command, stack::duration timeout,
                            stack::worker::kv_handler done) {
  const stack::instant now = history_.true_now();
  if (partitioned(now)) {
    // The command never reaches the store: the client hears nothing until its deadline.
    std::uint32_t slot;
    if (free_.empty()) {
      slot = static_cast<std::uint32_t>(dropped_.size());
      dropped_.push_back(done);
    } else {
      slot = free_.back();
      free_.pop_back();
      dropped_[slot] = done;
    }
    rt_.at_true(now + timeout, stack::task{&real_job_port::time_out, this, slot});
    return;
  }
  stack::kv_command prefixed = command;
  prefixed.key = config_.key_prefix + command.key;
  config_.kv(prefixed, timeout, done);
}

void real_job_port::time_out(void* self, std::uint64_t slot) {
  auto& port = *static_cast<real_job_port*>(self);
  const stack::worker::kv_handler done = port.dropped_[slot];
  port.free_.push_back(static_cast<std::uint32_t>(slot));
  stack::kv_reply reply;
  reply.status = stack::kv_status::timeout;
  done.fn(done.self, done.arg, reply);
}

void real_job_port::work(const stack::worker::job&, stack::task done) {
  rt_.at_true(history_.true_now() + config_.work_time(), done);
}

stack::worker::effect_result real_job_port::apply_effect(const stack::worker::job& j, std::uint32_t worker,
                                                         std::int64_t fence, const std::string& fence_resource) {
  const stack::worker::effect_result r =
      config_.apply(effect_request{j.key, worker, fence, fence_resource, j.delivery, j.round});
  history::event e = stack::worker::effect_event(j, worker, fence, r);
  rt_.emit(e);
  return r;
}

void real_job_port::on_dead_letter(const stream_dead_letter& d) {
  history::event e;
  e.type = history::event_type::dlq;
  e.req = d.message;
  std::from_chars(d.key.data(), d.key.data() + d.key.size(), e.key);
  e.cause = history::dlq_cause::max_deliveries;
  rt_.emit(e);
}

void real_job_port::forget_deliveries() {
  deliveries_.clear();
  queue_.forget();
}

}  // namespace squall::net
