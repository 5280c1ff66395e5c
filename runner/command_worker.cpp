// `squall worker`: this process joins a real run as worker node(s) (issue 5). Every key of the run in Redis is
// prefixed by the run id, so processes with the same --run and --redis share one queue, one lock space and one
// idempotency space. The run's start time lives in Redis (<run>:t0, set by whichever process comes first), and
// each process stamps its history's t_ns from it, so `squall check a.jsonl b.jsonl` merges them in time order.
#include <chrono>
#include <cstdio>
#include <fstream>
#include <memory>
#include <stdexcept>
#include <optional>
#include <thread>

#include "history/jsonl.hpp"
#include "net/real_history.hpp"
#include "net/redis_connection.hpp"
#include "runner/commands.hpp"
#include "runner/exit_codes.hpp"
#include "runner/real_job_world.hpp"
#include "runner/repro.hpp"
#include "runner/scenario_parser.hpp"
#include "runner/world.hpp"

namespace squall::runner {

namespace {

// Shifts every event's t_ns by this process's lateness relative to the run's start.
class shifted_sink final : public history::event_sink {
 public:
  shifted_sink(history::event_sink* next, std::int64_t shift_ns) : next_(next), shift_ns_(shift_ns) {}
  void on_event(const history::event& e) override {
    ++events_;
    if (!next_) return;
    history::event copy = e;
    copy.t_ns += shift_ns_;
    next_->on_event(copy);
  }
  std::uint64_t events() const { return events_; }

 private:
  history::event_sink* next_;
  std::int64_t shift_ns_;
  std::uint64_t events_ = 0;
};

std::int64_t unix_ns() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// SET <run>:t0 now NX, then GET it: the run's start, shared by every process (unix ns). nullopt: no Redis.
std::optional<std::int64_t> run_start_ns(const std::string& url, const std::string& run) {
  net::redis_connection_config c;
  parse_redis_url(url, c.host, c.port);
  boost::asio::io_context io;
  net::redis_connection conn(io, c);
  std::optional<net::redis_result> got;
  const std::string key = run + ":t0";
  conn.command({"SET", key, std::to_string(unix_ns()), "NX"}, std::chrono::seconds{2}, [](net::redis_result&&) {});
  conn.command({"GET", key}, std::chrono::seconds{2}, [&](net::redis_result&& r) { got = std::move(r); });
  io.run_for(std::chrono::seconds{3});
  if (!got || got->status != net::redis_status::ok || got->reply.type != net::redis_reply::kind::string) {
    return std::nullopt;
  }
  return std::stoll(got->reply.str);
}

}  // namespace

int execute(const worker_command& cmd) {
  const parse_outcome parsed = load_scenario(cmd.scenario_file, cmd.overrides);
  if (!parsed.value) {
    std::fputs(format_errors(cmd.scenario_file, parsed.errors).c_str(), stderr);
    return exit_invalid;
  }
  const scenario& s = *parsed.value;
  if (!s.jobs.enabled) {
    std::fprintf(stderr, "squall worker: %s has no \"jobs\" section\n", cmd.scenario_file.c_str());
    return exit_invalid;
  }
  const std::string url = cmd.redis_url.empty() ? s.jobs.redis : cmd.redis_url;
  if (url == "managed") {
    std::fprintf(stderr, "squall worker: --redis URL is required (jobs.store.redis is \"managed\")\n");
    return exit_invalid;
  }
  real_jobs_options options;
  options.run_id = cmd.run_id;
  options.redis_url = url;
  options.nodes = cmd.nodes;
  options.produce = cmd.produce;
  options.store_faults = cmd.produce;  // the producing process plays the store faults
  options.ledger_redis_url = cmd.ledger_redis_url;
  const std::uint64_t seed = cmd.seed.value_or(s.seed);

  std::optional<std::int64_t> t0;
  try {
    t0 = run_start_ns(url, cmd.run_id);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "squall worker: %s\n", e.what());
    return exit_invalid;
  }
  if (!t0) {
    std::fprintf(stderr, "squall worker: cannot reach Redis at %s\n", url.c_str());
    return exit_invalid;
  }

  std::ofstream file;
  std::optional<history::jsonl_writer> writer;
  if (!cmd.history_file.empty()) {
    file.open(cmd.history_file, std::ios::binary);
    if (!file) {
      std::fprintf(stderr, "squall worker: cannot write %s\n", cmd.history_file.c_str());
      return exit_invalid;
    }
    writer.emplace(file, make_header(s, seed, "squall worker --run " + cmd.run_id + " --scenario " +
                                                  cmd.scenario_file));
  }
  shifted_sink sink(writer ? &*writer : nullptr, unix_ns() - *t0);
  net::real_history history(sink);
  std::unique_ptr<real_job_world> made;
  try {
    made = std::make_unique<real_job_world>(s, history, sim::rng(seed), options);
  } catch (const std::invalid_argument& e) {  // a node not in the scenario, a fault this mode cannot play
    std::fprintf(stderr, "squall worker: %s\n", e.what());
    return exit_invalid;
  } catch (const std::runtime_error& e) {  // the --ledger-redis store cannot be reached
    std::fprintf(stderr, "squall worker: %s\n", e.what());
    return exit_invalid;
  }
  real_job_world& world = *made;
  const bool fenced = s.jobs.flow.lock && s.jobs.flow.lock->fencing && s.jobs.ledger.reject_stale_tokens;
  if (fenced && cmd.ledger_redis_url.empty()) {
    std::fprintf(stderr, "squall worker: note: fencing is checked within this process only; give every process "
                         "the same --ledger-redis to fence across them\n");
  }
  world.start();
  std::this_thread::sleep_for(s.run_for + std::chrono::duration_cast<stack::duration>(
                                              std::chrono::duration<double>(cmd.drain_s)));
  world.stop();
  if (writer) writer->flush();
  const real_jobs_stats st = world.stats();
  std::printf("squall worker: run %s: %llu enqueued, %llu delivered, %llu redelivered, %llu acked, %llu dead-lettered, "
              "%llu effects applied, %llu events\n",
              cmd.run_id.c_str(), static_cast<unsigned long long>(st.enqueued),
              static_cast<unsigned long long>(st.delivered), static_cast<unsigned long long>(st.redelivered),
              static_cast<unsigned long long>(st.acked), static_cast<unsigned long long>(st.dead_lettered),
              static_cast<unsigned long long>(world.ledger().stats().effects_applied),
              static_cast<unsigned long long>(sink.events()));
  if (const std::uint64_t errors = world.shared_fence_errors()) {
    std::fprintf(stderr, "squall worker: warning: %llu calls to the --ledger-redis store got no answer; those effects "
                         "were fenced by this process's tokens only\n", static_cast<unsigned long long>(errors));
  }
  return exit_pass;
}

}  // namespace squall::runner
