// Faults: bounded in time, against one dependency, with fields per kind.
#include "runner/scenario_build.hpp"

namespace squall::runner {
namespace {

std::string seconds(stack::duration d) { return format_number(stack::to_s(d)); }

void read_window(object_reader& r, const scenario_facts& facts, fakes::fault_config& out) {
  const auto from = r.time("from_s");
  const auto to = r.time("to_s");
  if (from && to && *to <= *from) {
    r.error("to_s", "'to_s' must be greater than 'from_s' (" + seconds(*to) + " <= " + seconds(*from) + ")");
  } else if (to && facts.run_for && *to > *facts.run_for) {
    r.error("to_s", "'to_s' must be <= 'duration_s' (" + seconds(*to) + " > " + seconds(*facts.run_for) + ")",
            "faults end within the run, so that it shows whether the system recovers");
  }
  assign(out.from, from);
  assign(out.to, to);
}

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

}  // namespace

void build_faults(const nlohmann::json& value, const std::string& path, error_sink& errors,
                  const scenario_facts& facts, std::vector<fakes::fault_config>& out) {
  for (std::size_t i = 0; i < value.size(); ++i) {
    read_object(errors, value[i], path_index(path, i), "fault", [&](object_reader& r) {
      fakes::fault_config fault;
      resolve_target(r, facts, fault.target, fault.target_index);
      read_window(r, facts, fault);
      const auto kind = r.variant_as(names::fault_kinds);
      if (!kind) return;
      fault.kind = *kind;
      read_kind_fields(r, *kind, fault);
      out.push_back(std::move(fault));
    });
  }
}

}  // namespace squall::runner
