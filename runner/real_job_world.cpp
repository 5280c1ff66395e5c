#include "runner/real_job_world.hpp"

#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <optional>
#include <stdexcept>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>

#include "fakes/latency.hpp"
#include "net/managed_redis.hpp"
#include "net/real_job_port.hpp"
#include "net/real_runtime.hpp"
#include "net/redis_kv.hpp"
#include "net/shared_fence.hpp"
#include "net/stream_queue.hpp"
#include "sim/arrivals.hpp"
#include "stack/worker/job_node.hpp"

namespace squall::runner {

namespace asio = boost::asio;
using stack::instant;

namespace {

using work_guard = asio::executor_work_guard<asio::io_context::executor_type>;

net::redis_persistence persistence_of(fakes::kv_persistence p) {
  switch (p) {
    case fakes::kv_persistence::none: return net::redis_persistence::none;
    case fakes::kv_persistence::aof_everysec: return net::redis_persistence::aof_everysec;
    case fakes::kv_persistence::aof_always: return net::redis_persistence::aof_always;
  }
  return net::redis_persistence::none;
}

std::string fresh_run_id(const scenario& s) {
  const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                      std::chrono::system_clock::now().time_since_epoch())
                      .count();
  return "squall:" + s.name + ":" + std::to_string(::getpid()) + ":" + std::to_string(ms);
}

instant at_ns(stack::duration d) { return stack::instant_from_ns(d.count()); }

// Node faults that only make sense against the simulated store's clock: a real Redis keeps its own.
bool store_clock_fault(const node_fault& f) {
  return f.node < 0 && (f.kind == node_fault_kind::clock_skew || f.kind == node_fault_kind::clock_jump);
}

}  // namespace

struct real_job_world::world_parts {
  asio::io_context io;
  work_guard guard{io.get_executor()};
  net::real_runtime rt;
  net::redis_connection conn;
  net::stream_producer producer;
  sim::arrival_process arrivals;
  sim::rng keys;
  std::uint64_t next_message = 1;
  std::uint64_t next_key = 1;
  instant end{};
  std::atomic<std::uint64_t> enqueued{0};
  std::atomic<std::uint64_t> enqueue_failed{0};

  world_parts(net::real_history& h, const sim::rng& root, const scenario& s, net::redis_connection_config c,
              const net::stream_names& names, const net::stream_queue_config& qc)
      : rt(io, h, nullptr, root.fork("jobs/world")),
        conn(io, std::move(c)),
        producer(conn, names, qc),
        arrivals(s.jobs.arrivals, root.fork("jobs/arrivals")),
        keys(root.fork("jobs/keys")) {}
};

struct real_job_world::node_parts {
  real_job_world& owner;
  int index;
  asio::io_context io;
  work_guard guard{io.get_executor()};
  net::real_runtime rt;
  net::redis_kv kv;
  net::redis_connection fetch;
  net::stream_consumer consumer;
  sim::rng work_rng;
  net::real_job_port port;
  stack::worker::job_node flow;

  node_parts(real_job_world& w, int i, const sim::rng& root, const net::redis_connection_config& c,
             const net::stream_names& names, const net::stream_queue_config& qc)
      : owner(w),
        index(i),
        rt(io, w.history_, nullptr, root.fork("jobs/node/" + std::to_string(i)),
           static_cast<std::size_t>(i) < w.s_.jobs.clocks.size() ? w.s_.jobs.clocks[static_cast<std::size_t>(i)]
                                                                 : sim::node_clock{}),
        kv(io, c),
        fetch(io, c),
        consumer(io, fetch, kv.connection(), names, "n" + std::to_string(i), qc, hooks()),
        work_rng(root.fork("jobs/work/" + std::to_string(i))),
        port(rt, w.history_, consumer, port_config(w)),
        flow(rt, port, w.s_.jobs.flow, static_cast<std::uint32_t>(i),
             static_cast<std::uint32_t>(i * w.s_.jobs.flow.concurrency)) {}

