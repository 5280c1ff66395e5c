#pragma once
// Splitting a seed sweep across machines: `squall sweep --shard i/N` runs every N-th seed and leaves its per-seed
// reports and a manifest; `squall merge` checks that the shards belong to one sweep and are all there, and
// rebuilds the sweep's results exactly as one machine would have (docs/sweep-and-sharding.md). What sweep and
// tune shards share (i/N, finding manifests, checking a set of shards) is here too; tune_shard.hpp has the rest.
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "runner/outputs.hpp"

namespace squall::runner {

inline constexpr int shard_count_max = 1000;
// Seeds stay exactly representable in JSON. A sweep keeps a digest of every seed's report in memory (a few KiB,
// reports::seed_digest) and sweep.json lists every seed, so K is bounded.
inline constexpr std::uint64_t sweep_seed_max = std::uint64_t{1} << 53;
inline constexpr int sweep_seeds_max = 10000;

// Shard i of N, 1-based: seed index k (0-based within the K seeds) belongs to it when k % N == i - 1.
struct shard_spec {
  int index = 1;
  int count = 1;
  bool contains(std::size_t k) const { return k % static_cast<std::size_t>(count) == static_cast<std::size_t>(index - 1); }
  std::string text() const { return std::to_string(index) + "/" + std::to_string(count); }
};

// "i/N" with 1 ≤ i ≤ N ≤ shard_count_max, digits only; on error, empty with `error` saying what to write.
std::optional<shard_spec> parse_shard(const std::string& text, std::string& error);

// The seeds of the sweep that belong to the shard, in order.
std::vector<std::uint64_t> shard_seeds(const sweep_identity& id, const shard_spec& shard);

// Before a shard runs: creates dir/<scenario>/seeds and removes this shard's manifest from an earlier run, so a
// run that dies half-way never leaves an old manifest beside new seed reports. Throws std::runtime_error.
void start_shard(const std::string& dir, const sweep_identity& id, const shard_spec& shard);

// dir/<scenario>/seeds/<seed>.json: one seed's full report (thread-safe: one file per seed).
void write_seed_report(const std::string& dir, const sweep_identity& id, std::uint64_t seed,
                       const nlohmann::json& report);

// dir/<scenario>/shard-<i>-of-<N>.json, written after the shard's seed reports, so a manifest means a complete
// shard. Shards may share dir. Returns the manifest's path.
std::string write_shard_manifest(const std::string& dir, const sweep_identity& id, const shard_spec& shard,
                                 const std::vector<std::uint64_t>& seeds);

// Input that cannot be merged: mismatched or missing shards, unreadable files. The message names the files.
struct merge_error : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// A JSON file of a shard. Throws merge_error naming the file when it cannot be read or is not JSON.
nlohmann::json read_json_file(const std::filesystem::path& path);

// doc[key] as a T; throws merge_error "<path>: not a <kind>: `key` must be <type>" when it is missing or not a T.
template <class T>
T manifest_field(const nlohmann::json& doc, const char* key, const std::filesystem::path& path, const char* kind,
                 const char* type) {
  const auto it = doc.find(key);
  try {
    if (it != doc.end()) return it->template get<T>();
  } catch (const nlohmann::json::exception&) {
  }
  throw merge_error(path.string() + ": not a " + kind + ": `" + key + "` must be " + type);
}

// The shard manifests in each dir (dir/<scenario>/…, or dir itself for a scenario folder): sweep manifests
// shard-<i>-of-<N>.json and tune manifests tune-shard-<i>-of-<N>.json, each sorted; a folder given twice is read
// once. Throws merge_error when a dir does not exist or holds no manifest.
struct found_manifests {
  std::vector<std::filesystem::path> sweeps, tunes;
};
found_manifests find_manifests(const std::vector<std::string>& dirs);

// The positions of `shards` (all of one N, read from `paths`) ordered 1/N .. N/N. Throws merge_error when a
// shard is there twice or missing.
std::vector<std::size_t> order_shards(const std::string& scenario, const std::vector<shard_spec>& shards,
                                      const std::vector<std::filesystem::path>& paths);

struct merged_sweep {
  sweep_identity id;
  std::vector<nlohmann::json> reports;  // the K seed reports' digests (reports::seed_digest), in seed order
};

// Reads sweep manifests (find_manifests().sweeps), groups them by scenario (sorted by name), checks that each
// group's shards agree on the sweep's identity and shard count and that every shard 1..N is there once, and
// reads their seed reports. Throws merge_error.
std::vector<merged_sweep> read_shards(const std::vector<std::filesystem::path>& manifests);

}  // namespace squall::runner
