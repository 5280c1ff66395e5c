#include "runner/job_world.hpp"

#include <charconv>
#include <map>
#include <string>

#include "fakes/latency.hpp"
#include "runner/scenario_names.hpp"
#include "stack/core/assert.hpp"

namespace squall::runner {

using stack::instant;

// The job_port of one node over the world's queue, store and ledger. Queue operations take effect at once
// (the queue is a model of delivery semantics, not of its own latency); store commands take the store's latency
// and answer on the node's runtime, so a paused node sees them only when it resumes.
class sim_job_port final : public stack::worker::job_port {
 public:
  sim_job_port(job_world& world, sim::sim_runtime& rt, const fakes::latency_config& work, sim::rng work_rng)
      : w_(world), rt_(rt), work_(work), work_rng_(work_rng) {}

  std::optional<stack::worker::job> receive(std::uint32_t worker) override {
    auto d = w_.queue_.receive(w_.sim_.now(), "w" + std::to_string(worker));
    w_.drain_dead_letters();
    if (!d) return std::nullopt;
    stack::worker::job j;
    const std::string& k = d->message.idempotency_key;
    std::from_chars(k.data(), k.data() + k.size(), j.key);
    j.message = d->message.id;
    j.delivery = d->id;
    j.round = d->message.deliveries;
    deliveries_.emplace(d->id, std::move(*d));
    return j;
  }

  std::optional<instant> next_job_at() override {
    const auto t = w_.queue_.next_visible_at();
    if (!t) return std::nullopt;
    return rt_.clock().local(std::max(*t, w_.sim_.now()));
  }

  void ack(const stack::worker::job& j) override {
    if (auto it = deliveries_.find(j.delivery); it != deliveries_.end()) {
      w_.queue_.ack(w_.sim_.now(), it->second);
      deliveries_.erase(it);
    }
  }

  void requeue(const stack::worker::job& j, stack::duration after) override {
    if (auto it = deliveries_.find(j.delivery); it != deliveries_.end()) {
      w_.queue_.extend(w_.sim_.now(), it->second, after);
      deliveries_.erase(it);
      w_.wake_nodes_soon();
    }
  }

  void send_kv(const stack::kv_command& command, stack::duration timeout, stack::worker::kv_handler done) override {
    const instant now = w_.sim_.now();
    const instant deadline = now + timeout;
    pending p{done, {}};
    instant at = deadline;
    if (partitioned(now)) {
      p.reply.status = stack::kv_status::timeout;  // the command never reaches the store
    } else {
      fakes::kv_result r = w_.store_.execute(now, command);
      if (r.answers && r.at < deadline) {
        at = r.at;
        p.reply = std::move(r.reply);
      } else {
        p.reply.status = stack::kv_status::timeout;  // it ran; the client gave up waiting
      }
    }
    std::uint32_t slot;
    if (free_.empty()) {
      slot = static_cast<std::uint32_t>(calls_.size());
      calls_.push_back(std::move(p));
    } else {
      slot = free_.back();
      free_.pop_back();
      calls_[slot] = std::move(p);
    }
    rt_.at_true(at, stack::task{&sim_job_port::deliver, this, slot});
  }

  void work(const stack::worker::job&, stack::task done) override {
    rt_.at_true(w_.sim_.now() + fakes::draw_latency(work_, work_rng_), done);
  }

  stack::worker::effect_result apply_effect(const stack::worker::job& j, std::uint32_t worker, std::int64_t fence,
                                            const std::string& fence_resource) override {
    fakes::ledger_effect effect;
    effect.key = std::to_string(j.key);
    effect.node = "w" + std::to_string(worker);
    if (fence > 0) effect.fence_token = static_cast<std::uint64_t>(fence);
    effect.fence_resource = fence_resource;
    effect.delivery = j.delivery;
    effect.attempt = j.round;
    const fakes::apply_result r = w_.ledger_.apply(w_.sim_.now(), effect);
    const auto result = r == fakes::apply_result::applied ? stack::worker::effect_result::applied
                                                          : stack::worker::effect_result::rejected_stale_token;
    history::event e = stack::worker::effect_event(j, worker, fence, result);
    w_.emit(e);
    return result;
  }

