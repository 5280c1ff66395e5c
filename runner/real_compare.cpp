#include "runner/real_compare.hpp"

#include <array>
#include <string_view>

#include <fmt/format.h>

namespace squall::runner {

namespace {

// What a reader compares first: load, outcome, amplification, latency, breaker, locks.
constexpr std::array key_metrics = {
    "requests.originals",        "requests.attempts",       "requests.succeeded",     "requests.timeouts",
    "requests.rejected_open",    "goodput.ratio",           "retry_amplification.overall",
    "retry_amplification.window_max", "latency_ms.p50",     "latency_ms.p99",         "breaker.transitions",
    "breaker.flaps",             "breaker.time_open_s",     "duplicates.effects_applied",
    "duplicates.effects_duplicated", "duplicates.lock_overlaps", "duplicates.fencing_rejections",
};

const nlohmann::json* find(const nlohmann::json& report, const std::string& path) {
  const nlohmann::json* at = &report;
  std::size_t start = 0;
  while (start <= path.size()) {
    const std::size_t dot = path.find('.', start);
    const std::string part = path.substr(start, dot == std::string::npos ? std::string::npos : dot - start);
    if (!at->is_object() || !at->contains(part)) return nullptr;
    at = &(*at)[part];
    if (dot == std::string::npos) break;
    start = dot + 1;
  }
  return at;
}

nlohmann::json value_at(const nlohmann::json& report, const std::string& path) {
  const nlohmann::json* v = find(report, path);
  if (!v) return nullptr;
  // breaker.transitions is a list in the report: compare its length.
  if (v->is_array()) return v->size();
  return v->is_number() ? *v : nlohmann::json(nullptr);
}

std::string shown(const nlohmann::json& v) {
  if (v.is_null()) return "-";
  if (v.is_number_integer() || v.is_number_unsigned()) return v.dump();
  return fmt::format("{:.4g}", v.get<double>());
}

}  // namespace

nlohmann::json compare_reports(const nlohmann::json& sim, const nlohmann::json& real, bool http, bool jobs) {
  nlohmann::json rows = nlohmann::json::array();
  for (const char* path : key_metrics) {
    const bool jobs_metric = std::string_view(path).starts_with("duplicates.");
    if (jobs_metric ? !jobs : !http) continue;
    const nlohmann::json a = value_at(sim, path);
    const nlohmann::json b = value_at(real, path);
    if (a.is_null() && b.is_null()) continue;
    nlohmann::json delta = nullptr;
    if (a.is_number() && b.is_number()) delta = b.get<double>() - a.get<double>();
    rows.push_back({{"path", path}, {"sim", a}, {"real", b}, {"delta", delta}});
  }
  return {{"metrics", rows}};
}

std::string comparison_table(const nlohmann::json& comparison) {
  std::string out = fmt::format("{:<34} {:>14} {:>14} {:>14}\n", "metric", "simulated", "real", "real - sim");
  for (const auto& row : comparison["metrics"])
    out += fmt::format("{:<34} {:>14} {:>14} {:>14}\n", row["path"].get<std::string>(), shown(row["sim"]),
                       shown(row["real"]), shown(row["delta"]));
  return out;
}

std::string comparison_markdown(const nlohmann::json& comparison, const std::string& scenario) {
  std::string out = fmt::format("### {}: simulated vs real\n\n| metric | simulated | real | real − sim |\n|---|---:|---:|---:|\n",
                                scenario);
  for (const auto& row : comparison["metrics"])
    out += fmt::format("| `{}` | {} | {} | {} |\n", row["path"].get<std::string>(), shown(row["sim"]),
                       shown(row["real"]), shown(row["delta"]));
  return out + "\nWhy they differ: docs/real-mode.md (\"Simulated vs real\").\n";
}

}  // namespace squall::runner
