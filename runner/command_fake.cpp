// `squall fake http`: serve one dependency model over real HTTP until SIGINT/SIGTERM.
#include <arpa/inet.h>
#include <signal.h>

#include <cerrno>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <ctime>
#include <memory>
#include <string>
#include <system_error>

#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include "fakes/real/http_server.hpp"
#include "runner/commands.hpp"
#include "runner/exit_codes.hpp"
#include "runner/fake_config.hpp"

namespace squall::runner {
namespace {

constexpr std::uint64_t max_seed = std::uint64_t{1} << 53;

struct fake_http_command {
  std::string listen = "127.0.0.1:8080";
  std::string config;
  std::string dependency;
  std::uint64_t seed = 1;
  int threads = 1;
  std::size_t max_connections = 10'000;
  double read_timeout_s = 30;
  double hang_max_s = 60;
  double status_every_s = 10;
  bool allow_remote = false;
  bool busy_poll = false;
  bool quiet = false;
};

constexpr const char* fake_http_footer = R"(
Example: a dependency that answers in ~20 ms with 1 % errors, then a 30 s 503 storm added at runtime.
  $ cat dep.json
  {"capacity": 64, "latency": {"dist": "lognormal", "median_ms": 20, "sigma": 0.5},
   "errors": {"rate": 0.01, "status": 503}}
  $ squall fake http --listen 127.0.0.1:8080 --config dep.json
  $ curl -X POST localhost:8080/__squall/faults -d '{"kind": "error_storm", "rate": 0.8, "duration_s": 30}'
  $ curl localhost:8080/__squall/faults          # list (ids, windows); DELETE /__squall/faults/<id> removes one
  $ curl localhost:8080/metrics                  # Prometheus: requests by status, resets, hangs, latency

--config takes a dependency object as in a scenario's dependencies.<name> (docs/examples/dep.json), or a whole
scenario: then --dependency picks one, and its faults run on the scenario's timeline from the server's start.
Any path except /__squall/* and /metrics is answered by the model. Faults: error_storm, latency_spike, outage
(connections closed at once), hang (no answer until the client leaves or --hang-max-s), rate_limit (429 with
Retry-After), reset (RST). See docs/fake-server.md. Exit: 0 stopped by SIGINT/SIGTERM, 2 bad config or address.
)";

struct endpoint {
  std::string host;
  std::uint16_t port = 0;
};

// "host:port" or "[v6]:port". The host must be an IP address (or localhost).
std::optional<endpoint> parse_listen(const std::string& text, std::string& why) {
  const auto colon = text.rfind(':');
  if (colon == std::string::npos) {
    why = "expected HOST:PORT, e.g. 127.0.0.1:8080";
    return std::nullopt;
  }
  endpoint e;
  e.host = text.substr(0, colon);
  if (e.host.size() >= 2 && e.host.front() == '[' && e.host.back() == ']') e.host = e.host.substr(1, e.host.size() - 2);
  if (e.host == "localhost") e.host = "127.0.0.1";
  const std::string port = text.substr(colon + 1);
  unsigned long value = 0;
  try {
    std::size_t used = 0;
    value = std::stoul(port, &used);
    if (used != port.size() || value > 65535) throw std::out_of_range("port");
  } catch (const std::exception&) {
    why = "the port must be a number from 0 to 65535 (0: any free port)";
    return std::nullopt;
  }
  e.port = static_cast<std::uint16_t>(value);
  unsigned char buf[16];
  if (inet_pton(AF_INET, e.host.c_str(), buf) != 1 && inet_pton(AF_INET6, e.host.c_str(), buf) != 1) {
    why = "the host must be an IP address, e.g. 127.0.0.1 or [::1]";
    return std::nullopt;
  }
  return e;
}

bool is_loopback(const std::string& host) {
  in_addr v4{};
  if (inet_pton(AF_INET, host.c_str(), &v4) == 1) return (ntohl(v4.s_addr) >> 24) == 127;
  return host == "::1";
}

std::string url_of(const endpoint& e, std::uint16_t port) {
  const bool v6 = e.host.find(':') != std::string::npos;
  return fmt::format("http://{}{}{}:{}", v6 ? "[" : "", e.host, v6 ? "]" : "", port);
}

// How late answers left after their due time, at p99 since the start: the fake's own added latency.
std::string lateness_text(double bound_s) {
  if (bound_s <= 0) return "no answers yet";
  if (std::isinf(bound_s)) return "answers late by > 100 ms at p99 (overloaded?)";
  return bound_s < 1e-3 ? fmt::format("answers late by <= {:.0f} us at p99", bound_s * 1e6)
                        : fmt::format("answers late by <= {:g} ms at p99", bound_s * 1e3);
}

void print_status(const fakes::real::http_server& server, fakes::real::live_service& service, double uptime_s) {
  const auto& m = server.metrics();
  std::printf("[%.0fs] requests %llu (200: %llu, 429: %llu, 503: %llu), resets %llu, hangs %llu, open %lld, "
              "queued %zu, active faults %zu, %s\n",
              uptime_s, static_cast<unsigned long long>(m.requests()), static_cast<unsigned long long>(m.by_status(200)),
              static_cast<unsigned long long>(m.by_status(429)), static_cast<unsigned long long>(m.by_status(503)),
              static_cast<unsigned long long>(m.resets()), static_cast<unsigned long long>(m.hangs()),
              static_cast<long long>(m.open_connections()), service.queued(), service.active_faults(),
              lateness_text(m.lateness_p99_bound_s()).c_str());
  std::fflush(stdout);
}

// Blocks SIGINT and SIGTERM (before the server's threads start, so they inherit the mask) and waits for one,
// printing a status line every `every_s` (0: never).
void wait_for_signal(const sigset_t& signals, const fakes::real::http_server& server,
                     fakes::real::live_service& service, double every_s) {
  const auto start = std::chrono::steady_clock::now();
  const double wait_s = every_s > 0 ? every_s : 3600;
  for (;;) {
    timespec timeout{static_cast<time_t>(wait_s), static_cast<long>((wait_s - static_cast<double>(static_cast<time_t>(wait_s))) * 1e9)};
    const int got = sigtimedwait(&signals, nullptr, &timeout);
    if (got == SIGINT || got == SIGTERM) return;
    if (got < 0 && errno == EAGAIN && every_s > 0) {
      print_status(server, service, std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
    }
  }
}

int execute(const fake_http_command& cmd) {
  std::string why;
  const auto at = parse_listen(cmd.listen, why);
  if (!at) {
    std::fprintf(stderr, "squall fake http: --listen %s: %s\n", cmd.listen.c_str(), why.c_str());
    return exit_invalid;
  }
  if (!is_loopback(at->host) && !cmd.allow_remote) {
    std::fprintf(stderr, "squall fake http: --listen %s is not a loopback address (add --allow-remote to serve "
                         "other machines: the fake has no authentication, anyone reaching it can add faults)\n",
                 cmd.listen.c_str());
    return exit_invalid;
  }
  fake_config_outcome loaded = load_fake_config(cmd.config, cmd.dependency);
  if (!loaded.value) {
    std::fputs(format_errors(cmd.config, loaded.errors).c_str(), stderr);
    return exit_invalid;
  }
  fakes::real::server_options options;
  options.address = at->host;
  options.port = at->port;
  options.threads = cmd.threads;
  options.seed = cmd.seed;
  options.busy_poll = cmd.busy_poll;
  options.max_connections = cmd.max_connections;
  options.read_timeout = stack::duration{static_cast<std::int64_t>(cmd.read_timeout_s * 1e9)};
  options.hang_max = stack::duration{static_cast<std::int64_t>(cmd.hang_max_s * 1e9)};
  const std::string name = loaded.value->dependency.name;
  const std::size_t startup_faults = loaded.value->faults.size();
  fakes::real::http_server server(loaded.value->dependency, std::move(loaded.value->faults), options,
                                  [name](std::string_view text) { return parse_posted_fault(text, name); });

  sigset_t signals, previous;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &signals, &previous);
  try {
    server.start();
  } catch (const std::system_error& e) {
    pthread_sigmask(SIG_SETMASK, &previous, nullptr);
    std::fprintf(stderr, "squall fake http: cannot listen on %s: %s\n", cmd.listen.c_str(), e.code().message().c_str());
    return exit_invalid;
  }
  const std::string url = url_of(*at, server.port());
  std::printf("squall fake http: dependency '%s' (capacity %d) on %s/ (seed %llu, %d thread%s%s, %zu fault%s "
              "from the config)\n",
              name.c_str(), loaded.value->dependency.capacity, url.c_str(), static_cast<unsigned long long>(cmd.seed),
              cmd.threads, cmd.threads == 1 ? "" : "s", cmd.busy_poll ? " busy-polling" : "", startup_faults,
              startup_faults == 1 ? "" : "s");
  std::printf("  admin:   GET|POST|DELETE %s/__squall/faults, DELETE %s/__squall/faults/<id>, POST %s/__squall/reset\n",
              url.c_str(), url.c_str(), url.c_str());
  std::printf("  metrics: %s/metrics\n  Ctrl-C stops it.\n", url.c_str());
  std::fflush(stdout);
  wait_for_signal(signals, server, server.service(), cmd.quiet ? 0 : cmd.status_every_s);
  server.stop();
  pthread_sigmask(SIG_SETMASK, &previous, nullptr);
  if (!cmd.quiet) std::printf("squall fake http: stopped after %llu requests\n",
                              static_cast<unsigned long long>(server.metrics().requests()));
  return exit_pass;
}

}  // namespace

void add_fake(CLI::App& app) {
  auto* fake = app.add_subcommand("fake", "Serve flaky dependencies over the network, with the simulator's fault model");
  fake->require_subcommand(1);
  auto cmd = std::make_shared<fake_http_command>();
  auto* http = fake->add_subcommand("http", "A flaky HTTP dependency server: the simulated dependency's capacity, "
                                            "latency, errors and faults, in real time, with an admin API and /metrics");
  http->footer(fake_http_footer);
  http->add_option("--listen", cmd->listen, "HOST:PORT to listen on (port 0: any free port)")->capture_default_str();
  http->add_option("--config", cmd->config, "The dependency (JSON): capacity, latency, errors; or a scenario file")
      ->required()
      ->check(CLI::ExistingFile);
  http->add_option("--dependency", cmd->dependency, "Its name; with a scenario file, which dependency to serve");
  http->add_option("--seed", cmd->seed, "PRNG seed: the same request times draw the same answers")
      ->capture_default_str()
      ->check(CLI::Range(std::uint64_t{0}, max_seed));
  http->add_option("--threads", cmd->threads, "Threads, one event loop each (SO_REUSEPORT)")
      ->capture_default_str()
      ->check(CLI::Range(1, 64));
  http->add_option("--max-connections", cmd->max_connections, "Connections beyond this are closed at once")
      ->capture_default_str()
      ->check(CLI::Range(std::size_t{1}, std::size_t{1'000'000}));
  http->add_option("--read-timeout-s", cmd->read_timeout_s, "A request must arrive within this (idle and slow clients are closed)")
      ->capture_default_str()
      ->check(CLI::Range(0.1, 3600.0));
  http->add_option("--hang-max-s", cmd->hang_max_s, "A hung request's connection is closed after this")
      ->capture_default_str()
      ->check(CLI::Range(0.1, 86400.0));
  http->add_option("--status-every-s", cmd->status_every_s, "Print a one-line status this often (0: never)")
      ->capture_default_str()
      ->check(CLI::Range(0.0, 86400.0));
  http->add_flag("--allow-remote", cmd->allow_remote, "Allow a non-loopback --listen address");
  http->add_flag("--busy-poll", cmd->busy_poll,
                 "Spin instead of sleeping: one full core per thread, for latency faults precise to tens of µs");
  http->add_flag("--quiet,-q", cmd->quiet, "Print only the startup lines and errors");
  http->callback([cmd] { throw CLI::RuntimeError(execute(*cmd)); });
}

}  // namespace squall::runner
