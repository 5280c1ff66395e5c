// Cost of the jobs world's hot paths (issue 3): the simulated Redis (a lock cycle of SET NX PX + owner-checked
// delete), a whole lease_lock acquire + release driven synchronously against it, the at-least-once queue and the
// side-effect ledger. Targets and results live in docs/PERFORMANCE.md.
#include <benchmark/benchmark.h>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "fakes/job_queue.hpp"
#include "fakes/kv_store.hpp"
#include "fakes/ledger.hpp"
#include "sim/rng.hpp"
#include "stack/core/kv.hpp"
#include "stack/lock/lease_lock.hpp"

namespace {

using namespace squall;

constexpr std::size_t key_space = 10'000;  // jobs-hour's order ids

stack::instant at_ns(std::int64_t ns) { return stack::instant_from_ns(ns); }

fakes::kv_store make_store(fakes::kv_persistence persistence) {
  fakes::kv_store_config c;
  c.persistence = persistence;
  return fakes::kv_store(c, sim::rng(1));
}

// 10 k live keys that never expire, as claim_first's idempotency markers: the store is not empty while locks
// come and go.
void fill_markers(fakes::kv_store& store, std::int64_t& t) {
  for (std::size_t i = 0; i < key_space; ++i) {
    stack::kv_command c{stack::kv_op::set_px, "idem:" + std::to_string(i), "done", stack::duration{0}};
    store.execute(at_ns(t), c);
    t += 1'000;
  }
}

// One lock cycle on the store alone: SET lock:k token NX PX 10000, then the compare-and-delete, round robin over
// 10 k lock keys. Simulated time moves 10 µs per command (50 k cycles per simulated second, issue 5's real-mode
// rate), which sets how many writes aof_everysec's undo journal holds (about 100 k: one second of writes).
void bm_kv_lock_cycle(benchmark::State& state) {
  const auto persistence = static_cast<fakes::kv_persistence>(state.range(0));
  fakes::kv_store store = make_store(persistence);
  std::int64_t t = 0;
  fill_markers(store, t);
  std::vector<stack::kv_command> acquire(key_space), release(key_space);
  for (std::size_t i = 0; i < key_space; ++i) {
    const std::string key = "lock:" + std::to_string(i);
    const std::string token = "n1-" + std::to_string(i);
    acquire[i] = {stack::kv_op::set_nx_px, key, token, stack::duration{10'000'000'000}};
    release[i] = {stack::kv_op::del_if_owner, key, token, stack::duration{0}};
  }
  std::size_t k = 0;
  std::int64_t failed = 0;
  for (auto _ : state) {
    t += 10'000;
    const fakes::kv_result a = store.execute(at_ns(t), acquire[k]);
    t += 10'000;
    const fakes::kv_result r = store.execute(at_ns(t), release[k]);
    failed += (a.reply.status != stack::kv_status::ok) + (r.reply.integer != 1);
    benchmark::DoNotOptimize(r.at);
    if (++k == key_space) k = 0;
  }
  if (failed != 0) state.SkipWithError("a lock cycle did not acquire and delete");
  state.SetItemsProcessed(state.iterations());  // one cycle = two commands
  state.counters["keys_live"] = static_cast<double>(store.stats().keys_live);
  state.counters["journal"] = static_cast<double>(store.stats().journal_writes);
  state.SetLabel(fakes::to_string(persistence));
}
BENCHMARK(bm_kv_lock_cycle)
    ->Arg(static_cast<int>(fakes::kv_persistence::none))
    ->Arg(static_cast<int>(fakes::kv_persistence::aof_everysec))
    ->Arg(static_cast<int>(fakes::kv_persistence::aof_always));

double next_uniform(void* self) { return static_cast<sim::rng*>(self)->uniform01(); }

// The client side too: a lease_lock per key (jobs-hour's lock: ttl 10 s, renewal on, owner-checked release),
// start_acquire → poll_command → execute → handle_reply → acquired event, then start_release → ... → released.
// The client's clock is true time; each reply is handled at the time the store says it arrives, so simulated
// time moves by two store latencies (~1 ms) per cycle. Arg(1) adds fencing (INCR lock:k:fence, three commands).
void bm_lease_lock_cycle(benchmark::State& state) {
  const bool fencing = state.range(0) != 0;
  fakes::kv_store store = make_store(fakes::kv_persistence::aof_everysec);
  std::int64_t t0 = 0;
  fill_markers(store, t0);
  stack::instant now = at_ns(t0);
  sim::rng jitter(2);
  std::vector<stack::lock::lease_lock> locks;
  locks.reserve(key_space);
  for (std::size_t i = 0; i < key_space; ++i) {
    stack::lock::lock_config c;
    c.key = "lock:" + std::to_string(i);
    c.fencing = fencing;
    locks.emplace_back(c, stack::lock::uniform_source{&next_uniform, &jitter});
  }
  // Sends every command the lock has produced and feeds back the reply; returns the last event.
  const auto drive = [&](stack::lock::lease_lock& lock) {
    std::optional<stack::lock::lock_event> last;
    while (auto command = lock.poll_command()) {
      const fakes::kv_result r = store.execute(now, *command);
      now = r.at;
      lock.handle_reply(now, r.reply);
      while (auto e = lock.poll_event()) last = std::move(e);
    }
    return last;
  };
  std::size_t k = 0;
  std::uint64_t token = 0;
  std::int64_t failed = 0;
  for (auto _ : state) {
    stack::lock::lease_lock& lock = locks[k];
    lock.start_acquire(now, "n1-" + std::to_string(++token));
    const auto acquired = drive(lock);
    lock.start_release(now);
    const auto released = drive(lock);
    failed += !acquired || acquired->kind != stack::lock::lock_event_kind::acquired || !released ||
              released->kind != stack::lock::lock_event_kind::released;
    if (++k == key_space) k = 0;
  }
  if (failed != 0) state.SkipWithError("a lease_lock cycle did not acquire and release");
  state.SetItemsProcessed(state.iterations());
  state.counters["cmds_per_cycle"] =
      static_cast<double>(store.stats().commands_executed - key_space) / static_cast<double>(state.iterations());
  state.SetLabel(fencing ? "fencing" : "no fencing");
}
BENCHMARK(bm_lease_lock_cycle)->Arg(0)->Arg(1);

// The queue at jobs-hour's rhythm: a backlog of 1000 messages over 10 k idempotency keys, 1 % spontaneous
// duplicates; each iteration enqueues one message, receives the oldest visible one and acks it (a duplicate
// copy, when the queue hands one out, is acked too, which makes the other copy's ack stale). 20 ms apart.
void bm_job_queue_cycle(benchmark::State& state) {
  fakes::job_queue_config c;
  c.duplicate_rate = 0.01;
  fakes::job_queue q(c, sim::rng(3));
  std::vector<std::string> keys(key_space);
  for (std::size_t i = 0; i < key_space; ++i) keys[i] = "order-" + std::to_string(i);
  std::int64_t t = 0;
  std::size_t k = 0;
  for (std::size_t i = 0; i < 1'000; ++i) {
    benchmark::DoNotOptimize(q.enqueue(at_ns(t), keys[k]));
    if (++k == key_space) k = 0;
  }
  for (auto _ : state) {
    t += 20'000'000;
    benchmark::DoNotOptimize(q.enqueue(at_ns(t), keys[k]));
    if (++k == key_space) k = 0;
    if (auto d = q.receive(at_ns(t), "n1")) benchmark::DoNotOptimize(q.ack(at_ns(t), *d));
  }
  state.SetItemsProcessed(state.iterations());
  state.counters["backlog"] = static_cast<double>(q.size());
}
BENCHMARK(bm_job_queue_cycle);

std::vector<fakes::ledger_effect> effects(bool fenced) {
  std::vector<fakes::ledger_effect> out(key_space);
  for (std::size_t i = 0; i < key_space; ++i) {
    out[i].key = "order-" + std::to_string(i);
    out[i].node = "n" + std::to_string(i % 3);
    if (fenced) {
      out[i].fence_token = 1;
      out[i].fence_resource = "lock:" + std::to_string(i);
    }
    out[i].delivery = i + 1;
    out[i].attempt = 1;
  }
  return out;
}

// First applications: each iteration fills a fresh ledger with 10 k keys (what one hour of jobs-hour records).
void bm_ledger_apply_new_keys(benchmark::State& state) {
  const auto all = effects(state.range(0) != 0);
  for (auto _ : state) {
    fakes::ledger l(fakes::ledger_config{.reject_stale_tokens = state.range(0) != 0});
    std::int64_t t = 0;
    for (const auto& e : all) benchmark::DoNotOptimize(l.apply(at_ns(t += 1'000'000), e));
  }
  state.SetItemsProcessed(state.iterations() * static_cast<std::int64_t>(key_space));
  state.SetLabel(state.range(0) != 0 ? "fenced" : "unfenced");
}
BENCHMARK(bm_ledger_apply_new_keys)->Arg(0)->Arg(1)->Unit(benchmark::kMicrosecond);

// Applications to keys already recorded (the duplicate path), round robin over 10 k keys; Arg(1) carries a
// fencing token per lock that rises by one per round, checked against the highest seen (reject_stale_tokens).
void bm_ledger_apply_existing(benchmark::State& state) {
  const bool fenced = state.range(0) != 0;
  auto all = effects(fenced);
  fakes::ledger l(fakes::ledger_config{.reject_stale_tokens = fenced});
  std::int64_t t = 0;
  for (const auto& e : all) l.apply(at_ns(t += 1'000'000), e);
  std::size_t k = 0;
  std::uint64_t round = 1;
  for (auto _ : state) {
    if (fenced) all[k].fence_token = round + 1;
    benchmark::DoNotOptimize(l.apply(at_ns(t += 1'000'000), all[k]));
    if (++k == key_space) {
      k = 0;
      ++round;
    }
  }
  state.SetItemsProcessed(state.iterations());
  state.SetLabel(fenced ? "fenced" : "unfenced");
}
BENCHMARK(bm_ledger_apply_existing)->Arg(0)->Arg(1);

}  // namespace

BENCHMARK_MAIN();