  net::stream_consumer::hooks hooks() {
    net::stream_consumer::hooks h;
    h.ready = [this] { flow.poke(); };
    h.dead_letter = [this](const net::stream_dead_letter& d) { port.on_dead_letter(d); };
    return h;
  }

  net::real_job_port_config port_config(real_job_world& w) {
    net::real_job_port_config c;
    c.key_prefix = w.options_.run_id + ":";
    const fakes::latency_config work = w.s_.jobs.work;
    c.work_time = [this, work] { return fakes::draw_latency(work, work_rng); };
    c.apply = [&w](const net::effect_request& r) { return w.apply(r); };
    c.kv = [this](const stack::kv_command& command, stack::duration timeout, stack::worker::kv_handler done) {
      kv.send(command, timeout, done);
    };
    return c;
  }

  std::int32_t first_worker() const { return index * owner.s_.jobs.flow.concurrency; }
};

real_job_world::real_job_world(const scenario& s, net::real_history& history, const sim::rng& root)
    : real_job_world(s, history, root, real_jobs_options{}) {}

real_job_world::real_job_world(const scenario& s, net::real_history& history, const sim::rng& root,
                               real_jobs_options options)
    : s_(s), history_(history), options_(std::move(options)), ledger_(s.jobs.ledger) {
  if (options_.run_id.empty()) options_.run_id = fresh_run_id(s);
  const std::string url = options_.redis_url.empty() ? s.jobs.redis : options_.redis_url;
  for (const node_fault& f : s.node_faults) {
    if (f.kind == node_fault_kind::redis_restart && url != "managed" && options_.store_faults) {
      throw std::invalid_argument("a redis_restart fault needs jobs.store.redis = \"managed\" (squall can only "
                                  "SIGKILL and restart a Redis it started)");
    }
    if (store_clock_fault(f)) {
      std::fprintf(stderr, "squall: real mode: %s on the store is ignored (a real Redis keeps its own clock)\n",
                   to_string(f.kind));
    }
  }
  if (url == "managed") {
    net::managed_redis_config mc;
    mc.persistence = persistence_of(s.jobs.store.persistence);
    managed_ = std::make_unique<net::managed_redis>(mc);
    host_ = managed_->host();
    port_ = managed_->port();
  } else {
    parse_redis_url(url, host_, port_);
  }
  if (!options_.ledger_redis_url.empty()) {
    std::string host;
    std::uint16_t port = 0;
    parse_redis_url(options_.ledger_redis_url, host, port);
    shared_fence_ = std::make_unique<net::shared_fence>(host, port, options_.run_id + ":");
  }

  net::redis_connection_config cc;
  cc.host = host_;
  cc.port = port_;
  const net::stream_names names = net::stream_names::for_run(options_.run_id);
  net::stream_queue_config qc;
  qc.visibility_timeout = s.jobs.queue.visibility_timeout;
  qc.max_deliveries = s.jobs.queue.max_deliveries;
  qc.max_messages = s.jobs.queue.max_messages;
  qc.prefetch_max = static_cast<std::size_t>(s.jobs.flow.concurrency);
  qc.claim_every = std::clamp(qc.visibility_timeout / 10, stack::duration{std::chrono::milliseconds{5}},
                              stack::duration{std::chrono::milliseconds{100}});

  world_ = std::make_unique<world_parts>(history, root, s, cc, names, qc);
  world_->end = at_ns(s.run_for);
  std::vector<int> which = options_.nodes;
  if (which.empty()) {
    for (int i = 0; i < s.jobs.nodes; ++i) which.push_back(i);
  }
  for (const int i : which) {
    if (i < 0 || i >= s.jobs.nodes) {
      throw std::invalid_argument("node " + std::to_string(i) + " is not in the scenario (jobs.nodes = " +
                                  std::to_string(s.jobs.nodes) + ")");
    }
    nodes_.push_back(std::make_unique<node_parts>(*this, i, root, cc, names, qc));
  }
  for (const node_fault& f : s.node_faults) {
    if (f.kind != node_fault_kind::partition) continue;
    for (auto& n : nodes_) {
      if (n->index == f.node) n->port.add_partition(at_ns(f.from), at_ns(f.to));
    }
  }
}

