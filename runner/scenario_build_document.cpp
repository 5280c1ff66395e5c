// The document's top level, gates and reports.
#include <algorithm>
#include <string_view>

#include "reports/gates.hpp"
#include "runner/scenario_build.hpp"
#include "runner/scenario_hints.hpp"

namespace squall::runner {
namespace {

std::string first_segments_of_metrics() {
  std::vector<std::string_view> groups;
  for (const std::string& m : reports::known_metrics()) {
    const std::string_view group = std::string_view(m).substr(0, m.find('.'));
    if (std::find(groups.begin(), groups.end(), group) == groups.end()) groups.push_back(group);
  }
  return list_words(groups);
}

void build_gate(const nlohmann::json& item, const std::string& path, error_sink& errors,
                const std::vector<history::candidate_info>& candidates, std::vector<std::string>& out) {
  if (!item.is_string()) {
    errors.add(path, "expected a string, got " + describe_value(item), "write e.g. \"latency_ms.p99 < 800\"");
    return;
  }
  const std::string& expr = item.get_ref<const std::string&>();
  const reports::gate_parse parsed = reports::parse_gate(expr);
  if (!parsed.value) {
    errors.add(path, "invalid gate " + quote(expr) + ": " + parsed.error);
    return;
  }
  if (!reports::is_known_metric(parsed.value->path, candidates)) {
    std::vector<std::string> metrics = reports::known_metrics();
    for (std::string& m : reports::candidate_metrics(candidates)) metrics.push_back(std::move(m));
    const std::vector<std::string_view> choices(metrics.begin(), metrics.end());
    std::string hint;
    if (const auto match = closest(parsed.value->path, choices)) {
      hint = "did you mean " + quote(*match) + "?";
    } else if (parsed.value->path.rfind("candidates.", 0) == 0) {
      std::vector<std::string_view> names;
      for (const history::candidate_info& c : candidates) names.push_back(c.name);
      hint = names.empty() ? "the scenario has no \"candidates\""
                           : "write candidates.<name>.<metric> (see docs/report-format.md) with a name among " +
                                 list_words(names);
    } else {
      hint = "metrics are under " + first_segments_of_metrics() + "; see docs/scenario-format.md";
    }
    errors.add(path, "unknown metric " + quote(parsed.value->path), hint);
    return;
  }
  out.push_back(expr);
}

// A workload, jobs or both; a workload calls dependencies through a policy.
void check_sections(object_reader& r, scenario_facts& facts) {
  facts.has_workload = r.has("workload");
  facts.has_dependencies = r.has("dependencies");
  facts.has_jobs = r.has("jobs");
  if (!facts.has_workload && !facts.has_jobs) {
    if (!r.hinted("workload") && !r.hinted("jobs")) {
      r.error_here("missing required key 'workload' or 'jobs'",
                   "a scenario runs a \"workload\" (requests through dependencies), \"jobs\" (jobs on worker "
                   "nodes over a queue or cron), or both; see docs/scenario-format.md");
    }
    return;
  }
  if (!facts.has_workload) return;
  r.require("dependencies", "the workload's requests call dependencies, e.g. \"dependencies\": {\"api\": "
                            "{\"capacity\": 64, \"latency\": {...}}}");
  r.require("policy", "the workload's requests go through a resilience policy: at least "
                      "{\"timeout_ms\": ..., \"retry\": {...}}");
}

}  // namespace

void build_gates(const nlohmann::json& value, const std::string& path, error_sink& errors,
                 const std::vector<candidate_config>& candidates, std::vector<std::string>& out) {
  const std::vector<history::candidate_info> infos = candidate_infos(candidates);
  for (std::size_t i = 0; i < value.size(); ++i) build_gate(value[i], path_index(path, i), errors, infos, out);
}

scenario build_scenario(const nlohmann::json& document, error_sink& errors) {
  scenario s;
  scenario_facts facts;
  read_object(errors, document, "", "scenario", [&](object_reader& r) {
    if (const auto version = r.integer("squall"); version && *version != 1) {
      r.error("squall", "unsupported scenario format version " + std::to_string(*version),
              "this squall reads \"squall\": 1");
    }
    assign(s.name, r.text("name"));
    assign(s.description, r.text("description"));
    assign(s.seed, r.integer("seed"));
    facts.run_for = r.time("duration_s");
    assign(s.run_for, facts.run_for);
    check_sections(r, facts);
    // Dependencies and jobs first: the workload and faults name dependencies and nodes.
    if (const auto* deps = r.child("dependencies")) {
      build_dependencies(*deps, r.path_of("dependencies"), errors, s.dependencies, facts);
    }
    if (const auto* jobs = r.child("jobs")) build_jobs(*jobs, r.path_of("jobs"), errors, facts, s.jobs);
    s.workload.enabled = facts.has_workload;
    if (const auto* workload = r.child("workload")) {
      build_workload(*workload, r.path_of("workload"), errors, facts, s.workload);
    }
    if (const auto* faults = r.child("faults")) {
      build_faults(*faults, r.path_of("faults"), errors, facts, s.faults, s.node_faults);
    }
    if (const auto* policy = r.child("policy")) build_policy(*policy, r.path_of("policy"), errors, s.policy);
    if (const auto* candidates = r.child("candidates")) {
      build_candidates(*candidates, r.path_of("candidates"), errors, facts, s.policy, s.candidates);
    }
    if (const auto* gates = r.child("gates")) build_gates(*gates, r.path_of("gates"), errors, s.candidates, s.gates);
    assign(s.expect, r.text("expect"));
    if (const auto* section = r.child("reports")) {
      read_object(errors, *section, r.path_of("reports"), "reports",
                  [&](object_reader& rr) { assign(s.flap_window_s, rr.number("flap_window_s")); });
    }
  });
  s.document = document;
  return s;
}

}  // namespace squall::runner