  // A crash forgets the node's receipts: its deliveries lapse and are redelivered.
  void forget_deliveries() { deliveries_.clear(); }
  void add_partition(instant from, instant to) { partitions_.push_back({from, to}); }

 private:
  struct pending {
    stack::worker::kv_handler done;
    stack::kv_reply reply;
  };
  struct window {
    instant from, to;
  };

  bool partitioned(instant now) const {
    for (const window& p : partitions_) {
      if (p.from <= now && now < p.to) return true;
    }
    return false;
  }

  static void deliver(void* self, std::uint64_t slot) {
    auto& port = *static_cast<sim_job_port*>(self);
    pending p = std::move(port.calls_[slot]);
    port.free_.push_back(static_cast<std::uint32_t>(slot));
    p.done.fn(p.done.self, p.done.arg, p.reply);
  }

  job_world& w_;
  sim::sim_runtime& rt_;
  fakes::latency_config work_;
  sim::rng work_rng_;
  std::map<std::uint64_t, fakes::delivery> deliveries_;  // receipts held by this node's workers
  std::vector<pending> calls_;
  std::vector<std::uint32_t> free_;
  std::vector<window> partitions_;
};

struct job_world::node_parts {
  sim::sim_runtime rt;
  sim_job_port port;
  stack::worker::job_node flow;