real_job_world::~real_job_world() { stop(); }

std::string real_job_world::redis_url() const { return "redis://" + host_ + ":" + std::to_string(port_); }

void real_job_world::start() {
  if (started_) return;
  started_ = true;
  for (auto& n : nodes_) {
    node_parts* np = n.get();
    asio::post(np->io, [this, np] {
      for (std::size_t i = 0; i < s_.node_faults.size(); ++i) {
        const node_fault& f = s_.node_faults[i];
        if (f.node != np->index || f.kind == node_fault_kind::partition || f.from >= s_.run_for) continue;
        np->rt.at_true(at_ns(f.from), stack::task{&real_job_world::node_fault_thunk, np, i << 1});
        if (f.kind == node_fault_kind::worker_crash && f.restart && f.to < s_.run_for) {
          np->rt.at_true(at_ns(f.to), stack::task{&real_job_world::node_fault_thunk, np, (i << 1) | 1});
        }
      }
      np->consumer.start();
      np->flow.start();
    });
    threads_.emplace_back([np] { np->io.run(); });
  }
  world_parts* w = world_.get();
  asio::post(w->io, [this, w] {
    if (options_.store_faults) {
      for (std::size_t i = 0; i < s_.node_faults.size(); ++i) {
        const node_fault& f = s_.node_faults[i];
        if (f.node >= 0 || f.from >= s_.run_for) continue;
        w->rt.at_true(at_ns(f.from), stack::task{&real_job_world::store_fault_thunk, this, i << 1});
        if (f.kind == node_fault_kind::redis_restart) {
          w->rt.at_true(at_ns(f.to), stack::task{&real_job_world::store_fault_thunk, this, (i << 1) | 1});
        }
      }
    }
    if (options_.produce && s_.jobs.flow.source == stack::worker::job_source::queue) {
      const instant first = w->arrivals.next(stack::instant_from_ns(0));
      if (first < w->end) w->rt.at_true(first, stack::task{&real_job_world::arrival_thunk, this, 0});
    }
  });
  threads_.emplace_back([w] { w->io.run(); });
}

void real_job_world::stop() {
  if (stopped_) return;
  stopped_ = true;
  if (world_) world_->io.stop();
  for (auto& n : nodes_) n->io.stop();
  for (std::thread& t : threads_) {
    if (t.joinable()) t.join();
  }
  if (managed_) managed_->stop();
}

void real_job_world::arrival_thunk(void* self, std::uint64_t) { static_cast<real_job_world*>(self)->on_arrival(); }

void real_job_world::on_arrival() {
  world_parts& w = *world_;
  const std::uint64_t key =
      s_.jobs.keys > 0 ? 1 + static_cast<std::uint64_t>(w.keys.uniform01() * static_cast<double>(s_.jobs.keys))
                       : w.next_key++;
  w.producer.enqueue(w.next_message++, std::to_string(key), [&w](bool added) {
    ++(added ? w.enqueued : w.enqueue_failed);
  });
  const instant next = w.arrivals.next(history_.true_now());
  if (next < w.end) w.rt.at_true(next, stack::task{&real_job_world::arrival_thunk, this, 0});
}

void real_job_world::node_fault_thunk(void* self, std::uint64_t arg) {
  auto& n = *static_cast<node_parts*>(self);
  n.owner.on_node_fault(n, static_cast<std::size_t>(arg >> 1), (arg & 1) != 0);
}

void real_job_world::store_fault_thunk(void* self, std::uint64_t arg) {
  static_cast<real_job_world*>(self)->on_store_fault(static_cast<std::size_t>(arg >> 1), (arg & 1) != 0);
}

