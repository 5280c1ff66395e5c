#include "runner/real_world.hpp"

#include <chrono>
#include <memory>
#include <optional>
#include <stdexcept>

#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>

#include "fakes/real/admin_client.hpp"
#include "fakes/real/http_server.hpp"
#include "net/http_client.hpp"
#include "net/load_target.hpp"
#include "net/open_loop.hpp"
#include "net/real_history.hpp"
#include "net/real_runtime.hpp"
#include "reports/report_builder.hpp"
#include "runner/fault_marker.hpp"
#include "runner/real_job_world.hpp"
#include "runner/tee_sink.hpp"
#include "stack/worker/worker_pool.hpp"

namespace squall::runner {

namespace {

// The HTTP dependencies of a real run: a client per dependency, and squall's own fake server for each one the
// scenario gives no url. Fake servers get the scenario's faults for their dependency, timed from their start,
// and the simulator's PRNG stream for it, so they answer like the simulated dependency does. A url served by a
// running `squall fake http` gets the faults through its admin API.
class real_dependencies {
 public:
  real_dependencies(const scenario& s, std::uint64_t seed, const real_run_options& real) {
    const std::uint64_t fakes_seed = sim::rng(seed).fork("fakes").seed();
    for (std::size_t i = 0; i < s.dependencies.size(); ++i) {
      const fakes::dependency_config& dep = s.dependencies[i];
      net::http_client_config client;
      client.max_connections = static_cast<std::size_t>(std::max(1, s.workload.workers));
      client.max_queued = s.workload.queue_max + client.max_connections;
      std::vector<fakes::fault_config> mine;
      for (const auto& f : s.faults)
        if (f.target_index == i) mine.push_back(f);
      if (dep.url.empty()) {
        fakes::real::server_options options;
        options.seed = fakes_seed;
        options.threads = 1;
        auto server = std::make_unique<fakes::real::http_server>(dep, std::move(mine), options);
        server->start();
        client.endpoint = {boost::asio::ip::make_address("127.0.0.1"), server->port()};
        client.host = "127.0.0.1:" + std::to_string(server->port());
        urls_.push_back("http://" + client.host + "/ (squall fake)");
        servers_.push_back(std::move(server));
      } else {
        const net::load_target target = net::parse_load_url(dep.url);
        client.endpoint = net::resolve_load_target(target, real.allow_remote);
        client.host = target.host_header;
        client.path = target.path;
        urls_.push_back(dep.url);
        // A url served by `squall fake http` gets the faults through its admin API; any other is only marked.
        const fakes::real::admin_target admin{client.endpoint, client.host};
        if (!mine.empty() && fakes::real::is_squall_fake(admin)) {
          const std::size_t posted = fakes::real::post_faults(admin, mine).size();
          urls_.back() += " (squall fake: " + std::to_string(posted) + " fault" + (posted == 1 ? "" : "s") + " posted)";
        } else if (!mine.empty()) {
          external_faults_ = true;
        }
      }
      configs_.push_back(std::move(client));
    }
  }
  ~real_dependencies() { stop(); }

  void stop() {
    for (auto& server : servers_) server->stop();
  }
  const std::vector<net::http_client_config>& clients() const { return configs_; }
  const std::vector<std::string>& urls() const { return urls_; }
  // Some scenario fault targets a dependency squall does not run: only the markers are recorded.
  bool external_faults() const { return external_faults_; }

 private:
  std::vector<std::unique_ptr<fakes::real::http_server>> servers_;
  std::vector<net::http_client_config> configs_;
  std::vector<std::string> urls_;
  bool external_faults_ = false;
};

// Calls the progress callback once a second of real time until the run ends.
struct progress_ticker {
  boost::asio::steady_timer timer;
  const run_options& options;
  const net::real_history& history;
  std::int64_t duration_ns;

