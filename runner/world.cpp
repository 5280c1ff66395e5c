#include "runner/world.hpp"

#include <memory>
#include <optional>

#include "fakes/http_service.hpp"
#include "runner/fault_marker.hpp"
#include "runner/job_world.hpp"
#include "runner/tee_sink.hpp"
#include "reports/report_builder.hpp"
#include "sim/arrivals.hpp"
#include "sim/sim_runtime.hpp"
#include "sim/simulator.hpp"
#include "stack/worker/worker_pool.hpp"

namespace squall::runner {

namespace {

// Feeds open-loop arrivals into the pool: each arrival schedules the next one.
struct arrival_driver {
  sim::simulator& sim;
  sim::arrival_process& arrivals;
  stack::worker::worker_pool& pool;
  stack::instant end;

  void schedule(stack::instant now) {
    const stack::instant next = arrivals.next(now);
    if (next < end) sim.at(next, stack::task{&arrival_driver::fire, this, 0});
  }
  static void fire(void* self, std::uint64_t) {
    auto& d = *static_cast<arrival_driver*>(self);
    d.pool.submit();
    d.schedule(d.sim.now());
  }
};

}  // namespace

history::header make_header(const scenario& s, std::uint64_t seed, const std::string& repro) {
  history::header h;
  h.scenario = s.name;
  h.description = s.description;
  h.seed = seed;
  h.duration_ns = s.run_for.count();
  for (const auto& d : s.dependencies) h.dependencies.push_back(d.name);
  for (const auto& f : s.faults)
    h.faults.push_back({fakes::to_string(f.kind), f.target, f.from.count(), f.to.count()});
  for (const auto& f : s.node_faults) h.faults.push_back({to_string(f.kind), f.target, f.from.count(), f.to.count()});
  h.gates = s.gates;
  h.candidates = candidate_infos(s.candidates);
  h.flap_window_s = s.flap_window_s;
  h.expect = s.expect;
  h.repro = repro;
  return h;
}

run_result simulate(const scenario& s, const run_options& options) {
  const sim::rng root(options.seed);
  reports::report_builder report(make_header(s, options.seed, options.repro));
  tee_sink sink(report, options.history);

  sim::simulator sim;
  std::uint64_t sequence = 0;  // one `seq` for every event of the run
  fakes::http_fleet fleet(s.dependencies, s.faults, root.fork("fakes"));
  sim::sim_runtime runtime(sim, fleet, sink, root.fork("stack/jitter"));
  runtime.share_sequence(sequence);
  const stack::instant end = stack::instant_from_ns(s.run_for.count());

  std::optional<stack::worker::worker_pool> pool;
  std::optional<sim::arrival_process> arrivals;
  std::optional<arrival_driver> driver;
  if (s.workload.enabled) {
    stack::worker::pool_config pool_config{s.workload.workers, s.workload.queue_max, s.workload.target_index};
    std::vector<stack::worker::candidate_policy> candidates;
    for (const candidate_config& c : s.candidates) candidates.push_back(c.policy);
    pool.emplace(runtime, pool_config, s.policy, candidates);
    arrivals.emplace(s.workload.arrivals, root.fork("arrivals"));
  }
  fault_marker marker{runtime, s.faults};
  for (std::size_t i = 0; i < s.faults.size(); ++i) {
    sim.at(stack::instant_from_ns(s.faults[i].from.count()), stack::task{&fault_marker::fire, &marker, i << 1});
    if (s.faults[i].to < s.run_for)
      sim.at(stack::instant_from_ns(s.faults[i].to.count()), stack::task{&fault_marker::fire, &marker, (i << 1) | 1});
  }
  if (pool) {
    driver.emplace(arrival_driver{sim, *arrivals, *pool, end});
    driver->schedule(stack::instant_from_ns(0));
  }
  std::unique_ptr<job_world> jobs;
  if (s.jobs.enabled) {
    jobs = std::make_unique<job_world>(s, sim, fleet, root, sink, sequence);
    jobs->start(end);
  }

  std::function<void()> tick;
  if (options.progress) {
    tick = [&] { options.progress({sim.now_ns(), s.run_for.count(), sequence}); };
  }
  sim.run_until(end, tick);
  if (tick) tick();

  run_result result;
  result.report = report.finish();
  result.events = sequence;
  return result;
}

}  // namespace squall::runner
