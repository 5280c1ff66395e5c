#pragma once
// Builders from validated JSON to the scenario structs, one per section. Internal to the parser.
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "runner/scenario.hpp"
#include "runner/scenario_reader.hpp"

namespace squall::runner {

// What one section learned that another checks against.
struct scenario_facts {
  std::optional<stack::duration> run_for;                    // duration_s, when valid
  std::optional<std::vector<std::string>> dependency_names;  // when `dependencies` is a non-empty object
  bool has_workload = false;                                 // `workload` is present, valid or not
  bool has_dependencies = false;                             // `dependencies` is present, valid or not
  bool has_jobs = false;                                     // `jobs` is present, valid or not
  std::optional<int> job_nodes;                              // jobs.nodes, when valid
};

// Builds a whole scenario from the (overridden) document; errors go to `errors`.
scenario build_scenario(const nlohmann::json& document, error_sink& errors);

void build_dependencies(const nlohmann::json& value, const std::string& path, error_sink& errors,
                        std::vector<fakes::dependency_config>& out, scenario_facts& facts);
void build_workload(const nlohmann::json& value, const std::string& path, error_sink& errors,
                    const scenario_facts& facts, workload_config& out);
// Jobs learn the node count (facts.job_nodes) that node faults are checked against.
void build_jobs(const nlohmann::json& value, const std::string& path, error_sink& errors, scenario_facts& facts,
                jobs_config& out);
// HTTP faults go to `out`, faults against job nodes and the store to `node_out`.
void build_faults(const nlohmann::json& value, const std::string& path, error_sink& errors,
                  const scenario_facts& facts, std::vector<fakes::fault_config>& out,
                  std::vector<node_fault>& node_out);
void build_policy(const nlohmann::json& value, const std::string& path, error_sink& errors,
                  stack::resilience::policy_config& out);
// Shadow candidates, checked against the enforced policy (which must be built first).
void build_candidates(const nlohmann::json& value, const std::string& path, error_sink& errors,
                      const scenario_facts& facts, const stack::resilience::policy_config& policy,
                      std::vector<candidate_config>& out);
// Gates may name the candidates' metrics (candidates.<name>.breaker.flaps and the like).
void build_gates(const nlohmann::json& value, const std::string& path, error_sink& errors,
                 const std::vector<candidate_config>& candidates, std::vector<std::string>& out);

// Object kinds used in several sections ("arrivals", "latency", "backoff").
void build_arrivals(const nlohmann::json& value, const std::string& path, error_sink& errors,
                    const scenario_facts& facts, arrivals_config& out);
void build_latency(const nlohmann::json& value, const std::string& path, error_sink& errors,
                   fakes::latency_config& out);
void build_backoff(const nlohmann::json& value, const std::string& path, error_sink& errors,
                   stack::resilience::backoff_config& out);
// The policy's breaker and retry budget, also a candidate's.
void build_breaker(const nlohmann::json& value, const std::string& path, error_sink& errors,
                   stack::resilience::breaker_config& out);
void build_budget(const nlohmann::json& value, const std::string& path, error_sink& errors,
                  stack::resilience::budget_config& out);

// Resolves the "target" key of `r` to a dependency: required with several dependencies, else the only one.
void resolve_target(object_reader& r, const scenario_facts& facts, std::string& name, std::size_t& index);
// The same, with "target" already read.
void resolve_target(object_reader& r, const scenario_facts& facts, const std::optional<std::string>& target,
                    std::string& name, std::size_t& index);

// A fault's from_s and to_s: to_s > from_s and <= duration_s.
void read_window(object_reader& r, const scenario_facts& facts, stack::duration& from, stack::duration& to);
// A fault against a job node or the store (`r` reads a "fault" object whose kind is `kind`).
void build_node_fault(object_reader& r, node_fault_kind kind, const scenario_facts& facts,
                      std::vector<node_fault>& out);

// Seconds for messages: "1.5".
inline std::string format_seconds(stack::duration d) { return format_number(stack::to_s(d)); }

}  // namespace squall::runner
