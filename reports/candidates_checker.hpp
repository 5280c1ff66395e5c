#pragma once
// The report's `candidates` section: what each shadow candidate (header.candidates) would have done, and how
// often it decided as the enforced policy did. Feed it every event of the history (the enforced policy's too:
// attempts, starts and retries count the decisions). Bounded: one breaker_checker and a few counters per
// candidate, at most history::candidates_max of them.
//
// Agreement is computed from the history alone:
// - breaker decisions: one per consult of the candidate, i.e. per `start` (a per_request candidate) or per
//   attempt plus every call an enforcing breaker failed (per_attempt);
// - retry decisions: one per `retry` plus every retry an enforcing budget denied;
// - a consult's decisions stand together in the history (the enforced policy's events, then the candidates'),
//   so a candidate's reject or deny for the same request right after the enforced one's is the same decision.
// Disagreements = enforced rejects + candidate rejects − 2 × both; agreement = 1 − disagreements / decisions.
#include <cstdint>
#include <vector>

#include <nlohmann/json.hpp>

#include "history/event.hpp"
#include "reports/breaker_checker.hpp"

namespace squall::reports {

// What the section says of shadow candidates, in report.json and the renderers.
inline constexpr const char* candidates_note =
    "Shadow candidates see only the outcomes of calls the enforced policy let through; they miss the feedback of "
    "their own rejections (a candidate that would have opened earlier would also have shed load). Use `squall "
    "tune` to compare policies with that feedback.";

class candidates_checker {
 public:
  explicit candidates_checker(const history::header& h);
  bool present() const { return !infos_.empty(); }
  void on_event(const history::event& e);
  // Accounts for candidate breakers still open at the end. Call once, after the last event.
  void finish();
  // {"note": ..., "<name>": {index, breaker, budget, agreement}} (docs/report-format.md).
  nlohmann::json to_json() const;

 private:
  struct candidate {
    breaker_checker breaker;
    std::uint64_t breaker_rejects = 0;
    std::uint64_t breaker_both = 0;  // consults where the enforced breaker rejected too
    std::uint64_t would_deny = 0;
    std::uint64_t budget_both = 0;   // retry decisions where the enforced budget denied too
  };

  nlohmann::json candidate_json(std::size_t i) const;

  std::vector<history::candidate_info> infos_;
  std::vector<candidate> candidates_;
  std::uint64_t starts_ = 0;
  std::uint64_t attempts_ = 0;
  std::uint64_t retries_ = 0;
  std::uint64_t enforced_rejects_ = 0;          // breaker_reject of the enforced breaker, shadow or not
  std::uint64_t enforced_rejects_enforced_ = 0; // ... that failed the call (no attempt follows)
  std::uint64_t enforced_denies_ = 0;
  std::uint64_t enforced_denies_enforced_ = 0;
  // The enforced policy's reject or deny that candidates' decisions may pair with, until its next event.
  bool group_open_ = false;
  history::event_type group_type_ = history::event_type::invoke;
  std::uint64_t group_req_ = 0;
};

}  // namespace squall::reports
