#include "runner/batch.hpp"

#include <algorithm>
#include <atomic>
#include <cstdio>
#include <exception>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <stdexcept>
#include <system_error>
#include <thread>

#include "history/jsonl.hpp"
#include "runner/files.hpp"
#include "runner/progress.hpp"
#include "runner/world.hpp"

namespace squall::runner {

// The history goes to a temporary file beside the target and is renamed into place only once complete, so a
// failed run never leaves a truncated history that looks like a real one.
nlohmann::json run_with_history(const scenario& s, run_options options, const std::string& target,
                                const std::function<nlohmann::json(const run_options&)>& run) {
  const std::string tmp = temp_name_beside(target);
  try {
    std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
    if (!out) throw std::runtime_error("cannot write " + tmp);
    nlohmann::json report;
    {
      history::jsonl_writer writer(out, make_header(s, options.seed, options.repro));
      options.history = &writer;
      report = run(options);
      writer.flush();
    }
    out.close();
    if (!out) throw std::runtime_error("cannot write " + tmp + " (disk full?)");
    std::error_code ec;
    std::filesystem::rename(tmp, target, ec);
    if (ec) throw std::runtime_error("cannot rename " + tmp + " to " + target + ": " + ec.message());
    return report;
  } catch (...) {
    std::error_code ignored;
    std::filesystem::remove(tmp, ignored);
    throw;
  }
}

void parallel_for(std::size_t count, int jobs, const std::function<void(std::size_t)>& task) {
  std::atomic<std::size_t> next{0};
  std::exception_ptr failure;
  std::mutex failure_mu;
  auto worker = [&] {
    for (std::size_t i = next++; i < count; i = next++) {
      try {
        task(i);
      } catch (...) {
        std::lock_guard lock(failure_mu);
        if (!failure) failure = std::current_exception();
        next = count;
      }
    }
  };
  const std::size_t cores = std::max(1u, std::thread::hardware_concurrency());
  const std::size_t threads_max = std::min<std::size_t>(count, jobs > 0 ? static_cast<std::size_t>(jobs) : cores);
  std::vector<std::thread> threads;
  for (std::size_t t = 1; t < threads_max; ++t) {
    try {
      threads.emplace_back(worker);
    } catch (const std::system_error&) {
      break;  // out of threads (ulimit): the ones already running, and this one, share the work
    }
  }
  worker();
  for (auto& t : threads) t.join();
  if (failure) std::rethrow_exception(failure);
}

std::optional<std::vector<nlohmann::json>> simulate_batch(const std::vector<batch_run>& runs,
                                                          const batch_options& options) {
  if (!options.history_file.empty() && runs.size() != 1) {
    throw std::logic_error("simulate_batch: a history records exactly one run");
  }
  std::vector<nlohmann::json> reports(runs.size());
  progress_line progress(options.progress, runs.size());
  try {
    parallel_for(runs.size(), options.jobs, [&](std::size_t i) {
      const batch_run& run = runs[i];
      run_options o;
      o.seed = run.seed;
      o.repro = run.repro;
      o.progress = [&progress, i](const run_progress& p) { progress.update(i, p); };
      nlohmann::json report = options.history_file.empty() ? simulate(*run.s, o).report
                                                            : run_with_history(*run.s, o, options.history_file,
                                                                               [&run](const run_options& with) {
                                                                                 return simulate(*run.s, with).report;
                                                                               });
      reports[i] = options.keep ? options.keep(i, std::move(report)) : std::move(report);
      progress.run_done(i);
    });
  } catch (const std::exception& e) {
    progress.finish();
    std::fprintf(stderr, "%s: internal error: %s (no results written)\n", options.command, e.what());
    return std::nullopt;
  }
  progress.finish();
  return reports;
}

}  // namespace squall::runner