void real_job_world::on_store_fault(std::size_t index, bool second) {
  const node_fault& f = s_.node_faults[index];
  world_parts& w = *world_;
  switch (f.kind) {
    case node_fault_kind::redis_restart: {
      if (second) {
        managed_->restart();  // blocks this (the producer's) thread until the AOF, if any, is replayed
        return;
      }
      history::event e;
      e.type = history::event_type::store_restart;
      e.value_ns = (f.to - f.from).count();
      // A SIGKILLed process loses only what it had not written to the kernel: with an AOF, nothing.
      e.data_lost = s_.jobs.store.persistence == fakes::kv_persistence::none;
      w.rt.emit(e);
      managed_->kill();
      return;
    }
    case node_fault_kind::redis_unavailable: {
      const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(f.to - f.from).count();
      w.conn.command({"CLIENT", "PAUSE", std::to_string(std::max<std::int64_t>(ms, 1)), "ALL"},
                     std::chrono::seconds{1}, [](net::redis_result&&) {});
      return;
    }
    default: return;  // clock faults on the store: ignored (see the constructor)
  }
}

void real_job_world::on_node_fault(node_parts& n, std::size_t index, bool second) {
  const node_fault& f = s_.node_faults[index];
  history::event e;
  e.proc = n.first_worker();
  switch (f.kind) {
    case node_fault_kind::process_pause: {
      e.type = history::event_type::process_pause;
      const stack::duration until = std::min(f.to, s_.run_for);  // never outlast the run (stop() joins)
      e.value_ns = (f.to - f.from).count();
      n.rt.emit(e);
      const stack::duration left = until - stack::duration{stack::ns_since_start(history_.true_now())};
      if (left > stack::duration::zero()) n.rt.pause_for(left);
      return;
    }
    case node_fault_kind::clock_skew:
    case node_fault_kind::clock_jump: {
      const auto step = stack::duration{static_cast<std::int64_t>(
          (f.kind == node_fault_kind::clock_jump ? f.jump_ms : f.offset_ms) * 1e6)};
      n.rt.clock().jump(step);
      if (f.kind == node_fault_kind::clock_skew) n.rt.clock().set_drift(history_.true_now(), f.drift_ppm);
      e.type = history::event_type::clock_jump;
      e.value_ns = step.count();
      n.rt.emit(e);
      return;
    }
    case node_fault_kind::worker_crash:
      if (second) {
        n.consumer.start();
        n.flow.restart();
        return;
      }
      n.flow.crash();  // marks each worker that lost a job
      n.consumer.stop();
      n.port.forget_deliveries();
      return;
    default: return;
  }
}

stack::worker::effect_result real_job_world::apply(const net::effect_request& r) {
  fakes::ledger_effect effect;
  effect.key = std::to_string(r.key);
  effect.node = "w" + std::to_string(r.worker);
  if (r.fence > 0) effect.fence_token = static_cast<std::uint64_t>(r.fence);
  effect.fence_resource = std::string(r.fence_resource);
  effect.delivery = r.delivery;
  effect.attempt = r.round;
  const std::lock_guard lock(ledger_mutex_);
  if (shared_fence_ && effect.fence_token) {
    const std::string& resource = effect.fence_resource.empty() ? effect.key : effect.fence_resource;
    if (const auto highest = shared_fence_->check_and_raise(resource, *effect.fence_token)) {
      ledger_.learn_highest_token(resource, *highest);
    }
  }
  return ledger_.apply(history_.true_now(), effect) == fakes::apply_result::applied
             ? stack::worker::effect_result::applied
             : stack::worker::effect_result::rejected_stale_token;
}

std::uint64_t real_job_world::shared_fence_errors() const { return shared_fence_ ? shared_fence_->errors() : 0; }

real_jobs_stats real_job_world::stats() const {
  real_jobs_stats out;
  out.enqueued = world_->enqueued;
  out.enqueue_failed = world_->enqueue_failed;
  for (const auto& n : nodes_) {
    const auto& c = n->consumer.stats();
    out.delivered += c.delivered;
    out.redelivered += c.redelivered;
    out.dead_lettered += c.dead_lettered;
    out.acked += c.acked;
  }
  return out;
}

}  // namespace squall::runner
