// Faults: bounded in time, with fields per kind. HTTP faults hit a dependency; the others (node faults) hit a job
// node or the store and are built in scenario_build_node_faults.cpp.
#include <algorithm>

#include "runner/scenario_build.hpp"
#include "runner/scenario_hints.hpp"

namespace squall::runner {
namespace {

void read_kind_fields(object_reader& r, fakes::fault_kind kind, fakes::fault_config& out) {
  using fakes::fault_kind;
  switch (kind) {
    case fault_kind::error_storm:
      assign(out.rate, r.number("rate"));
      assign(out.status, r.integer("status"));
      assign(out.latency_ms, r.number("latency_ms"));
      assign(out.retry_after_s, r.number("retry_after_s"));
      break;
    case fault_kind::latency_spike: {
      const auto multiplier = r.number("multiplier");
      const auto add_ms = r.number("add_ms");
      // Both at their defaults would be a fault that changes nothing: almost certainly a mistake.
      if (multiplier && add_ms && *multiplier == 1.0 && *add_ms == 0.0) {
        r.error_here("a latency_spike must change latency", "set 'multiplier' > 1 or 'add_ms' > 0");
      }
      assign(out.multiplier, multiplier);
      assign(out.add_ms, add_ms);
      break;
    }
    case fault_kind::outage: break;
    case fault_kind::hang:
    case fault_kind::reset: assign(out.rate, r.number("rate")); break;
    case fault_kind::rate_limit:
      assign(out.limit_per_s, r.number("limit_per_s"));
      assign(out.retry_after_s, r.number("retry_after_s"));
      break;
  }
}

// Whether `target` names a job node ("n0", "n12") or the store rather than a dependency.
bool names_node_or_store(std::string_view target) {
  if (target == "store") return true;
  if (target.size() < 2 || target.front() != 'n') return false;
  return target.find_first_not_of("0123456789", 1) == std::string_view::npos;
}

void build_http_fault(object_reader& r, fakes::fault_kind kind, const scenario_facts& facts,
                      std::vector<fakes::fault_config>& out) {
  fakes::fault_config fault;
  fault.kind = kind;
  const std::string kind_name(r.variant());
  const auto target = r.text("target");
  if (!facts.has_dependencies) {
    // With a workload, its missing dependencies are already reported.
    if (!facts.has_workload) {
      r.error("kind", quote(kind_name) + " is a fault against a dependency, but the scenario has no 'dependencies'",
              "job nodes and the store take " + list_words(names::all(names::node_fault_kinds)));
    }
  } else if (target && names_node_or_store(*target) && facts.dependency_names &&
             std::find(facts.dependency_names->begin(), facts.dependency_names->end(), *target) ==
                 facts.dependency_names->end()) {
    const std::vector<std::string_view> choices(facts.dependency_names->begin(), facts.dependency_names->end());
    r.error("target", "no dependency named " + quote(*target) + ": " + quote(kind_name) + " targets a dependency",
            suggest(*target, choices, "dependencies") + "; job nodes and the store take " +
                list_words(names::all(names::node_fault_kinds)));
  } else {
    resolve_target(r, facts, target, fault.target, fault.target_index);
  }
  read_window(r, facts, fault.from, fault.to);
  read_kind_fields(r, kind, fault);
  out.push_back(std::move(fault));
}

}  // namespace

void read_window(object_reader& r, const scenario_facts& facts, stack::duration& from, stack::duration& to) {
  const auto start = r.time("from_s");
  const auto end = r.time("to_s");
  if (start && end && *end <= *start) {
    r.error("to_s", "'to_s' must be greater than 'from_s' (" + format_seconds(*end) + " <= " +
                        format_seconds(*start) + ")");
  } else if (end && facts.run_for && *end > *facts.run_for) {
    r.error("to_s", "'to_s' must be <= 'duration_s' (" + format_seconds(*end) + " > " +
                        format_seconds(*facts.run_for) + ")",
            "faults end within the run, so that it shows whether the system recovers");
  }
  assign(from, start);
  assign(to, end);
}

void build_faults(const nlohmann::json& value, const std::string& path, error_sink& errors,
                  const scenario_facts& facts, std::vector<fakes::fault_config>& out,
                  std::vector<node_fault>& node_out) {
  for (std::size_t i = 0; i < value.size(); ++i) {
    read_object(errors, value[i], path_index(path, i), "fault", [&](object_reader& r) {
      if (const auto kind = names::lookup(names::node_fault_kinds, r.variant())) {
        build_node_fault(r, *kind, facts, node_out);
      } else if (const auto http_kind = r.variant_as(names::fault_kinds)) {
        build_http_fault(r, *http_kind, facts, out);
      } else {
        // Unknown kind (already reported): only the common fields can be checked, and the target's meaning
        // depends on the kind.
        (void)r.text("target");
        (void)r.time("from_s");
      }
    });
  }
}

}  // namespace squall::runner
