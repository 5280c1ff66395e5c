#pragma once
// Sends every event to a first sink (the report) and, when given, a second one (a history writer).
#include "history/event.hpp"

namespace squall::runner {

class tee_sink final : public history::event_sink {
 public:
  tee_sink(history::event_sink& first, history::event_sink* second) : first_(first), second_(second) {}
  void on_event(const history::event& e) override {
    if (second_) second_->on_event(e);
    first_.on_event(e);
  }

 private:
  history::event_sink& first_;
  history::event_sink* second_;
};

}  // namespace squall::runner
