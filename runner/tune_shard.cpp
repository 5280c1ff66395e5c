#include "runner/tune_shard.hpp"

#include <fstream>
#include <map>
#include <stdexcept>

#include <fmt/format.h>

#include "runner/files.hpp"
#include "runner/outputs.hpp"

namespace squall::runner {

namespace fs = std::filesystem;
using json = nlohmann::json;

namespace {

std::string shard_name(const shard_spec& shard) { return fmt::format("tune-shard-{}-of-{}", shard.index, shard.count); }

json optional_json(const std::optional<std::uint64_t>& v) { return v ? json(*v) : json(nullptr); }

// The options that decide a tune's results, in the order a mismatch is reported.
json options_json(const tune_command& cmd) {
  return json::array({json::array({"scenario file", cmd.file}), json::array({"--vary", cmd.varies}),
                      json::array({"--set", cmd.overrides}), json::array({"--seed", optional_json(cmd.seed)}),
                      json::array({"--seeds", cmd.seeds}), json::array({"--search", cmd.search}),
                      json::array({"--budget", optional_json(cmd.budget)}),
                      json::array({"--objective", cmd.objective}),
                      json::array({"--goodput-floor", cmd.goodput_floor}), json::array({"--holdout", cmd.holdout})});
}

const json& option(const json& options, std::size_t k, const fs::path& path) {
  if (!options.is_array() || k >= options.size() || !options[k].is_array() || options[k].size() != 2) {
    throw merge_error(path.string() + ": not a tune shard manifest: `options` is not what squall tune writes");
  }
  return options[k][1];
}

tune_command command_from(const json& options, const fs::path& path) {
  tune_command cmd;
  try {
    cmd.file = option(options, 0, path).get<std::string>();
    cmd.varies = option(options, 1, path).get<std::vector<std::string>>();
    cmd.overrides = option(options, 2, path).get<std::vector<std::string>>();
    if (const json& seed = option(options, 3, path); !seed.is_null()) cmd.seed = seed.get<std::uint64_t>();
    cmd.seeds = option(options, 4, path).get<int>();
    cmd.search = option(options, 5, path).get<std::string>();
    if (const json& budget = option(options, 6, path); !budget.is_null()) cmd.budget = budget.get<std::uint64_t>();
    cmd.objective = option(options, 7, path).get<std::string>();
    cmd.goodput_floor = option(options, 8, path).get<double>();
    cmd.holdout = option(options, 9, path).get<int>();
  } catch (const json::exception& e) {
    throw merge_error(path.string() + ": not a tune shard manifest: `options`: " + e.what());
  }
  // What the command line bounds, prepare_tune does not check again.
  if (cmd.seeds < 1 || cmd.seeds > 1000 || cmd.holdout < 0 || cmd.holdout > 1000) {
    throw merge_error(path.string() + ": not a tune shard manifest: --seeds must be 1..1000 and --holdout 0..1000");
  }
  return cmd;
}

struct tune_manifest {
  fs::path path;
  std::string scenario, fingerprint;
  json options;
  shard_spec shard;
  std::size_t cells = 0, shard_cells = 0;
};

template <class T>
T required(const json& doc, const char* key, const fs::path& path, const char* type) {
  return manifest_field<T>(doc, key, path, "tune shard manifest", type);
}

tune_manifest read_manifest(const fs::path& path) {
  const json doc = read_json_file(path);
  if (!doc.is_object() || doc.value("squall_tune_shard", 0) != 1) {
    throw merge_error(path.string() + ": not a tune shard manifest (no \"squall_tune_shard\": 1)");
  }
  tune_manifest m;
  m.path = path;
  m.scenario = required<std::string>(doc, "scenario", path, "a string");
  m.fingerprint = required<std::string>(doc, "fingerprint", path, "a string");
  m.options = required<json>(doc, "options", path, "the tune's options");
  std::string error;
  const auto shard = parse_shard(required<std::string>(doc, "shard", path, "a string \"i/N\""), error);
  if (!shard) throw merge_error(path.string() + ": not a tune shard manifest: `shard`: " + error);
  m.shard = *shard;
  m.cells = required<std::size_t>(doc, "cells", path, "a count");
  m.shard_cells = required<std::size_t>(doc, "shard_cells", path, "a count");
  if (m.shard_cells != shard_cells(m.cells, m.shard).size()) {
    throw merge_error(fmt::format("{}: shard {} of {} cells has {} cells, not {}", path.string(), m.shard.text(),
                                  m.cells, shard_cells(m.cells, m.shard).size(), m.shard_cells));
  }
  return m;
}

// The first option in which two shards' tunes differ, as "name: a vs b"; empty when they agree.
std::string difference(const tune_manifest& a, const tune_manifest& b) {
  if (a.fingerprint != b.fingerprint) {
    return "scenario file contents (fingerprint " + a.fingerprint + " vs " + b.fingerprint + ")";
  }
  for (std::size_t k = 0; k < 10; ++k) {
    const json& va = option(a.options, k, a.path);
    const json& vb = option(b.options, k, b.path);
    if (va != vb) return fmt::format("{}: {} vs {}", a.options[k][0].get<std::string>(), va.dump(), vb.dump());
  }
  if (a.shard.count != b.shard.count) return fmt::format("shard count: {} vs {}", a.shard.text(), b.shard.text());
  if (a.cells != b.cells) return fmt::format("the number of runs: {} vs {}", a.cells, b.cells);
  return "";
}

merged_tune merge_group(const std::string& scenario, const std::vector<tune_manifest>& group) {
  const tune_manifest& first = group.front();
  for (const tune_manifest& m : group) {
    if (const std::string diff = difference(first, m); !diff.empty()) {
      throw merge_error(fmt::format("shards of '{}' come from different tunes: {} and {} differ in {}; merge only "
                                    "the shards of one `squall tune` command",
                                    scenario, first.path.string(), m.path.string(), diff));
    }
  }
  std::vector<shard_spec> specs;
  std::vector<fs::path> paths;
  for (const tune_manifest& m : group) {
    specs.push_back(m.shard);
    paths.push_back(m.path);
  }
  merged_tune merged;
  merged.cmd = command_from(first.options, first.path);
  merged.fingerprint = first.fingerprint;
  for (const std::size_t k : order_shards(scenario, specs, paths)) merged.manifests.push_back(paths[k]);
  return merged;
}

run_summary summary_from(const json& line, std::size_t metrics, std::size_t gates) {
  run_summary s;
  for (const json& m : line.at("metrics")) s.metrics.push_back(m.is_null() ? std::nullopt : std::optional(m.get<double>()));
  for (const json& g : line.at("gates")) {
    s.gate_values.push_back(g.at(0).is_null() ? std::nullopt : std::optional(g.at(0).get<double>()));
    s.gate_passed.push_back(g.at(1).get<bool>() ? 1 : 0);
    s.gate_unknown.push_back(g.at(2).get<bool>() ? 1 : 0);
  }
  if (s.metrics.size() != metrics || s.gate_values.size() != gates) throw std::out_of_range("wrong number of values");
  return s;
}

json summary_line(std::size_t cell, const run_summary& s) {
  json metrics = json::array(), gates = json::array();
  for (const auto& m : s.metrics) metrics.push_back(m ? json(*m) : json(nullptr));
  for (std::size_t j = 0; j < s.gate_values.size(); ++j) {
    gates.push_back(json::array({s.gate_values[j] ? json(*s.gate_values[j]) : json(nullptr), s.gate_passed[j] != 0,
                                 s.gate_unknown[j] != 0}));
  }
  return {{"cell", cell}, {"metrics", std::move(metrics)}, {"gates", std::move(gates)}};
}

// Streamed line by line (a shard may hold many runs), through a temporary file renamed into place when complete.
void write_runs_file(const std::string& target, const std::vector<std::size_t>& cells,
                     const std::vector<run_summary>& runs) {
  const std::string tmp = temp_name_beside(target);
  try {
    std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
    for (std::size_t t = 0; t < cells.size() && out; ++t) out << summary_line(cells[t], runs[t]).dump() << '\n';
    out.close();
    if (!out) throw std::runtime_error("cannot write " + tmp + " (disk full?)");
    std::error_code ec;
    fs::rename(tmp, target, ec);
    if (ec) throw std::runtime_error("cannot rename " + tmp + " to " + target + ": " + ec.message());
  } catch (...) {
    std::error_code ignored;
    fs::remove(tmp, ignored);
    throw;
  }
}

}  // namespace

std::vector<std::size_t> shard_cells(std::size_t cells, const shard_spec& shard) {
  std::vector<std::size_t> out;
  for (std::size_t k = static_cast<std::size_t>(shard.index - 1); k < cells; k += static_cast<std::size_t>(shard.count))
    out.push_back(k);
  return out;
}

void start_tune_shard(const tune_plan& plan, const shard_spec& shard) {
  const std::string manifest = plan.folder + "/" + shard_name(shard) + ".json";
  std::error_code ec;
  fs::remove(manifest, ec);
  if (ec) throw std::runtime_error("cannot remove the old " + manifest + ": " + ec.message());
}

std::string write_tune_shard(const tune_command& cmd, const tune_plan& plan, const shard_spec& shard,
                             const std::vector<std::size_t>& cells, const std::vector<run_summary>& runs) {
  const std::string base = plan.folder + "/" + shard_name(shard);
  write_runs_file(base + ".runs.jsonl", cells, runs);
  const json manifest = {{"squall_tune_shard", 1},
                         {"scenario", plan.base.name},
                         {"fingerprint", make_sweep_identity(cmd.file, plan.base.name, {}, 0, 0).fingerprint},
                         {"command", tune_command_line(cmd)},
                         {"options", options_json(cmd)},
                         {"shard", shard.text()},
                         {"cells", cell_count(plan)},
                         {"shard_cells", cells.size()}};
  write_file_atomically(base + ".json", manifest.dump(2) + "\n");
  return base + ".json";
}

std::vector<merged_tune> read_tune_shards(const std::vector<fs::path>& manifests) {
  std::map<std::string, std::vector<tune_manifest>> by_scenario;
  for (const fs::path& path : manifests) {
    tune_manifest m = read_manifest(path);
    by_scenario[m.scenario].push_back(std::move(m));
  }
  std::vector<merged_tune> out;
  for (const auto& [scenario, group] : by_scenario) out.push_back(merge_group(scenario, group));
  return out;
}

void check_scenario_file(const merged_tune& merged) {
  std::string here;
  try {
    here = make_sweep_identity(merged.cmd.file, "", {}, 0, 0).fingerprint;
  } catch (const std::exception& e) {
    throw merge_error(fmt::format("{}; merging a tune reads the scenario its shards ran (to rebuild the candidates "
                                  "and run the hold-out): run merge where that file is at the same path",
                                  e.what()));
  }
  if (here != merged.fingerprint) {
    throw merge_error(fmt::format("{} is not the scenario the shards ran (fingerprint {} here, {} in the shards); "
                                  "merging a tune reads it to rebuild the candidates and run the hold-out",
                                  merged.cmd.file, here, merged.fingerprint));
  }
}

std::vector<run_summary> read_tune_runs(const merged_tune& merged, const tune_plan& plan) {
  const std::size_t metrics = summary_paths(plan).size(), gates = plan.gates.size();
  std::vector<run_summary> runs(cell_count(plan));
  for (const fs::path& manifest_path : merged.manifests) {
    const tune_manifest m = read_manifest(manifest_path);
    if (m.cells != runs.size()) {
      throw merge_error(fmt::format("{}: the shard ran {} cells, but the tune over {} has {} (another squall "
                                    "version?)",
                                    manifest_path.string(), m.cells, merged.cmd.file, runs.size()));
    }
    const fs::path runs_path = manifest_path.parent_path() / (shard_name(m.shard) + ".runs.jsonl");
    std::ifstream in(runs_path, std::ios::binary);
    if (!in) throw merge_error(runs_path.string() + ": missing; shard " + m.shard.text() + " lists its runs there");
    std::string line;
    std::size_t n = 0;
    for (const std::size_t cell : shard_cells(runs.size(), m.shard)) {
      ++n;
      try {
        if (!std::getline(in, line)) throw std::out_of_range("the file ends early");
        const json doc = json::parse(line);
        if (doc.at("cell").get<std::size_t>() != cell) throw std::out_of_range("not the expected cell");
        runs[cell] = summary_from(doc, metrics, gates);
      } catch (const std::exception& e) {
        throw merge_error(fmt::format("{}: line {}: not the summary of run {} of shard {} ({})", runs_path.string(),
                                      n, cell, m.shard.text(), e.what()));
      }
    }
    if (std::getline(in, line)) throw merge_error(runs_path.string() + ": more lines than the shard's runs");
  }
  return runs;
}

}  // namespace squall::runner
