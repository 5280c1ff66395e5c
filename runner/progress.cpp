#include "runner/progress.hpp"

#include <unistd.h>

#include <cstdio>

#include <fmt/format.h>

namespace squall::runner {

using clock = std::chrono::steady_clock;

progress_line::progress_line(bool enabled, std::size_t runs, const char* verb)
    : enabled_(enabled), verb_(verb), tty_(isatty(STDERR_FILENO) != 0), runs_(runs), start_(clock::now()), last_print_(start_) {}

progress_line::~progress_line() { finish(); }

void progress_line::update(std::size_t index, const run_progress& p) {
  if (!enabled_) return;
  std::lock_guard lock(mu_);
  runs_[index] = p;
  const auto now = clock::now();
  // Quiet for the first second; then a redrawn line on a terminal, or a line every 5 s in a CI log.
  if (now - start_ < std::chrono::seconds(1)) return;
  if (now - last_print_ < (tty_ ? std::chrono::milliseconds(200) : std::chrono::milliseconds(5000))) return;
  print_locked(now);
}

void progress_line::run_done(std::size_t index) {
  std::lock_guard lock(mu_);
  runs_[index].sim_ns = runs_[index].duration_ns;
  ++done_;
}

namespace {
// 1234567 → "1.2 M", 48210 → "48.2 k", 950 → "950": a real run's thousands of events are not "0.0 M".
std::string count_text(double n) {
  if (n >= 1e6) return fmt::format("{:.1f} M", n / 1e6);
  if (n >= 1e3) return fmt::format("{:.1f} k", n / 1e3);
  return fmt::format("{:.0f}", n);
}
}  // namespace

void progress_line::print_locked(clock::time_point now) {
  last_print_ = now;
  double sim_s = 0, total_s = 0;
  std::uint64_t events = 0;
  for (const auto& r : runs_) {
    sim_s += static_cast<double>(r.sim_ns) / 1e9;
    total_s += static_cast<double>(r.duration_ns) / 1e9;
    events += r.events;
  }
  const double wall_s = std::chrono::duration<double>(now - start_).count();
  const std::string counts = fmt::format("{} events, {} events/s", count_text(static_cast<double>(events)),
                                         count_text(static_cast<double>(events) / wall_s));
  std::string line = runs_.size() == 1
                         ? fmt::format("squall: {} {:.0f}/{:.0f} s, {}", verb_, sim_s, total_s, counts)
                         : fmt::format("squall: {}/{} runs done, {}", done_, runs_.size(), counts);
  if (tty_) {
    std::fprintf(stderr, "\r%-78s", line.c_str());
  } else {
    std::fprintf(stderr, "%s\n", line.c_str());
  }
  std::fflush(stderr);
  printed_ = true;
}

void progress_line::finish() {
  if (!enabled_) return;
  std::lock_guard lock(mu_);
  if (printed_ && tty_) std::fprintf(stderr, "\r%78s\r", "");
  printed_ = false;
}

}  // namespace squall::runner
