#pragma once
// A worker pool on the real simulator with a scripted dependency, recording every event.
#include <functional>
#include <vector>

#include "sim/sim_runtime.hpp"
#include "stack/worker/worker_pool.hpp"

namespace squall::test {

using namespace std::chrono_literals;
using history::event;
using history::event_type;

struct recording_sink final : history::event_sink {
  std::vector<event> events;
  void on_event(const event& e) override { events.push_back(e); }
  std::vector<event> of(event_type t) const {
    std::vector<event> out;
    for (const auto& e : events)
      if (e.type == t) out.push_back(e);
    return out;
  }
};

struct scripted_backend final : sim::http_backend {
  std::function<sim::http_reply(std::size_t, stack::instant)> script;
  sim::http_reply serve(std::size_t dep, stack::instant now) override { return script(dep, now); }
};

inline sim::http_reply reply_after(stack::instant now, stack::duration after, int status,
                                   stack::duration retry_after = stack::duration{0}) {
  sim::http_reply r;
  r.at = now + after;
  r.result.kind = stack::attempt_kind::response;
  r.result.status = status;
  r.result.retry_after = retry_after;
  return r;
}

struct pool_fixture {
  sim::simulator sim;
  scripted_backend backend;
  recording_sink sink;
  sim::sim_runtime runtime{sim, backend, sink, sim::rng(7)};

  // Submits one original at each given time and runs to `end`.
  void run(stack::worker::worker_pool& pool, std::vector<stack::duration> arrivals, stack::duration end) {
    struct submitter {
      stack::worker::worker_pool* pool;
      static void fire(void* self, std::uint64_t) { static_cast<submitter*>(self)->pool->submit(); }
    } s{&pool};
    for (auto t : arrivals) sim.at(stack::instant{t}, stack::task{&submitter::fire, &s, 0});
    sim.run_until(stack::instant{end});
  }
};

inline stack::resilience::policy_config no_jitter_policy(int max_attempts) {
  stack::resilience::policy_config p;
  p.timeout = 200ms;
  p.retry.max_attempts = max_attempts;
  p.retry.backoff.kind = stack::resilience::backoff_kind::none;
  p.retry.backoff.base = 100ms;
  p.retry.backoff.cap = 10s;
  return p;
}

}  // namespace squall::test
