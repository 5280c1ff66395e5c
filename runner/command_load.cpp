// `squall load URL --rate R --duration D`: open-loop HTTP load (docs/load.md).
#include <sys/prctl.h>
#include <unistd.h>

#include <charconv>
#include <cmath>
#include <cstdio>
#include <stdexcept>

#include <fmt/format.h>

#include "net/load_report.hpp"
#include "net/load_run.hpp"
#include "net/load_target.hpp"
#include "reports/render.hpp"
#include "runner/commands.hpp"
#include "runner/exit_codes.hpp"
#include "runner/files.hpp"

namespace squall::runner {

namespace {

constexpr double rate_max_per_s = 10'000'000;
constexpr std::size_t in_flight_max = 1'000'000;
constexpr std::size_t connections_max = 10'000;
constexpr double queued_per_connection = 64;

// "60s", "500ms", "2m", "1h" (a number and a unit; fractions allowed: "1.5s").
stack::duration parse_duration(const std::string& text) {
  double value = 0;
  const char* begin = text.data();
  const char* end = text.data() + text.size();
  const auto [unit, ec] = std::from_chars(begin, end, value);
  const std::string_view suffix(unit, static_cast<std::size_t>(end - unit));
  double ns_per_unit = 0;
  if (suffix == "ms") ns_per_unit = 1e6;
  if (suffix == "s") ns_per_unit = 1e9;
  if (suffix == "m") ns_per_unit = 60e9;
  if (suffix == "h") ns_per_unit = 3600e9;
  if (ec != std::errc{} || unit == begin || ns_per_unit == 0 || !std::isfinite(value)) {
    throw std::invalid_argument(
        fmt::format("--duration '{}': expected a number and a unit: ms, s, m or h (e.g. 60s, 500ms, 2m)", text));
  }
  const double ns = value * ns_per_unit;
  if (!(ns >= 1e6) || ns > 24 * 3600e9) {
    throw std::invalid_argument(fmt::format("--duration '{}': must be between 1ms and 24h", text));
  }
  return stack::duration{static_cast<std::int64_t>(std::llround(ns))};
}

std::string repro_line(const load_command& cmd, std::uint64_t seed) {
  std::string line = fmt::format("squall load {} --rate {} --duration {} --connections {} --timeout-ms {} "
                                 "--arrivals {} --seed {}",
                                 cmd.url, cmd.rate, cmd.duration, cmd.connections, cmd.timeout_ms, cmd.arrivals, seed);
  if (cmd.max_in_flight) line += fmt::format(" --max-in-flight {}", *cmd.max_in_flight);
  if (cmd.allow_remote) line += " --allow-remote";
  return line;
}

// Every problem with the options, as one message; the load config when there is none.
net::load_config make_config(const load_command& cmd) {
  if (!(cmd.rate > 0) || cmd.rate > rate_max_per_s) {
    throw std::invalid_argument(fmt::format("--rate {}: must be > 0 and at most {:.0f} requests/s", cmd.rate,
                                            rate_max_per_s));
  }
  if (cmd.connections < 1 || static_cast<std::size_t>(cmd.connections) > connections_max) {
    throw std::invalid_argument(fmt::format("--connections {}: must be in 1..{}", cmd.connections, connections_max));
  }
  if (!(cmd.timeout_ms > 0) || cmd.timeout_ms > 3'600'000) {
    throw std::invalid_argument(fmt::format("--timeout-ms {}: must be > 0 and at most 3600000", cmd.timeout_ms));
  }
  net::load_config c;
  if (cmd.arrivals == "poisson") {
    c.arrivals.model = sim::arrival_model::poisson;
  } else if (cmd.arrivals == "constant") {
    c.arrivals.model = sim::arrival_model::constant;
  } else {
    throw std::invalid_argument(fmt::format("--arrivals '{}': must be poisson or constant", cmd.arrivals));
  }
  c.arrivals.rate_per_s = cmd.rate;
  c.duration = parse_duration(cmd.duration);
  c.timeout = stack::from_ms(cmd.timeout_ms);
  c.connections = static_cast<std::size_t>(cmd.connections);
  c.seed = cmd.seed;
  // By default at most 64 requests wait per connection (and never more than could arrive within a timeout):
  // under overload, a FIFO queue as long as the timeout would hand every connection requests at the end of their
  // deadlines, so nearly all would time out (and close their connections); dropping, counted, keeps the server
  // busy at its capacity and the latency from intended time still shows the wait.
  const double by_timeout = static_cast<double>(c.connections) + std::ceil(cmd.rate * cmd.timeout_ms / 1000.0);
  const double by_queue = static_cast<double>(c.connections) * (1 + queued_per_connection);
  c.max_in_flight = cmd.max_in_flight.value_or(
      static_cast<std::size_t>(std::min({by_timeout, by_queue, static_cast<double>(in_flight_max)})));
  if (c.max_in_flight < 1 || c.max_in_flight > in_flight_max) {
    throw std::invalid_argument(fmt::format("--max-in-flight {}: must be in 1..{}", c.max_in_flight, in_flight_max));
  }
  const net::load_target target = net::parse_load_url(cmd.url);
  c.endpoint = net::resolve_load_target(target, cmd.allow_remote);
  c.host_header = target.host_header;
  c.path = target.path;
  return c;
}

// Redraws one line on a terminal once a second; silent otherwise.
class progress_printer {
 public:
  progress_printer(bool enabled, stack::duration duration)
      : enabled_(enabled && isatty(STDERR_FILENO) != 0), duration_(duration) {}
  void operator()(const net::load_stats& s, stack::duration elapsed) {
    if (!enabled_) return;
    std::fprintf(stderr, "\r%-118s", net::load_progress_text(s, elapsed, duration_).c_str());
    std::fflush(stderr);
    printed_ = true;
  }
  ~progress_printer() {
    if (printed_) std::fprintf(stderr, "\r%118s\r", "");
  }

