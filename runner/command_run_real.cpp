// `squall run --real`: one scenario on real sockets and real time, its report written like a simulated one,
// then the key metrics beside a simulation of the same scenario and seed.
#include <cstdio>
#include <filesystem>
#include <stdexcept>

#include <fmt/format.h>

#include "runner/batch.hpp"
#include "runner/commands.hpp"
#include "runner/exit_codes.hpp"
#include "runner/files.hpp"
#include "runner/outputs.hpp"
#include "runner/progress.hpp"
#include "runner/real_compare.hpp"
#include "runner/real_world.hpp"
#include "runner/repro.hpp"
#include "runner/scenario_parser.hpp"

namespace squall::runner {

namespace {

int refuse(const std::string& message) {
  std::fprintf(stderr, "squall run --real: %s\n", message.c_str());
  return exit_invalid;
}

}  // namespace

int execute_real(const run_command& cmd) {
  if (cmd.files.size() != 1) return refuse("give exactly one scenario (real runs take real time)");
  if (cmd.seeds != 1) return refuse("--seeds does not apply: a real run is not reproducible by seed alone");
  const std::string& file = cmd.files.front();
  parse_outcome parsed = load_scenario(file, cmd.overrides);
  if (!parsed.value) {
    std::fputs(format_errors(file, parsed.errors).c_str(), stderr);
    return exit_invalid;
  }
  const scenario& s = *parsed.value;
  for (const auto& [flag, path] : {std::pair{"--history", cmd.history_file}, std::pair{"--junit", cmd.junit_file},
                                   std::pair{"--markdown", cmd.markdown_file}})
    if (!output_path_usable("squall run --real", flag, path)) return exit_invalid;
  try {
    make_directories(cmd.out_dir);
  } catch (const std::exception& e) {
    return refuse(std::string("--out: ") + e.what());
  }

  const std::uint64_t seed = cmd.seed.value_or(s.seed);
  run_options options;
  options.seed = seed;
  options.repro = repro_command(file, seed, cmd.overrides) + " --real";
  progress_line progress(!cmd.quiet, 1, "real");
  options.progress = [&progress](const run_progress& p) { progress.update(0, p); };
  if (!cmd.quiet)
    std::fprintf(stderr, "squall run --real: %s for %.0f s of real time (Ctrl-C stops it cleanly, without a report)\n",
                 s.name.c_str(), stack::to_s(s.run_for));

  run_result real;
  try {
    const real_run_options how{cmd.allow_remote};
    if (cmd.history_file.empty()) {
      real.report = run_real(s, options, how).report;
    } else {
      real.report = run_with_history(s, options, cmd.history_file,
                                     [&](const run_options& with) { return run_real(s, with, how).report; });
    }
  } catch (const std::invalid_argument& e) {
    progress.finish();
    return refuse(e.what());
  } catch (const std::exception& e) {
    progress.finish();
    std::fprintf(stderr, "squall run --real: internal error: %s (no report written)\n", e.what());
    return exit_internal;
  }
  progress.finish();
  if (real.report.at("real").contains("interrupted_at_s")) {
    std::fprintf(stderr, "squall run --real: interrupted after %.1f s of %.0f s; everything it started is stopped, "
                         "no report written\n",
                 real.report["real"]["interrupted_at_s"].get<double>(), stack::to_s(s.run_for));
    if (!cmd.history_file.empty()) std::filesystem::remove(cmd.history_file);  // not a whole run's history
    return exit_interrupted;
  }

  // The same scenario and seed in simulation, for the side-by-side comparison.
  run_options sim_options;
  sim_options.seed = seed;
  sim_options.repro = repro_command(file, seed, cmd.overrides);
  const nlohmann::json simulated = simulate(s, sim_options).report;
  const nlohmann::json comparison = compare_reports(simulated, real.report, s.workload.enabled, s.jobs.enabled);

  scenario_outcome outcome;
  outcome.file = file;
  outcome.report = real.report;
  outcome.seed_reports = {real.report};
  try {
    write_scenario_files(cmd.out_dir, outcome);
    const std::string dir = cmd.out_dir + "/" + s.name;
    write_file_atomically(dir + "/comparison.json", comparison.dump(2) + "\n");
    write_file_atomically(dir + "/comparison.md", comparison_markdown(comparison, s.name));
    if (!cmd.junit_file.empty()) write_file_atomically(cmd.junit_file, suite_junit({outcome}));
    if (!cmd.markdown_file.empty())
      write_file_atomically(cmd.markdown_file, suite_markdown({outcome}) + "\n" + comparison_markdown(comparison, s.name));
  } catch (const std::exception& e) {
    std::fprintf(stderr, "squall run --real: %s\n", e.what());
    return exit_internal;
  }
  if (!cmd.quiet) {
    std::fputs(summary_table({outcome}).c_str(), stdout);
    std::fputs(("\n" + comparison_table(comparison)).c_str(), stdout);
    std::printf("reports: %s/%s/report.{json,md,html}, comparison.{json,md}\n", cmd.out_dir.c_str(), s.name.c_str());
  }
  return suite_exit_code({outcome});
}

}  // namespace squall::runner
