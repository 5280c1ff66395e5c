#pragma once
// Folds a history, one event at a time, into report.json (DESIGN.md §4). The same code runs live during a
// run and over a JSONL file in `squall check`, so both produce byte-identical reports.
#include <memory>

#include <nlohmann/json.hpp>

#include "history/event.hpp"

namespace squall::reports {

class report_builder final : public history::event_sink {
 public:
  explicit report_builder(history::header header);
  ~report_builder() override;
  void on_event(const history::event& e) override;
  // The finished report with gates evaluated (docs/report-format.md). Call once, after the last event; a second
  // call throws std::logic_error. A checker that threw yields {"unknown": reason} sections, not an exception.
  nlohmann::json finish();

 private:
  struct checkers;
  // Feeds the candidates checker; false when the event is a candidate's, which no other checker sees.
  bool route_candidates(const history::event& e);
  history::header header_;
  std::unique_ptr<checkers> checkers_;
  bool has_candidates_ = false;  // the header lists shadow candidates (kept here: on_event tests it per event)
};

}  // namespace squall::reports
