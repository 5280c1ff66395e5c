#include "reports/candidates_checker.hpp"

#include <stdexcept>
#include <string>

#include "reports/json_number.hpp"

namespace squall::reports {

using history::event_type;

candidates_checker::candidates_checker(const history::header& h) : infos_(h.candidates) {
  candidates_.reserve(infos_.size());
  for (std::size_t i = 0; i < infos_.size(); ++i) candidates_.push_back(candidate{breaker_checker(h, true)});
}

void candidates_checker::on_event(const history::event& e) {
  if (e.candidate == 0) {
    switch (e.type) {
      case event_type::start: ++starts_; break;
      case event_type::attempt: ++attempts_; break;
      case event_type::retry: ++retries_; break;
      case event_type::breaker_reject:
        ++enforced_rejects_;
        if (!e.shadow) ++enforced_rejects_enforced_;
        break;
      case event_type::budget_deny:
        ++enforced_denies_;
        if (!e.shadow) ++enforced_denies_enforced_;
        break;
      default: break;
    }
    group_open_ = e.type == event_type::breaker_reject || e.type == event_type::budget_deny;
    group_type_ = e.type;
    group_req_ = e.req;
    return;
  }
  if (e.candidate > candidates_.size()) {
    throw std::out_of_range("event of candidate #" + std::to_string(e.candidate) + " but the header lists " +
                            std::to_string(candidates_.size()));
  }
  if (!e.shadow) throw std::invalid_argument("a candidate's event is not shadow: candidates never enforce");
  candidate& c = candidates_[e.candidate - 1u];
  const bool paired = group_open_ && group_type_ == e.type && group_req_ == e.req;
  switch (e.type) {
    case event_type::breaker:
      c.breaker.on_event(e);
      break;
    case event_type::breaker_reject:
      c.breaker.on_event(e);
      ++c.breaker_rejects;
      if (paired) ++c.breaker_both;
      break;
    case event_type::budget_deny:
      ++c.would_deny;
      if (paired) ++c.budget_both;
      break;
    default:
      throw std::invalid_argument(std::string("a \"") + to_string(e.type) + "\" event cannot belong to a candidate");
  }
}

void candidates_checker::finish() {
  for (candidate& c : candidates_) c.breaker.finish();
}

namespace {

// agreement.<which>: the share of `decisions` where the candidate decided as the enforced policy did, and
// <which>_decisions; both null when the candidate lacks the mechanism (the share also without decisions).
void put_agreement(nlohmann::json& agree, const std::string& which, bool has, std::uint64_t decisions,
                   std::uint64_t enforced, std::uint64_t own, std::uint64_t both) {
  const std::uint64_t disagreements = enforced + own - 2 * both;
  const bool comparable = has && decisions > 0 && disagreements <= decisions;
  agree[which] = comparable ? ratio(static_cast<double>(decisions - disagreements), static_cast<double>(decisions))
                            : nlohmann::json(nullptr);
  agree[which + "_decisions"] = has ? nlohmann::json(decisions) : nlohmann::json(nullptr);
}

}  // namespace

nlohmann::json candidates_checker::candidate_json(std::size_t i) const {
  const history::candidate_info& info = infos_[i];
  const candidate& c = candidates_[i];
  nlohmann::json out;
  out["index"] = i + 1;
  out["breaker"] = info.breaker ? c.breaker.to_json() : nlohmann::json(nullptr);
  out["budget"] = info.budget ? nlohmann::json{{"would_deny", c.would_deny}} : nlohmann::json(nullptr);
  const std::uint64_t breaker_decisions = info.breaker_per_request ? starts_ : attempts_ + enforced_rejects_enforced_;
  nlohmann::json agree;
  put_agreement(agree, "breaker", info.breaker, breaker_decisions, enforced_rejects_, c.breaker_rejects,
                c.breaker_both);
  put_agreement(agree, "budget", info.budget, retries_ + enforced_denies_enforced_, enforced_denies_, c.would_deny,
                c.budget_both);
  out["agreement"] = std::move(agree);
  return out;
}

nlohmann::json candidates_checker::to_json() const {
  nlohmann::json out;
  out["note"] = candidates_note;
  for (std::size_t i = 0; i < infos_.size(); ++i) out[infos_[i].name] = candidate_json(i);
  return out;
}

}  // namespace squall::reports