 private:
  bool enabled_;
  stack::duration duration_;
  bool printed_ = false;
};

}  // namespace

int execute(const load_command& cmd) {
  net::load_config config;
  try {
    config = make_config(cmd);
    make_directories(cmd.out_dir);
    if (const std::string problem = check_writable(cmd.out_dir + "/report.json"); !problem.empty()) {
      throw std::invalid_argument(fmt::format("--out {}: {}", cmd.out_dir, problem));
    }
  } catch (const std::exception& e) {
    std::fprintf(stderr, "squall load: %s\n", e.what());
    return exit_invalid;
  }
  // Timers fire within 1 µs instead of Linux's default 50 µs slack: arrivals leave on time.
  prctl(PR_SET_TIMERSLACK, 1000UL, 0UL, 0UL, 0UL);
  net::load_stats stats;
  {
    progress_printer printer(!cmd.quiet, config.duration);
    stats = net::run_load(config, [&printer](const net::load_stats& s, stack::duration e) { printer(s, e); });
  }
  net::load_report_input in;
  in.url = cmd.url;
  in.arrivals = cmd.arrivals;
  in.rate_per_s = cmd.rate;
  in.config = &config;
  in.stats = &stats;
  in.repro = repro_line(cmd, cmd.seed);
  const nlohmann::json report = net::load_report(in);
  try {
    write_file_atomically(cmd.out_dir + "/report.json", reports::render_json(report));
    write_file_atomically(cmd.out_dir + "/report.md", net::load_markdown(report));
  } catch (const std::exception& e) {
    std::fprintf(stderr, "squall load: %s\n", e.what());
    return exit_internal;
  }
  if (!cmd.quiet) {
    std::fputs(net::load_markdown(report).c_str(), stdout);
    std::printf("\nreports: %s/report.{json,md}\n", cmd.out_dir.c_str());
  }
  return exit_pass;
}

}  // namespace squall::runner
