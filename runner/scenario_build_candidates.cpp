// Shadow candidates: named breakers and budgets that watch the workload's calls beside the enforced policy.
#include <string_view>

#include "runner/scenario_build.hpp"

namespace squall::runner {

namespace res = stack::resilience;

namespace {

// A candidate only records decisions: "mode" may be left out or say "shadow".
void refuse_enforce(const nlohmann::json& mechanism, const std::string& path, error_sink& errors) {
  const auto mode = mechanism.find("mode");
  if (mode != mechanism.end() && *mode == "enforce") {
    errors.add(path_key(path, "mode"), "a candidate never enforces: 'mode' must be \"shadow\" here",
               "leave 'mode' out; to enforce this policy, make it the scenario's \"policy\"");
  }
}

// A candidate breaker is consulted where the enforced one is, so that their decisions compare one to one.
void check_like_enforced(const nlohmann::json& breaker, const std::string& path, error_sink& errors,
                         const res::policy_config& policy, res::breaker_config& out) {
  if (!policy.has_breaker) return;
  const auto check = breaker.find("check");
  if (check == breaker.end()) {
    out.check = policy.breaker.check;
    return;
  }
  const bool valid = check->is_string() && names::lookup(names::breaker_checks, check->get<std::string>());
  if (valid && out.check != policy.breaker.check) {  // an invalid one is reported already
    const std::string enforced = policy.breaker.check == res::breaker_check::per_request ? "per_request"
                                                                                         : "per_attempt";
    errors.add(path_key(path, "check"), "must be " + quote(enforced) + ", as policy.breaker.check",
               "a candidate breaker is asked where the enforced one is; leave 'check' out to inherit it");
  }
}

void build_candidate_policy(object_reader& r, const res::policy_config& policy, error_sink& errors,
                            stack::worker::candidate_policy& out) {
  if (const auto* breaker = r.child("breaker")) {
    out.has_breaker = true;
    const std::string path = r.path_of("breaker");
    build_breaker(*breaker, path, errors, out.breaker);
    refuse_enforce(*breaker, path, errors);
    if (breaker->is_object()) check_like_enforced(*breaker, path, errors, policy, out.breaker);
    out.breaker.mode = res::policy_mode::shadow;
  }
  if (const auto* budget = r.child("retry_budget")) {
    out.has_budget = true;
    const std::string path = r.path_of("retry_budget");
    build_budget(*budget, path, errors, out.budget);
    refuse_enforce(*budget, path, errors);
    out.budget.mode = res::policy_mode::shadow;
  }
  if (!out.has_breaker && !out.has_budget) {
    r.error_here("a candidate needs a 'breaker', a 'retry_budget' or both",
                 "write e.g. {\"breaker\": {\"model\": \"consecutive\", \"failure_threshold\": 8, \"open_ms\": "
                 "15000}}; timeouts and retries are the enforced policy's");
  }
}

void build_candidate(object_reader& r, const res::policy_config& policy, error_sink& errors,
                     const std::vector<candidate_config>& earlier, candidate_config& out) {
  if (const auto name = r.text("name")) {
    for (std::size_t i = 0; i < earlier.size(); ++i) {
      if (earlier[i].name == *name) {
        r.error("name", "duplicate candidate name " + quote(*name) + " (also candidates[" + std::to_string(i) + "])",
                "candidate names must be unique: report.json and gates name candidates by them");
      }
    }
    if (*name == "note") {
      r.error("name", "'note' is reserved", "report.json's candidates section keeps its note under that key");
    }
    out.name = *name;
  }
  if (const auto* section = r.child("policy")) {
    read_object(errors, *section, r.path_of("policy"), "candidate_policy",
                [&](object_reader& p) { build_candidate_policy(p, policy, errors, out.policy); });
  }
}

}  // namespace

void build_candidates(const nlohmann::json& value, const std::string& path, error_sink& errors,
                      const scenario_facts& facts, const res::policy_config& policy,
                      std::vector<candidate_config>& out) {
  if (!facts.has_workload) {
    errors.add(path, "candidates watch the workload's calls, but the scenario has no 'workload'",
               "shadow candidates are breakers and retry budgets beside \"policy\"");
  }
  if (value.size() > stack::worker::candidates_max) {
    errors.add(path, "at most " + std::to_string(stack::worker::candidates_max) + " candidates (got " +
                         std::to_string(value.size()) + ")",
               "compare more policies with `squall tune`, which also sees the feedback of their rejections");
  }
  for (std::size_t i = 0; i < value.size(); ++i) {
    candidate_config candidate;
    read_object(errors, value[i], path_index(path, i), "candidate",
                [&](object_reader& r) { build_candidate(r, policy, errors, out, candidate); });
    out.push_back(std::move(candidate));
  }
}

std::vector<history::candidate_info> candidate_infos(const std::vector<candidate_config>& candidates) {
  std::vector<history::candidate_info> out;
  for (const candidate_config& c : candidates) {
    history::candidate_info info;
    info.name = c.name;
    info.breaker = c.policy.has_breaker;
    info.breaker_per_request = c.policy.has_breaker && c.policy.breaker.check == res::breaker_check::per_request;
    info.budget = c.policy.has_budget;
    out.push_back(std::move(info));
  }
  return out;
}

}  // namespace squall::runner
