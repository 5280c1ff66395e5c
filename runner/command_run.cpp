#include <algorithm>
#include <atomic>
#include <cstdio>
#include <exception>
#include <filesystem>
#include <fstream>
#include <memory>
#include <set>
#include <system_error>
#include <thread>

#include <fmt/format.h>

#include "history/jsonl.hpp"
#include "reports/aggregate.hpp"
#include "runner/commands.hpp"
#include "runner/exit_codes.hpp"
#include "runner/files.hpp"
#include "runner/outputs.hpp"
#include "runner/progress.hpp"
#include "runner/repro.hpp"
#include "runner/scenario_parser.hpp"
#include "runner/world.hpp"

namespace squall::runner {

namespace {

struct run_item {
  std::size_t scenario = 0;
  std::uint64_t seed = 0;
  std::size_t index = 0;
};

// Loads every file; all errors of all files are printed before anything runs.
bool load_all(const run_command& cmd, std::vector<scenario>& out, std::vector<std::string>& files) {
  bool ok = true;
  std::set<std::string> names;
  for (const auto& file : cmd.files) {
    if (is_schema_file(file)) continue;
    parse_outcome parsed = load_scenario(file, cmd.overrides);
    if (!parsed.value) {
      std::fputs(format_errors(file, parsed.errors).c_str(), stderr);
      ok = false;
      continue;
    }
    if (!names.insert(parsed.value->name).second) {
      std::fprintf(stderr, "%s: (document): another scenario is also named '%s' (its reports would overwrite "
                           "these; give each scenario a unique name)\n",
                   file.c_str(), parsed.value->name.c_str());
      ok = false;
    }
    out.push_back(std::move(*parsed.value));
    files.push_back(file);
  }
  return ok;
}

// The history goes to a temporary file beside the target and is renamed into place only once complete, so a
// failed run never leaves a truncated history that looks like a real one.
nlohmann::json simulate_with_history(const scenario& s, run_options options, const std::string& target) {
  const std::string tmp = temp_name_beside(target);
  try {
    std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
    if (!out) throw std::runtime_error("cannot write " + tmp);
    nlohmann::json report;
    {
      history::jsonl_writer writer(out, make_header(s, options.seed, options.repro));
      options.history = &writer;
      report = simulate(s, options).report;
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

// Runs items on `jobs` threads; results land by index, so the order of completion never shows.
void run_items(const std::vector<scenario>& scenarios, const std::vector<std::string>& files,
               const std::vector<run_item>& items, const run_command& cmd,
               std::vector<nlohmann::json>& reports, progress_line& progress) {
  std::atomic<std::size_t> next{0};
  std::exception_ptr failure;
  std::mutex failure_mu;
  auto worker = [&] {
    for (std::size_t i = next++; i < items.size(); i = next++) {
      try {
        const run_item& item = items[i];
        const scenario& s = scenarios[item.scenario];
        run_options options;
        options.seed = item.seed;
        options.repro = repro_command(files[item.scenario], item.seed, cmd.overrides);
        options.progress = [&progress, i](const run_progress& p) { progress.update(i, p); };
        if (cmd.history_file.empty()) {
          reports[i] = simulate(s, options).report;
        } else {
          reports[i] = simulate_with_history(s, options, cmd.history_file);
        }
        progress.run_done(i);
      } catch (...) {
        std::lock_guard lock(failure_mu);
        if (!failure) failure = std::current_exception();
        next = items.size();
      }
    }
  };
  const std::size_t cores = std::max(1u, std::thread::hardware_concurrency());
  const std::size_t jobs = std::min<std::size_t>(items.size(), cmd.jobs > 0 ? static_cast<std::size_t>(cmd.jobs) : cores);
  std::vector<std::thread> threads;
  for (std::size_t t = 1; t < jobs; ++t) {
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

}  // namespace

int execute(const run_command& cmd) {
  std::vector<scenario> scenarios;
  std::vector<std::string> files;
  if (!load_all(cmd, scenarios, files)) return exit_invalid;
  if (scenarios.empty()) {
    std::fprintf(stderr, "squall run: no scenario files given (schema.json is not a scenario)\n");
    return exit_invalid;
  }
  if (!cmd.history_file.empty() && (scenarios.size() != 1 || cmd.seeds != 1)) {
    std::fprintf(stderr, "squall run: --history records one run: give one scenario and no --seeds\n");
    return exit_invalid;
  }
  try {
    make_directories(cmd.out_dir);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "squall run: --out: %s\n", e.what());
    return exit_invalid;
  }
  // Output paths are checked before the work, so a typo fails in a second with exit 2, not after an hour
  // (after --out exists, since the JUnit and Markdown files often go inside it).
  for (const auto& [flag, path] : {std::pair{"--history", cmd.history_file}, std::pair{"--junit", cmd.junit_file},
                                   std::pair{"--markdown", cmd.markdown_file}}) {
    if (path.empty()) continue;
    if (const std::string problem = check_writable(path); !problem.empty()) {
      std::fprintf(stderr, "squall run: %s %s: %s\n", flag, path.c_str(), problem.c_str());
      return exit_invalid;
    }
  }
  const std::uint64_t last_seed = cmd.seed.value_or(0) + static_cast<std::uint64_t>(cmd.seeds - 1);
  if (last_seed > (std::uint64_t{1} << 53)) {
    std::fprintf(stderr, "squall run: seeds up to %llu would exceed 2^53 (seeds must stay exact in JSON)\n",
                 static_cast<unsigned long long>(last_seed));
    return exit_invalid;
  }

  std::vector<run_item> items;
  for (std::size_t s = 0; s < scenarios.size(); ++s) {
    const std::uint64_t base = cmd.seed.value_or(scenarios[s].seed);
    for (int k = 0; k < cmd.seeds; ++k) items.push_back({s, base + static_cast<std::uint64_t>(k), items.size()});
  }
  std::vector<nlohmann::json> reports(items.size());
  progress_line progress(!cmd.quiet, items.size());
  try {
    run_items(scenarios, files, items, cmd, reports, progress);
  } catch (const std::exception& e) {
    progress.finish();
    std::fprintf(stderr, "squall run: internal error: %s (no reports written)\n", e.what());
    return exit_internal;
  }
  progress.finish();

  std::vector<scenario_outcome> outcomes;
  for (std::size_t s = 0; s < scenarios.size(); ++s) {
    scenario_outcome o;
    o.file = files[s];
    for (const auto& item : items)
      if (item.scenario == s) o.seed_reports.push_back(reports[item.index]);
    o.report = o.seed_reports.front();
    if (cmd.seeds > 1) o.seeds = reports::aggregate_seeds(o.seed_reports);
    outcomes.push_back(std::move(o));
  }

  try {
    for (const auto& o : outcomes) write_scenario_files(cmd.out_dir, o);
    if (!cmd.junit_file.empty()) write_file_atomically(cmd.junit_file, suite_junit(outcomes));
    if (!cmd.markdown_file.empty()) write_file_atomically(cmd.markdown_file, suite_markdown(outcomes));
  } catch (const std::exception& e) {
    std::fprintf(stderr, "squall run: %s\n", e.what());
    return exit_internal;
  }
  if (!cmd.quiet) {
    std::fputs(summary_table(outcomes).c_str(), stdout);
    std::printf("reports: %s/<scenario>/report.{json,md,html}\n", cmd.out_dir.c_str());
  }
  return suite_exit_code(outcomes);
}

}  // namespace squall::runner
