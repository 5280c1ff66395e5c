#include "reports/aggregate.hpp"

#include <algorithm>
#include <limits>

#include <fmt/format.h>

#include "reports/gates.hpp"
#include "reports/json_number.hpp"
#include "reports/render_text.hpp"

namespace squall::reports {

using json = nlohmann::json;

namespace {

json metric_summary(const std::vector<json>& reports, const std::string& path) {
  double sum = 0;
  double lo = std::numeric_limits<double>::infinity();
  double hi = -std::numeric_limits<double>::infinity();
  std::uint64_t count = 0;
  for (const json& r : reports) {
    if (const auto v = lookup_metric(r, path)) {
      sum += *v;
      lo = std::min(lo, *v);
      hi = std::max(hi, *v);
      ++count;
    }
  }
  if (count == 0) return {{"mean", nullptr}, {"min", nullptr}, {"max", nullptr}, {"count", 0}};
  return {{"mean", number(sum / static_cast<double>(count))}, {"min", number(lo)}, {"max", number(hi)},
          {"count", count}};
}

int failed_gates(const json& report) {
  int n = 0;
  const json& gates = detail::at_path(report, "gates");
  if (!gates.is_array()) return 0;
  for (const auto& g : gates) {
    if (!gate_is_unknown(g) && !g.value("passed", false)) ++n;
  }
  return n;
}

double goodput_or_lowest(const json& report) {
  const auto v = lookup_metric(report, "goodput.ratio");
  return v ? *v : -std::numeric_limits<double>::infinity();
}

json gate_shares(const std::vector<json>& reports) {
  struct tally {
    std::string expr;
    std::uint64_t passed = 0, failed = 0, unknown = 0;
  };
  std::vector<tally> tallies;
  for (const json& r : reports) {
    const json& gates = detail::at_path(r, "gates");
    if (!gates.is_array()) continue;
    for (const auto& g : gates) {
      const std::string expr = g.value("expr", std::string());
      auto it = std::find_if(tallies.begin(), tallies.end(), [&](const tally& t) { return t.expr == expr; });
      if (it == tallies.end()) it = tallies.insert(tallies.end(), tally{expr});
      if (gate_is_unknown(g)) {
        ++it->unknown;
      } else if (g.value("passed", false)) {
        ++it->passed;
      } else {
        ++it->failed;
      }
    }
  }
  json out = json::array();
  for (const tally& t : tallies) {
    const std::uint64_t n = t.passed + t.failed + t.unknown;
    out.push_back({{"expr", t.expr},
                   {"passed", t.passed},
                   {"failed", t.failed},
                   {"unknown", t.unknown},
                   {"pass_share", ratio(static_cast<double>(t.passed), static_cast<double>(n))}});
  }
  return out;
}

}  // namespace

json aggregate_seeds(const std::vector<json>& reports) {
  json out;
  out["scenario"] = reports.empty() ? json(nullptr) : reports.front().value("scenario", json());
  out["runs"] = reports.size();
  json seeds = json::array();
  json verdicts = {{"pass", 0}, {"fail", 0}, {"unknown", 0}};
  for (const json& r : reports) {
    seeds.push_back(r.value("seed", json()));
    std::string v = r.value("verdict", std::string("unknown"));
    if (v != "pass" && v != "fail") v = "unknown";
    verdicts[v] = verdicts[v].get<int>() + 1;
  }
  out["seeds"] = std::move(seeds);
  out["verdicts"] = std::move(verdicts);

  json metrics = json::object();
  for (const std::string& path : known_metrics()) metrics[path] = metric_summary(reports, path);
  out["metrics"] = std::move(metrics);
  out["gates"] = gate_shares(reports);

  if (reports.empty()) {
    out["worst"] = nullptr;
    out["worst_repro"] = nullptr;
    return out;
  }
  std::size_t worst = 0;
  for (std::size_t i = 1; i < reports.size(); ++i) {
    const int fi = failed_gates(reports[i]);
    const int fw = failed_gates(reports[worst]);
    if (fi > fw || (fi == fw && goodput_or_lowest(reports[i]) < goodput_or_lowest(reports[worst]))) worst = i;
  }
  const json& w = reports[worst];
  out["worst"] = {{"seed", w.value("seed", json())},
                  {"failed_gates", failed_gates(w)},
                  {"goodput", detail::at_path(w, "goodput.ratio")},
                  {"repro", w.value("repro", json())}};
  out["worst_repro"] = w.value("repro", json());
  return out;
}

std::string render_seeds_markdown(const json& aggregate) {
  using detail::display;
  const json scenario = aggregate.value("scenario", json());
  std::string out = fmt::format("#### {} over {} seeds\n\n",
                                detail::escape_md_cell(scenario.is_string() ? scenario.get<std::string>() : "?"),
                                display(aggregate.value("runs", json())));
  const json verdicts = aggregate.value("verdicts", json::object());
  out += fmt::format("Verdicts: {} pass, {} fail, {} unknown.\n\n", display(verdicts.value("pass", json())),
                     display(verdicts.value("fail", json())), display(verdicts.value("unknown", json())));
  out += "| metric | mean | min | max |\n|---|---|---|---|\n";
  const json metrics = aggregate.value("metrics", json::object());
  for (const char* path : {"goodput.ratio", "retry_amplification.overall", "retry_amplification.window_max",
                           "breaker.flaps_per_hour", "breaker.time_open_s", "latency_ms.p99", "recovery.seconds",
                           "recovery.metastable"}) {
    const json m = metrics.value(path, json::object());
    out += fmt::format("| `{}` | {} | {} | {} |\n", path, display(m.value("mean", json())),
                       display(m.value("min", json())), display(m.value("max", json())));
  }
  const json gates = aggregate.value("gates", json::array());
  if (!gates.empty()) {
    out += "\n| gate | passed | share |\n|---|---|---|\n";
    for (const auto& g : gates) {
      out += fmt::format("| {} | {} / {} | {} |\n", detail::md_code(g.value("expr", std::string())),
                         display(g.value("passed", json())),
                         g.value("passed", 0) + g.value("failed", 0) + g.value("unknown", 0),
                         display(g.value("pass_share", json())));
    }
  }
  const json worst = aggregate.value("worst", json());
  if (worst.is_object()) {
    out += fmt::format("\nWorst seed: {} ({} failed gates, goodput {}). Repro: {}\n", display(worst.value("seed", json())),
                       display(worst.value("failed_gates", json())), display(worst.value("goodput", json())),
                       detail::md_code(display(worst.value("repro", json()))));
  }
  return out;
}

}  // namespace squall::reports