  node_parts(job_world& w, sim::simulator& sim, sim::http_backend& no_http, history::event_sink& sink,
             const sim::rng& root, const scenario& s, int i, std::uint64_t& sequence)
      : rt(sim, no_http, sink, root.fork("jobs/node/" + std::to_string(i)),
           static_cast<std::size_t>(i) < s.jobs.clocks.size() ? s.jobs.clocks[static_cast<std::size_t>(i)]
                                                              : sim::node_clock{}),
        port(w, rt, s.jobs.work, root.fork("jobs/work/" + std::to_string(i))),
        flow(rt, port, s.jobs.flow, static_cast<std::uint32_t>(i),
             static_cast<std::uint32_t>(i * s.jobs.flow.concurrency)) {
    rt.make_pausable();
    rt.share_sequence(sequence);
  }
};

job_world::job_world(const scenario& s, sim::simulator& sim, sim::http_backend& no_http, const sim::rng& root,
                     history::event_sink& sink, std::uint64_t& sequence)
    : s_(s),
      sim_(sim),
      world_rt_(sim, no_http, sink, root.fork("jobs/world")),
      store_(s.jobs.store, root.fork("jobs/store")),
      queue_(s.jobs.queue, root.fork("jobs/queue")),
      ledger_(s.jobs.ledger),
      arrivals_(s.jobs.arrivals, root.fork("jobs/arrivals")),
      keys_(root.fork("jobs/keys")) {
  world_rt_.share_sequence(sequence);
  for (int i = 0; i < s.jobs.nodes; ++i) {
    nodes_.push_back(std::make_unique<node_parts>(*this, sim, no_http, sink, root, s, i, sequence));
  }
}

job_world::~job_world() = default;

const stack::worker::job_node& job_world::node(std::size_t i) const { return nodes_.at(i)->flow; }

std::int32_t job_world::first_worker(int node) const { return node * s_.jobs.flow.concurrency; }

void job_world::start(instant end) {
  end_ = end;
  for (std::size_t i = 0; i < s_.node_faults.size(); ++i) {
    const node_fault& f = s_.node_faults[i];
    if (f.kind == node_fault_kind::redis_unavailable) {
      store_.set_unavailable(stack::instant_from_ns(f.from.count()), stack::instant_from_ns(f.to.count()));
    } else if (f.kind == node_fault_kind::partition) {
      nodes_.at(static_cast<std::size_t>(f.node))->port.add_partition(stack::instant_from_ns(f.from.count()),
                                                                      stack::instant_from_ns(f.to.count()));
    }
    if (f.from.count() < stack::ns_since_start(end)) {
      sim_.at(stack::instant_from_ns(f.from.count()), stack::task{&job_world::fault_thunk, this, i << 1});
    }
    if (f.kind == node_fault_kind::worker_crash && f.restart && f.to < s_.run_for) {
      sim_.at(stack::instant_from_ns(f.to.count()), stack::task{&job_world::fault_thunk, this, (i << 1) | 1});
    }
  }
  for (auto& n : nodes_) n->flow.start();
  if (s_.jobs.flow.source == stack::worker::job_source::queue) {
    const instant first = arrivals_.next(stack::instant_from_ns(0));
    if (first < end_) sim_.at(first, stack::task{&job_world::arrival_thunk, this, 0});
  }
}

void job_world::arrival_thunk(void* self, std::uint64_t) { static_cast<job_world*>(self)->on_arrival(); }

void job_world::on_arrival() {
  const std::uint64_t key =
      s_.jobs.keys > 0 ? 1 + static_cast<std::uint64_t>(keys_.uniform01() * static_cast<double>(s_.jobs.keys))
                       : next_key_++;
  (void)queue_.enqueue(sim_.now(), std::to_string(key));  // a full queue counts the rejection
  wake_nodes_soon();
  const instant next = arrivals_.next(sim_.now());
  if (next < end_) sim_.at(next, stack::task{&job_world::arrival_thunk, this, 0});
}

void job_world::wake_nodes_soon() {
  // Coalesced and deferred: a node's own ack or requeue must not re-enter it.
  if (wake_pending_) return;
  wake_pending_ = true;
  sim_.at(sim_.now(), stack::task{&job_world::wake_thunk, this, 0});
}

void job_world::wake_thunk(void* self, std::uint64_t) {
  auto& w = *static_cast<job_world*>(self);
  w.wake_pending_ = false;
  for (auto& n : w.nodes_) {
    if (!n->rt.paused()) n->flow.poke();
  }
}

void job_world::drain_dead_letters() {
  while (auto d = queue_.poll_dead_letter()) {
    history::event e;
    e.type = history::event_type::dlq;
    e.req = d->message.id;
    std::from_chars(d->message.idempotency_key.data(),
                    d->message.idempotency_key.data() + d->message.idempotency_key.size(), e.key);
    e.cause = d->cause == fakes::dlq_cause::max_deliveries ? history::dlq_cause::max_deliveries
                                                           : history::dlq_cause::permanent;
    emit(e);
  }
}

void job_world::fault_thunk(void* self, std::uint64_t arg) {
  static_cast<job_world*>(self)->on_fault(static_cast<std::size_t>(arg >> 1), (arg & 1) != 0);
}

void job_world::on_fault(std::size_t index, bool second) {
  const node_fault& f = s_.node_faults[index];
  node_parts* n = f.node >= 0 ? nodes_.at(static_cast<std::size_t>(f.node)).get() : nullptr;
  const instant now = sim_.now();
  history::event e;
  e.proc = f.node >= 0 ? first_worker(f.node) : -1;
  switch (f.kind) {
    case node_fault_kind::process_pause:
      n->rt.pause_until(stack::instant_from_ns(f.to.count()));
      e.type = history::event_type::process_pause;
      e.value_ns = (f.to - f.from).count();
      break;
    case node_fault_kind::clock_skew:
    case node_fault_kind::clock_jump: {
      sim::node_clock& clock = n ? n->rt.clock() : store_.clock();
      const auto step = stack::duration{static_cast<std::int64_t>(
          (f.kind == node_fault_kind::clock_jump ? f.jump_ms : f.offset_ms) * 1e6)};
      clock.jump(step);
      if (f.kind == node_fault_kind::clock_skew) clock.set_drift(now, f.drift_ppm);
      e.type = history::event_type::clock_jump;
      e.value_ns = step.count();
      break;
    }
    case node_fault_kind::worker_crash:
      if (second) {
        n->flow.restart();
        return;
      }
      n->flow.crash();  // marks each worker that lost a job
      n->port.forget_deliveries();
      return;
    case node_fault_kind::redis_restart:
      store_.restart(now, f.to - f.from);
      e.type = history::event_type::store_restart;
      e.value_ns = (f.to - f.from).count();
      e.data_lost = s_.jobs.store.persistence != fakes::kv_persistence::aof_always;
      break;
    case node_fault_kind::redis_unavailable:
    case node_fault_kind::partition:
      return;  // planned in start(); the history header lists the window
  }
  emit(e);
}

}  // namespace squall::runner

namespace squall::runner {
const char* to_string(node_fault_kind k) {
  for (const auto& entry : names::node_fault_kinds) {
    if (entry.value == k) return entry.name.data();  // the table's names are string literals
  }
  return "?";
}
}  // namespace squall::runner
