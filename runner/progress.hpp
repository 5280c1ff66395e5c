#pragma once
// The progress line on stderr for runs longer than a second: simulated time and events per second.
// Thread-safe: parallel runs report into one line.
#include <chrono>
#include <cstdint>
#include <mutex>
#include <string>
#include <vector>

#include "runner/world.hpp"

namespace squall::runner {

class progress_line {
 public:
  // `verb` names what the time is: "simulated" (virtual time) or "real" (wall clock of a real run).
  progress_line(bool enabled, std::size_t runs, const char* verb = "simulated");
  ~progress_line();
  // Called by run `index` (from any thread).
  void update(std::size_t index, const run_progress& p);
  void run_done(std::size_t index);
  // Clears the line before other output.
  void finish();

 private:
  void print_locked(std::chrono::steady_clock::time_point now);
  bool enabled_;
  const char* verb_;
  bool tty_;
  std::mutex mu_;
  std::vector<run_progress> runs_;
  std::size_t done_ = 0;
  std::chrono::steady_clock::time_point start_;
  std::chrono::steady_clock::time_point last_print_;
  bool printed_ = false;
};

}  // namespace squall::runner
