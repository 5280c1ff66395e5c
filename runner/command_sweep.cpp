// `squall sweep`: one scenario over K consecutive seeds (or one shard of them), summarised per metric and gate.
#include <cstdio>
#include <exception>

#include <fmt/format.h>

#include "reports/aggregate.hpp"
#include "runner/batch.hpp"
#include "runner/commands.hpp"
#include "runner/exit_codes.hpp"
#include "runner/files.hpp"
#include "runner/outputs.hpp"
#include "runner/repro.hpp"
#include "runner/scenario_parser.hpp"
#include "runner/shard.hpp"

namespace squall::runner {

namespace {

// Checks everything that can be checked before running; prints the problem and returns false on bad input.
bool prepare(const sweep_command& cmd, const scenario& s, std::optional<shard_spec>& shard, sweep_identity& id) {
  if (!cmd.shard.empty()) {
    std::string error;
    shard = parse_shard(cmd.shard, error);
    if (!shard) {
      std::fprintf(stderr, "squall sweep: --shard %s: %s\n", cmd.shard.c_str(), error.c_str());
      return false;
    }
    if (!cmd.markdown_file.empty()) {
      std::fprintf(stderr, "squall sweep: --markdown: a shard has only part of the seeds; write the Markdown with "
                           "`squall merge ... --markdown FILE`\n");
      return false;
    }
  }
  const std::uint64_t base = cmd.seed.value_or(s.seed);
  const std::uint64_t last_seed = base + static_cast<std::uint64_t>(cmd.seeds - 1);
  if (last_seed > sweep_seed_max) {
    std::fprintf(stderr, "squall sweep: seeds up to %llu would exceed 2^53 (seeds must stay exact in JSON)\n",
                 static_cast<unsigned long long>(last_seed));
    return false;
  }
  try {
    id = make_sweep_identity(cmd.file, s.name, cmd.overrides, base, cmd.seeds);
    make_directories(cmd.out_dir);
    if (shard) start_shard(cmd.out_dir, id, *shard);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "squall sweep: %s\n", e.what());
    return false;
  }
  return output_path_usable("squall sweep", "--markdown", cmd.markdown_file);
}

// The shard's seed reports are written; the manifest goes last, so its presence means the shard is complete.
// A shard's own verdict over its seeds: a failing seed fails the merged sweep too, so the exit code already says so.
int finish_shard(const sweep_command& cmd, const sweep_identity& id, const shard_spec& shard,
                 const std::vector<std::uint64_t>& seeds, const std::vector<nlohmann::json>& reports) {
  const std::string manifest = write_shard_manifest(cmd.out_dir, id, shard, seeds);
  const int code = sweep_exit_code(sweep_result(id, reports));
  if (!cmd.quiet) {
    std::printf("shard %s of '%s': %zu of %d seeds, %s; wrote %s\n", shard.text().c_str(), id.scenario.c_str(),
                seeds.size(), id.seeds, code == exit_pass ? "all as expected" : code == exit_gate_failed ? "some failed" : "some unknown",
                manifest.c_str());
    std::printf("when every shard is done: squall merge <their --out folders> --out DIR\n");
  }
  return code;
}

}  // namespace

int execute(const sweep_command& cmd) {
  if (is_schema_file(cmd.file)) {
    std::fprintf(stderr, "squall sweep: %s is the scenario schema, not a scenario\n", cmd.file.c_str());
    return exit_invalid;
  }
  parse_outcome parsed = load_scenario(cmd.file, cmd.overrides);
  if (!parsed.value) {
    std::fputs(format_errors(cmd.file, parsed.errors).c_str(), stderr);
    return exit_invalid;
  }
  const scenario& s = *parsed.value;
  std::optional<shard_spec> shard;
  sweep_identity id;
  if (!prepare(cmd, s, shard, id)) return exit_invalid;

  const std::vector<std::uint64_t> seeds = shard_seeds(id, shard.value_or(shard_spec{}));
  std::vector<batch_run> runs;
  for (const std::uint64_t seed : seeds) runs.push_back({&s, seed, repro_command(cmd.file, seed, cmd.overrides)});
  // Only digests stay in memory; a shard writes each full report as its run ends.
  batch_options options;
  options.command = "squall sweep";
  options.jobs = cmd.jobs;
  options.progress = !cmd.quiet;
  options.keep = [&](std::size_t i, nlohmann::json report) {
    if (shard) write_seed_report(cmd.out_dir, id, seeds[i], report);
    return reports::seed_digest(report);
  };
  const auto digests = simulate_batch(runs, options);
  if (!digests) return exit_internal;

  try {
    if (shard) return finish_shard(cmd, id, *shard, seeds, *digests);
    return publish_sweeps(cmd.out_dir, cmd.markdown_file, cmd.quiet, {sweep_result(id, *digests)});
  } catch (const std::exception& e) {
    std::fprintf(stderr, "squall sweep: %s\n", e.what());
    return exit_internal;
  }
}

}  // namespace squall::runner
