#pragma once
// The composition root of a simulated run: scenario → fakes + sim runtime + stack → events → sinks.
#include <cstdint>
#include <functional>
#include <string>

#include <nlohmann/json.hpp>

#include "history/event.hpp"
#include "runner/scenario.hpp"

namespace squall::runner {

struct run_progress {
  std::int64_t sim_ns = 0;       // simulated time reached
  std::int64_t duration_ns = 0;  // simulated time to reach
  std::uint64_t events = 0;      // history events so far
};

struct run_options {
  std::uint64_t seed = 1;
  std::string repro;                                   // the command line that reproduces this run
  history::event_sink* history = nullptr;              // also receives every event (e.g. a JSONL writer)
  std::function<void(const run_progress&)> progress;   // called now and then on long runs
};

struct run_result {
  nlohmann::json report;
  std::uint64_t events = 0;
};

// What the analysis needs to know about the run, written as the history's first line.
history::header make_header(const scenario& s, std::uint64_t seed, const std::string& repro);

// Simulates the scenario with the given seed and returns its report (gates evaluated).
run_result simulate(const scenario& s, const run_options& options);

}  // namespace squall::runner
