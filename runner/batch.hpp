#pragma once
// Many simulated runs on a thread pool (`run --seeds`, `sweep`, `tune`): results land by index, so neither the
// number of threads nor the order of completion ever shows in a report.
#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "runner/scenario.hpp"
#include "runner/world.hpp"

namespace squall::runner {

// Runs task(i) once for every i in [0, count) on up to `jobs` threads (0 = all cores; fewer when threads cannot
// be created). The first exception stops the remaining work and is rethrown once every thread has joined.
void parallel_for(std::size_t count, int jobs, const std::function<void(std::size_t)>& task);

// Runs `run` with options.history set to a JSONL writer of `target` (header from make_header), written beside it
// and renamed into place only when complete; returns what `run` returned. Throws std::runtime_error on I/O errors.
nlohmann::json run_with_history(const scenario& s, run_options options, const std::string& target,
                                const std::function<nlohmann::json(const run_options&)>& run);

// One simulated run of a batch.
struct batch_run {
  const scenario* s = nullptr;
  std::uint64_t seed = 0;
  std::string repro;  // the command that reproduces this run (repro_command)
};

struct batch_options {
  const char* command = "squall";  // names the command in the error line
  int jobs = 0;                    // as parallel_for
  bool progress = false;           // the progress line on stderr (progress_line)
  std::string history_file;        // with exactly one run: its history (JSONL), renamed into place when complete
  // What to keep of run i's report (e.g. write it out and keep reports::seed_digest), called on the worker thread
  // as each run ends, so memory holds only what is kept. Empty: the whole report.
  std::function<nlohmann::json(std::size_t i, nlohmann::json report)> keep;
};

// The reports (or what `keep` kept of them) of every run, by index. When a run throws, prints
// "<command>: internal error: <what> (no results written)" to stderr and returns nothing: exit 3.
std::optional<std::vector<nlohmann::json>> simulate_batch(const std::vector<batch_run>& runs,
                                                          const batch_options& options);

}  // namespace squall::runner
