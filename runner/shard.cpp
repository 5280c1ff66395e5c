#include "runner/shard.hpp"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>

#include <fmt/format.h>

#include "reports/aggregate.hpp"
#include "runner/files.hpp"

namespace squall::runner {

namespace fs = std::filesystem;
using json = nlohmann::json;

namespace {

constexpr const char* shard_usage = "write --shard i/N with 1 <= i <= N, e.g. --shard 2/4";

std::optional<int> parse_count(const std::string& digits) {
  if (digits.empty() || digits.size() > 7) return std::nullopt;
  int value = 0;
  for (const char c : digits) {
    if (c < '0' || c > '9') return std::nullopt;
    value = value * 10 + (c - '0');
  }
  return value;
}

std::string read_text(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw merge_error(path.string() + ": cannot read it");
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

json read_json(const fs::path& path) {
  try {
    return json::parse(read_text(path));
  } catch (const json::parse_error& e) {
    throw merge_error(path.string() + ": not valid JSON (" + e.what() + ")");
  }
}

bool is_manifest_name(const std::string& name) {
  return name.rfind("shard-", 0) == 0 && name.find("-of-") != std::string::npos && name.size() > 5 &&
         name.compare(name.size() - 5, 5, ".json") == 0;
}

struct manifest {
  fs::path path;
  sweep_identity id;
  shard_spec shard;
  std::vector<std::uint64_t> seeds;
};

template <class T>
T required(const json& doc, const char* key, const fs::path& path, const char* type) {
  return manifest_field<T>(doc, key, path, "shard manifest", type);
}

manifest read_manifest(const fs::path& path) {
  const json doc = read_json(path);
  if (!doc.is_object() || doc.value("squall_shard", 0) != 1) {
    throw merge_error(path.string() + ": not a shard manifest (no \"squall_shard\": 1)");
  }
  manifest m;
  m.path = path;
  m.id.scenario = required<std::string>(doc, "scenario", path, "a string");
  m.id.file = required<std::string>(doc, "file", path, "a string");
  m.id.fingerprint = required<std::string>(doc, "fingerprint", path, "a string");
  m.id.overrides = required<std::vector<std::string>>(doc, "overrides", path, "an array of strings");
  m.id.base_seed = required<std::uint64_t>(doc, "base_seed", path, "an unsigned integer");
  m.id.seeds = required<int>(doc, "seeds", path, "an integer");
  if (m.id.seeds < 1 || m.id.seeds > sweep_seeds_max || m.id.base_seed > sweep_seed_max - static_cast<std::uint64_t>(m.id.seeds - 1)) {
    throw merge_error(fmt::format("{}: not a shard manifest: `seeds` must be 1..{} and the last seed at most 2^53",
                                  path.string(), sweep_seeds_max));
  }
  std::string error;
  const auto shard = parse_shard(required<std::string>(doc, "shard", path, "a string \"i/N\""), error);
  if (!shard) throw merge_error(path.string() + ": not a shard manifest: `shard`: " + error);
  m.shard = *shard;
  m.seeds = required<std::vector<std::uint64_t>>(doc, "seed_list", path, "an array of seeds");
  if (m.seeds != shard_seeds(m.id, m.shard)) {
    throw merge_error(fmt::format("{}: seed_list does not match shard {} of {} seeds from {}", path.string(),
                                  m.shard.text(), m.id.seeds, m.id.base_seed));
  }
  return m;
}

bool is_tune_manifest_name(const std::string& name) {
  return name.rfind("tune-", 0) == 0 && is_manifest_name(name.substr(5));
}

// The manifests in dir and in its subfolders (dir/<scenario>/), sweep and tune apart, each sorted.
found_manifests manifests_in(const std::string& dir) {
  std::error_code ec;
  if (!fs::is_directory(dir, ec)) throw merge_error(dir + ": no such directory");
  found_manifests found;
  auto scan = [&found](const fs::path& folder) {
    std::error_code scan_ec;
    for (const auto& entry : fs::directory_iterator(folder, scan_ec)) {
      if (!entry.is_regular_file()) continue;
      const std::string name = entry.path().filename().string();
      if (is_manifest_name(name)) found.sweeps.push_back(entry.path());
      if (is_tune_manifest_name(name)) found.tunes.push_back(entry.path());
    }
    if (scan_ec) throw merge_error(folder.string() + ": cannot list it: " + scan_ec.message());
  };
  scan(dir);
  for (const auto& entry : fs::directory_iterator(dir, ec)) {
    if (entry.is_directory()) scan(entry.path());
  }
  if (ec) throw merge_error(dir + ": cannot list it: " + ec.message());
  if (found.sweeps.empty() && found.tunes.empty()) {
    throw merge_error(dir + ": no shard manifest (<scenario>/shard-<i>-of-<N>.json or "
                            "<scenario>/tune-shard-<i>-of-<N>.json) in it; was it written by `squall sweep` or "
                            "`squall tune` with --shard i/N --out " + dir + ", and did that shard finish?");
  }
  std::sort(found.sweeps.begin(), found.sweeps.end());
  std::sort(found.tunes.begin(), found.tunes.end());
  return found;
}

// The first field in which two shards' sweeps differ, as "name: a vs b"; empty when they agree.
std::string difference(const manifest& a, const manifest& b) {
  auto show = [](const std::vector<std::string>& v) { return json(v).dump(); };
  if (a.id.file != b.id.file) return "scenario file: " + a.id.file + " vs " + b.id.file;
  if (a.id.fingerprint != b.id.fingerprint) {
    return "scenario file contents (fingerprint " + a.id.fingerprint + " vs " + b.id.fingerprint + ")";
  }
  if (a.id.overrides != b.id.overrides) return "--set: " + show(a.id.overrides) + " vs " + show(b.id.overrides);
  if (a.id.base_seed != b.id.base_seed) {
    return fmt::format("--seed (first seed): {} vs {}", a.id.base_seed, b.id.base_seed);
  }
  if (a.id.seeds != b.id.seeds) return fmt::format("--seeds: {} vs {}", a.id.seeds, b.id.seeds);
  if (a.shard.count != b.shard.count) return fmt::format("shard count: {} vs {}", a.shard.text(), b.shard.text());
  return "";
}

std::vector<manifest> complete_set(const std::string& scenario, std::vector<manifest> group) {
  const manifest& first = group.front();
  for (const manifest& m : group) {
    if (const std::string diff = difference(first, m); !diff.empty()) {
      throw merge_error(fmt::format("shards of '{}' come from different sweeps: {} and {} differ in {}; merge only "
                                    "the shards of one `squall sweep` command",
                                    scenario, first.path.string(), m.path.string(), diff));
    }
  }
  std::vector<shard_spec> specs;
  std::vector<fs::path> paths;
  for (const manifest& m : group) {
    specs.push_back(m.shard);
    paths.push_back(m.path);
  }
  std::vector<manifest> out;
  for (const std::size_t k : order_shards(scenario, specs, paths)) out.push_back(std::move(group[k]));
  return out;
}

json read_seed_report(const manifest& m, std::uint64_t seed) {
  const fs::path path = m.path.parent_path() / "seeds" / (std::to_string(seed) + ".json");
  std::error_code ec;
  if (!fs::exists(path, ec)) {
    throw merge_error(fmt::format("{}: missing; shard {} ({}) lists seed {}", path.string(), m.shard.text(),
                                  m.path.string(), seed));
  }
  json report = read_json(path);
  const json seed_value = report.is_object() ? report.value("seed", json()) : json();
  if (!seed_value.is_number_unsigned() || seed_value.get<std::uint64_t>() != seed ||
      report.value("scenario", std::string()) != m.id.scenario) {
    throw merge_error(fmt::format("{}: not the report of seed {} of '{}'", path.string(), seed, m.id.scenario));
  }
  return report;
}

}  // namespace

json read_json_file(const fs::path& path) { return read_json(path); }

std::vector<std::size_t> order_shards(const std::string& scenario, const std::vector<shard_spec>& shards,
                                      const std::vector<fs::path>& paths) {
  const int n = shards.front().count;
  std::vector<std::optional<std::size_t>> by_index(static_cast<std::size_t>(n));
  for (std::size_t k = 0; k < shards.size(); ++k) {
    auto& slot = by_index[static_cast<std::size_t>(shards[k].index - 1)];
    if (slot) {
      throw merge_error(fmt::format("shard {} of '{}' appears twice: {} and {}", shards[k].text(), scenario,
                                    paths[*slot].string(), paths[k].string()));
    }
    slot = k;
  }
  std::string missing;
  for (int i = 1; i <= n; ++i) {
    if (!by_index[static_cast<std::size_t>(i - 1)]) missing += (missing.empty() ? "" : ", ") + shard_spec{i, n}.text();
  }
  if (!missing.empty()) {
    throw merge_error(fmt::format("'{}': missing shard {} (found {} of {}; a shard that failed or is still running "
                                  "leaves no manifest)",
                                  scenario, missing, shards.size(), n));
  }
  std::vector<std::size_t> out;
  for (const auto& k : by_index) out.push_back(*k);
  return out;
}

std::optional<shard_spec> parse_shard(const std::string& text, std::string& error) {
  const std::size_t slash = text.find('/');
  const auto index = slash == std::string::npos ? std::nullopt : parse_count(text.substr(0, slash));
  const auto count = slash == std::string::npos ? std::nullopt : parse_count(text.substr(slash + 1));
  if (!index || !count) {
    error = "'" + text + "' is not i/N; " + shard_usage;
  } else if (*count < 1 || *count > shard_count_max) {
    error = fmt::format("N must be between 1 and {}; {}", shard_count_max, shard_usage);
  } else if (*index < 1) {
    error = std::string("shards are numbered from 1; ") + shard_usage;
  } else if (*index > *count) {
    error = fmt::format("there is no shard {} of {}; {}", *index, *count, shard_usage);
  } else {
    return shard_spec{*index, *count};
  }
  return std::nullopt;
}

std::vector<std::uint64_t> shard_seeds(const sweep_identity& id, const shard_spec& shard) {
  std::vector<std::uint64_t> seeds;
  for (std::size_t k = 0; k < static_cast<std::size_t>(std::max(id.seeds, 0)); ++k) {
    if (shard.contains(k)) seeds.push_back(id.base_seed + k);
  }
  return seeds;
}

namespace {
std::string manifest_path(const std::string& dir, const sweep_identity& id, const shard_spec& shard) {
  return fmt::format("{}/{}/shard-{}-of-{}.json", dir, id.scenario, shard.index, shard.count);
}
}  // namespace

void start_shard(const std::string& dir, const sweep_identity& id, const shard_spec& shard) {
  make_directories(dir + "/" + id.scenario + "/seeds");
  std::error_code ec;
  fs::remove(manifest_path(dir, id, shard), ec);
  if (ec) throw std::runtime_error("cannot remove the old " + manifest_path(dir, id, shard) + ": " + ec.message());
}

void write_seed_report(const std::string& dir, const sweep_identity& id, std::uint64_t seed, const json& report) {
  const std::string folder = dir + "/" + id.scenario + "/seeds";
  write_file_atomically(folder + "/" + std::to_string(seed) + ".json", report.dump(2) + "\n");
}

std::string write_shard_manifest(const std::string& dir, const sweep_identity& id, const shard_spec& shard,
                                 const std::vector<std::uint64_t>& seeds) {
  const json doc = {{"squall_shard", 1},          {"scenario", id.scenario},   {"file", id.file},
                    {"fingerprint", id.fingerprint}, {"overrides", id.overrides}, {"base_seed", id.base_seed},
                    {"seeds", id.seeds},          {"shard", shard.text()},     {"seed_list", seeds}};
  const std::string path = manifest_path(dir, id, shard);
  write_file_atomically(path, doc.dump(2) + "\n");
  return path;
}

found_manifests find_manifests(const std::vector<std::string>& dirs) {
  found_manifests all;
  std::vector<fs::path> seen;
  // The same folder given twice (or a shard folder and its parent) is read once.
  const auto add_new = [&seen](std::vector<fs::path>& to, const std::vector<fs::path>& paths) {
    for (const fs::path& path : paths) {
      std::error_code ec;
      const fs::path canonical = fs::weakly_canonical(path, ec);
      if (std::find(seen.begin(), seen.end(), canonical) != seen.end()) continue;
      seen.push_back(canonical);
      to.push_back(path);
    }
  };
  for (const std::string& dir : dirs) {
    const found_manifests found = manifests_in(dir);
    add_new(all.sweeps, found.sweeps);
    add_new(all.tunes, found.tunes);
  }
  return all;
}

std::vector<merged_sweep> read_shards(const std::vector<fs::path>& manifests) {
  std::map<std::string, std::vector<manifest>> by_scenario;
  for (const fs::path& path : manifests) {
    manifest m = read_manifest(path);
    by_scenario[m.id.scenario].push_back(std::move(m));
  }
  std::vector<merged_sweep> out;
  for (auto& [scenario, group] : by_scenario) {
    const std::vector<manifest> shards = complete_set(scenario, std::move(group));
    merged_sweep merged;
    merged.id = shards.front().id;
    merged.reports.resize(static_cast<std::size_t>(merged.id.seeds));
    for (const manifest& m : shards) {
      for (const std::uint64_t seed : m.seeds) {
        merged.reports[seed - m.id.base_seed] = reports::seed_digest(read_seed_report(m, seed));
      }
    }
    out.push_back(std::move(merged));
  }
  return out;
}

}  // namespace squall::runner