  void arm() {
    timer.expires_after(std::chrono::seconds(1));
    timer.async_wait([this](const boost::system::error_code& ec) {
      if (ec) return;
      tick();
      arm();
    });
  }
  void tick() const {
    if (options.progress)
      options.progress({std::min(duration_ns, stack::ns_since_start(history.true_now())), duration_ns,
                        history.events()});
  }
};

}  // namespace

run_result run_real(const scenario& s, const run_options& options, const real_run_options& real) {
  const sim::rng root(options.seed);
  reports::report_builder report(make_header(s, options.seed, options.repro));
  tee_sink sink(report, options.history);
  std::optional<real_dependencies> deps;
  if (s.workload.enabled) deps.emplace(s, options.seed, real);

  net::real_history history(sink);  // the run's clock starts here
  boost::asio::io_context io;
  std::vector<std::unique_ptr<net::http_client>> clients;
  if (deps)
    for (const auto& c : deps->clients()) clients.push_back(std::make_unique<net::http_client>(io, c));
  net::real_runtime runtime(
      io, history,
      [&clients](std::size_t dependency, stack::duration timeout, stack::http_handler done) {
        clients[dependency]->send(timeout, done);
      },
      root.fork("stack/jitter"));
  const stack::instant end = stack::instant_from_ns(s.run_for.count());

  std::optional<stack::worker::worker_pool> pool;
  std::optional<net::open_loop> arrivals;
  if (s.workload.enabled) {
    stack::worker::pool_config pool_config{s.workload.workers, s.workload.queue_max, s.workload.target_index};
    std::vector<stack::worker::candidate_policy> candidates;
    for (const candidate_config& c : s.candidates) candidates.push_back(c.policy);
    pool.emplace(runtime, pool_config, s.policy, candidates);
    net::open_loop_config loop;
    loop.arrivals = s.workload.arrivals;
    loop.seed = options.seed;
    loop.duration = s.run_for;
    loop.max_in_flight = static_cast<std::size_t>(-1);  // the pool's own queue_max bounds the waiting originals
    arrivals.emplace(io, loop, [&](stack::instant) {
      pool->submit();
      arrivals->complete();
    });
  }
  fault_marker marker{runtime, s.faults};
  for (std::size_t i = 0; i < s.faults.size(); ++i) {
    runtime.at_true(stack::instant_from_ns(s.faults[i].from.count()), {&fault_marker::fire, &marker, i << 1});
    if (s.faults[i].to < s.run_for)
      runtime.at_true(stack::instant_from_ns(s.faults[i].to.count()), {&fault_marker::fire, &marker, (i << 1) | 1});
  }
  std::unique_ptr<real_job_world> jobs;
  if (s.jobs.enabled) jobs = std::make_unique<real_job_world>(s, history, root);

  progress_ticker ticker{boost::asio::steady_timer(io), options, history, s.run_for.count()};
  // Ctrl-C must not orphan a managed redis-server or leave worker threads running: stop the loop, then clean up.
  std::optional<stack::instant> interrupted_at;
  boost::asio::signal_set signals(io, SIGINT, SIGTERM);
  signals.async_wait([&](const boost::system::error_code& ec, int) {
    if (ec) return;
    interrupted_at = history.true_now();
    io.stop();
  });
  runtime.at_true(end, {[](void* self, std::uint64_t) { static_cast<boost::asio::io_context*>(self)->stop(); }, &io, 0});
  if (jobs) jobs->start();
  if (arrivals) arrivals->start(history.steady_at(stack::instant_from_ns(0)));
  ticker.arm();
  io.run();
  if (jobs) jobs->stop();
  ticker.tick();

  run_result result;
  result.report = report.finish();
  result.events = history.events();
  nlohmann::json info = {{"mode", "real"}};
  if (interrupted_at) info["interrupted_at_s"] = stack::to_s(interrupted_at->time_since_epoch());
  if (deps) {
    info["dependencies"] = deps->urls();
    if (deps->external_faults())
      info["note"] = "faults against dependencies with a url are marked in the history but not applied by squall";
  }
  if (arrivals) {
    const auto& st = arrivals->stats();
    info["arrivals"] = {{"fired", st.fired}, {"late", st.late}, {"max_lag_ms", stack::to_ms(st.max_lag)}};
  }
  if (jobs) {
    const auto st = jobs->stats();
    info["jobs"] = {{"redis", jobs->redis_url()}, {"run_id", jobs->run_id()}, {"enqueued", st.enqueued},
                    {"enqueue_failed", st.enqueue_failed}, {"delivered", st.delivered},
                    {"redelivered", st.redelivered}, {"dead_lettered", st.dead_lettered}, {"acked", st.acked}};
  }
  result.report["real"] = std::move(info);
  // Attempts still in flight at the end own client slots: stop the loop for good before the clients go.
  io.stop();
  clients.clear();
  if (deps) deps->stop();
  return result;
}

}  // namespace squall::runner
