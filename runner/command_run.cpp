#include <algorithm>
#include <cstdio>
#include <set>

#include <fmt/format.h>

#include "reports/aggregate.hpp"
#include "runner/batch.hpp"
#include "runner/commands.hpp"
#include "runner/exit_codes.hpp"
#include "runner/files.hpp"
#include "runner/outputs.hpp"
#include "runner/repro.hpp"
#include "runner/scenario_parser.hpp"

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

}  // namespace

int execute(const run_command& cmd) {
  if (cmd.real) return execute_real(cmd);
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
  std::vector<batch_run> runs;
  for (const auto& item : items) {
    runs.push_back({&scenarios[item.scenario], item.seed, repro_command(files[item.scenario], item.seed, cmd.overrides)});
  }
  batch_options options;
  options.command = "squall run";
  options.jobs = cmd.jobs;
  options.progress = !cmd.quiet;
  options.history_file = cmd.history_file;
  const auto reports = simulate_batch(runs, options);
  if (!reports) return exit_internal;

  std::vector<scenario_outcome> outcomes;
  for (std::size_t s = 0; s < scenarios.size(); ++s) {
    scenario_outcome o;
    o.file = files[s];
    for (const auto& item : items)
      if (item.scenario == s) o.seed_reports.push_back((*reports)[item.index]);
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
