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
};

// Builds a whole scenario from the (overridden) document; errors go to `errors`.
scenario build_scenario(const nlohmann::json& document, error_sink& errors);

void build_dependencies(const nlohmann::json& value, const std::string& path, error_sink& errors,
                        std::vector<fakes::dependency_config>& out, scenario_facts& facts);
void build_workload(const nlohmann::json& value, const std::string& path, error_sink& errors,
                    const scenario_facts& facts, workload_config& out);
void build_faults(const nlohmann::json& value, const std::string& path, error_sink& errors,
                  const scenario_facts& facts, std::vector<fakes::fault_config>& out);
void build_policy(const nlohmann::json& value, const std::string& path, error_sink& errors,
                  stack::resilience::policy_config& out);
void build_gates(const nlohmann::json& value, const std::string& path, error_sink& errors,
                 std::vector<std::string>& out);

// Resolves the "target" key of `r` to a dependency: required with several dependencies, else the only one.
void resolve_target(object_reader& r, const scenario_facts& facts, std::string& name, std::size_t& index);

}  // namespace squall::runner
