#pragma once
// Splitting a tune across machines: `squall tune --shard i/N` runs the tuning cells (candidate × seed) k with
// k % N == i - 1 and leaves their summaries and a manifest; `squall merge` checks that the shards belong to one
// tune and are all there, puts the summaries back in cell order, and scores, ranks and runs the hold-out exactly
// as one machine would have (docs/sweep-and-sharding.md, "Sharding a tune").
//
// Files, in <--out>/<scenario>/:
//   tune-shard-<i>-of-<N>.runs.jsonl  one line per cell of the shard, in cell order:
//                                     {"cell": k, "metrics": [..], "gates": [[value, passed, unknown], ..]}
//   tune-shard-<i>-of-<N>.json        the manifest, written last: the tune's options, the scenario file's
//                                     fingerprint, the shard, the number of cells in the whole tune and here
#include <cstddef>
#include <filesystem>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "runner/commands.hpp"
#include "runner/shard.hpp"
#include "runner/tune_plan.hpp"
#include "runner/tune_score.hpp"

namespace squall::runner {

// The cells of the tune that belong to the shard, ascending.
std::vector<std::size_t> shard_cells(std::size_t cells, const shard_spec& shard);

// Before a shard runs: removes this shard's manifest from an earlier run (the folder exists: prepare_tune made
// it). Throws std::runtime_error.
void start_tune_shard(const tune_plan& plan, const shard_spec& shard);

// Writes the shard's summaries, then its manifest. Returns the manifest's path. Throws std::runtime_error.
std::string write_tune_shard(const tune_command& cmd, const tune_plan& plan, const shard_spec& shard,
                             const std::vector<std::size_t>& cells, const std::vector<run_summary>& runs);

// One tune put back together from its shards.
struct merged_tune {
  tune_command cmd;                 // the tune's options as the shards ran it (file as they were given it)
  std::string fingerprint;          // of the scenario file the shards read
  std::vector<std::filesystem::path> manifests;  // in shard order
};

// Reads tune manifests (find_manifests().tunes), groups them by scenario (sorted by name) and checks that each
// group's shards come from one tune command over the same scenario text and that shards 1..N are all there.
// Throws merge_error.
std::vector<merged_tune> read_tune_shards(const std::vector<std::filesystem::path>& manifests);

// The merge reads the scenario file the shards ran, at the path they were given: throws merge_error when it is
// not there or its contents differ (fingerprint).
void check_scenario_file(const merged_tune& merged);

// Every cell's summary, in cell order, from the shards' runs files, for `plan` (rebuilt from merged.cmd over the
// same scenario file). Throws merge_error when a file is missing, truncated or does not fit the plan.
std::vector<run_summary> read_tune_runs(const merged_tune& merged, const tune_plan& plan);

}  // namespace squall::runner
