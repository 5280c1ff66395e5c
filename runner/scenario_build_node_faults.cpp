// Faults against job nodes ("n0", "n1", ...) and the store ("store"): pauses, crashes, clock faults, store restarts
// and unavailability, partitions. They need a "jobs" section; their targets are checked against jobs.nodes.
#include "runner/scenario_build.hpp"
#include "runner/scenario_hints.hpp"

namespace squall::runner {
namespace {

enum class target_rule : std::uint8_t { node, store, node_or_store };

target_rule rule_of(node_fault_kind kind) {
  switch (kind) {
    case node_fault_kind::process_pause:
    case node_fault_kind::worker_crash:
    case node_fault_kind::partition: return target_rule::node;
    case node_fault_kind::redis_restart:
    case node_fault_kind::redis_unavailable: return target_rule::store;
    case node_fault_kind::clock_skew:
    case node_fault_kind::clock_jump: return target_rule::node_or_store;
  }
  return target_rule::node;
}

// "n0 to n2", or "n0" with one node; "n0, n1, ..." when the count is unknown (jobs.nodes is invalid).
std::string node_range(const scenario_facts& facts) {
  if (!facts.job_nodes) return "n0, n1, ...";
  if (*facts.job_nodes == 1) return "n0";
  return "n0 to n" + std::to_string(*facts.job_nodes - 1);
}

std::string what_to_name(target_rule rule, const scenario_facts& facts) {
  if (rule == target_rule::node) return "name a node: " + node_range(facts);
  return "name a node (" + node_range(facts) + ") or \"store\"";
}

// "n<i>" without leading zeros (so each node has one name); nullopt for anything else.
std::optional<int> node_index(std::string_view target) {
  constexpr std::size_t max_digits = 4;  // jobs.nodes <= 1000
  if (target.size() < 2 || target.size() > 1 + max_digits || target.front() != 'n') return std::nullopt;
  const std::string_view digits = target.substr(1);
  if (digits.find_first_not_of("0123456789") != std::string_view::npos) return std::nullopt;
  if (digits.size() > 1 && digits.front() == '0') return std::nullopt;
  return std::stoi(std::string(digits));
}

// Sets f.target and f.node from "target" by the kind's rule, or records why it cannot.
void resolve_node_target(object_reader& r, target_rule rule, const std::optional<std::string>& target,
                         const scenario_facts& facts, node_fault& f) {
  const std::string kind(r.variant());
  if (!target) {
    if (r.has("target")) return;  // wrong type, already reported
    if (rule == target_rule::store) {
      f.target = "store";
      f.node = -1;
      return;
    }
    r.error_here("missing required key 'target'", what_to_name(rule, facts));
    return;
  }
  if (*target == "store") {
    if (rule == target_rule::node) {
      r.error("target", quote(kind) + " hits a job node, not the store", what_to_name(rule, facts));
      return;
    }
    f.target = "store";
    f.node = -1;
    return;
  }
  const auto index = node_index(*target);
  if (!index) {
    std::vector<std::string> candidates;
    for (int i = 0; i < facts.job_nodes.value_or(1); ++i) candidates.push_back("n" + std::to_string(i));
    if (rule != target_rule::node) candidates.emplace_back("store");
    const std::vector<std::string_view> views(candidates.begin(), candidates.end());
    const auto match = closest(*target, views);
    r.error("target", "unknown target " + quote(*target),
            match ? "did you mean " + quote(*match) + "?" : what_to_name(rule, facts));
    return;
  }
  if (rule == target_rule::store) {
    r.error("target", quote(kind) + " hits the store, not a job node", "use \"target\": \"store\", or leave it out");
    return;
  }
  if (facts.job_nodes && *index >= *facts.job_nodes) {
    r.error("target",
            "no node " + quote(*target) + ": the scenario has " + std::to_string(*facts.job_nodes) +
                (*facts.job_nodes == 1 ? " node" : " nodes"),
            "nodes are " + node_range(facts) + ", per jobs.nodes");
    return;
  }
  f.target = *target;
  f.node = *index;
}

// from_s of an instantaneous fault (or one whose end is a length): it must fall within the run.
std::optional<stack::duration> read_start(object_reader& r, const scenario_facts& facts) {
  const auto from = r.time("from_s");
  if (from && facts.run_for && *from >= *facts.run_for) {
    r.error("from_s", "'from_s' must be < 'duration_s' (" + format_seconds(*from) + " >= " +
                          format_seconds(*facts.run_for) + ")");
  }
  return from;
}

void read_kind_fields(object_reader& r, const scenario_facts& facts, node_fault& f) {
  switch (f.kind) {
    case node_fault_kind::process_pause:
    case node_fault_kind::redis_unavailable:
    case node_fault_kind::partition: read_window(r, facts, f.from, f.to); return;
    default: break;
  }
  const auto from = read_start(r, facts);
  assign(f.from, from);
  f.to = f.from;
  switch (f.kind) {
    case node_fault_kind::clock_skew:
      assign(f.offset_ms, r.number("offset_ms"));
      assign(f.drift_ppm, r.number("drift_ppm"));
      break;
    case node_fault_kind::clock_jump: {
      const auto jump = r.number("jump_ms");
      if (jump && *jump == 0.0) {
        r.error("jump_ms", "must not be 0", "a clock_jump steps the clock by jump_ms: > 0 forward, < 0 back");
      }
      assign(f.jump_ms, jump);
      break;
    }
    case node_fault_kind::worker_crash:
      // Without restart_after_s the node never comes back; a restart after the run's end is the same.
      if (const auto after = r.time("restart_after_s")) {
        f.restart = true;
        f.to = f.from + *after;
      }
      break;
    case node_fault_kind::redis_restart:
      if (const auto downtime = r.time("downtime_ms")) f.to = f.from + *downtime;
      break;
    default: break;
  }
}

}  // namespace

void build_node_fault(object_reader& r, node_fault_kind kind, const scenario_facts& facts,
                      std::vector<node_fault>& out) {
  node_fault f;
  f.kind = kind;
  const auto target = r.text("target");
  if (!facts.has_jobs) {
    r.error("kind", quote(r.variant()) + " is a fault against a job node or the store, but the scenario has no 'jobs'",
            "add a \"jobs\" section (see docs/scenario-format.md); dependencies take " +
                list_words(names::all(names::fault_kinds)));
  } else {
    resolve_node_target(r, rule_of(kind), target, facts, f);
  }
  read_kind_fields(r, facts, f);
  out.push_back(std::move(f));
}

}  // namespace squall::runner
