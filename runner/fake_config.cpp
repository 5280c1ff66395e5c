#include "runner/fake_config.hpp"

#include <algorithm>
#include <fstream>

#include "runner/scenario_build.hpp"
#include "runner/scenario_errors.hpp"
#include "runner/scenario_hints.hpp"
#include "runner/scenario_json_checks.hpp"

namespace squall::runner {
namespace {

using nlohmann::json;

constexpr std::string_view default_name = "api";

fake_config_outcome failed(std::string path, std::string message, std::string hint = {}) {
  return {std::nullopt, {scenario_error{std::move(path), std::move(message), std::move(hint)}}};
}

// The builders see the object under a wrapper key ({"api": {...}} or [ {...} ]); paths are shown without it.
std::vector<scenario_error> unwrap_paths(std::vector<scenario_error> errors, std::string_view wrapper) {
  for (scenario_error& e : errors) {
    if (e.path.rfind(wrapper, 0) != 0) continue;
    e.path.erase(0, wrapper.size());
    if (!e.path.empty() && e.path.front() == '.') e.path.erase(0, 1);
  }
  return errors;
}

fake_config_outcome from_scenario(std::string_view text, const std::string& name) {
  parse_outcome parsed = parse_scenario(text);
  if (!parsed.value) return {std::nullopt, std::move(parsed.errors)};
  const scenario& s = *parsed.value;
  std::vector<std::string_view> names;
  for (const auto& d : s.dependencies) names.push_back(d.name);
  if (names.empty()) return failed("dependencies", "the scenario has no dependencies to serve");
  std::size_t index = 0;
  if (name.empty()) {
    if (names.size() > 1) {
      return failed("dependencies", "the scenario has " + std::to_string(names.size()) + " dependencies",
                    "pick one with --dependency: " + list_words(names));
    }
  } else {
    const auto it = std::find(names.begin(), names.end(), name);
    if (it == names.end()) return failed("dependencies", "no dependency named " + quote(name), suggest(name, names, "dependencies"));
    index = static_cast<std::size_t>(it - names.begin());
  }
  fake_config out{s.dependencies[index], {}};
  for (const auto& f : s.faults)
    if (f.target_index == index) out.faults.push_back(f);
  for (auto& f : out.faults) f.target_index = 0;
  return {std::move(out), {}};
}

fake_config_outcome from_dependency(json document, const std::string& name) {
  const std::string key = name.empty() ? std::string(default_name) : name;
  json wrapped = json::object();
  wrapped[key] = std::move(document);
  error_sink errors;
  scenario_facts facts;
  std::vector<fakes::dependency_config> deps;
  build_dependencies(wrapped, "", errors, deps, facts);
  if (!errors.empty()) return {std::nullopt, unwrap_paths(std::move(errors).take(), key)};
  return {fake_config{std::move(deps.front()), {}}, {}};
}

fakes::real::fault_parse first_error(std::vector<scenario_error> errors) {
  scenario_error& e = errors.front();
  fakes::real::fault_parse out{std::nullopt, std::move(e.message), std::move(e.path), std::move(e.hint), {}};
  for (std::size_t i = 1; i < errors.size(); ++i) {
    out.more.push_back({std::move(errors[i].message), std::move(errors[i].path), std::move(errors[i].hint)});
  }
  return out;
}

// duration_s -> from_s 0, to_s duration_s; from_s defaults to 0 (now). An error message, or empty.
std::optional<scenario_error> apply_shorthands(json& fault) {
  if (fault.contains("duration_s")) {
    const json& d = fault["duration_s"];
    if (fault.contains("from_s") || fault.contains("to_s")) {
      return scenario_error{"duration_s", "give either 'duration_s' or 'from_s'/'to_s', not both",
                            "duration_s: the fault starts now and lasts that long"};
    }
    if (!d.is_number() || d.get<double>() <= 0) {
      return scenario_error{"duration_s", "must be a number > 0, got " + describe_value(d),
                            "e.g. \"duration_s\": 30"};
    }
    fault["from_s"] = 0;
    fault["to_s"] = d;
    fault.erase("duration_s");
  } else if (!fault.contains("from_s")) {
    fault["from_s"] = 0;
  }
  return std::nullopt;
}

}  // namespace

fake_config_outcome parse_fake_config(std::string_view text, const std::string& name) {
  if (auto errors = check_scenario_text(text); !errors.empty()) return {std::nullopt, std::move(errors)};
  strict_parse parsed = parse_strict_json(text);
  if (!parsed.value) return {std::nullopt, std::move(parsed.errors)};
  if (!parsed.errors.empty()) return {std::nullopt, std::move(parsed.errors)};
  if (!parsed.value->is_object()) {
    return failed("", "the config is a JSON object, got " + describe_value(*parsed.value),
                  "a dependency as in a scenario's dependencies.<name>, e.g. {\"capacity\": 64, \"latency\": "
                  "{\"dist\": \"lognormal\", \"median_ms\": 20, \"sigma\": 0.5}}");
  }
  if (parsed.value->contains("squall")) return from_scenario(text, name);
  return from_dependency(std::move(*parsed.value), name);
}

fake_config_outcome load_fake_config(const std::string& file, const std::string& name) {
  std::ifstream in(file, std::ios::binary);
  if (!in) return failed("", "cannot read '" + file + "'");
  // One byte past the limit is enough for check_scenario_text to refuse an oversized file.
  std::string text(scenario_max_bytes + 1, '\0');
  in.read(text.data(), static_cast<std::streamsize>(text.size()));
  if (in.bad()) return failed("", "cannot read '" + file + "': read error");
  text.resize(static_cast<std::size_t>(in.gcount()));
  return parse_fake_config(text, name);
}

fakes::real::fault_parse parse_posted_fault(std::string_view text, const std::string& dependency) {
  strict_parse parsed = parse_strict_json(text);
  if (!parsed.value) return first_error(std::move(parsed.errors));
  if (!parsed.errors.empty()) return first_error(std::move(parsed.errors));
  json& fault = *parsed.value;
  if (!fault.is_object()) {
    return {std::nullopt, "a fault is a JSON object, got " + describe_value(fault), "",
            "e.g. {\"kind\": \"error_storm\", \"rate\": 0.5, \"status\": 503, \"duration_s\": 30}", {}};
  }
  if (fault.contains("kind") && fault["kind"].is_string()) {
    const std::string kind = fault["kind"].get<std::string>();
    if (names::lookup(names::node_fault_kinds, kind)) {
      return {std::nullopt, quote(kind) + " is a fault against a job node or the store, not an HTTP dependency",
              "kind", "the fake server takes " + list_words(names::all(names::fault_kinds)), {}};
    }
  }
  if (auto e = apply_shorthands(fault)) return first_error({std::move(*e)});
  error_sink errors;
  scenario_facts facts;
  facts.has_dependencies = true;
  facts.dependency_names = std::vector<std::string>{dependency};
  std::vector<fakes::fault_config> out;
  std::vector<node_fault> node_out;
  build_faults(json::array({std::move(fault)}), "", errors, facts, out, node_out);
  if (!errors.empty()) return first_error(unwrap_paths(std::move(errors).take(), "[0]"));
  return {std::move(out.front()), {}, {}, {}, {}};
}

}  // namespace squall::runner
