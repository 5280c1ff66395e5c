#include "runner/history_merge.hpp"

#include <stdexcept>
#include <string>

namespace squall::runner {

history_merge::history_merge(const std::vector<std::istream*>& inputs) {
  if (inputs.empty()) throw std::invalid_argument("no history to merge");
  for (std::size_t i = 0; i < inputs.size(); ++i) {
    readers_.push_back(std::make_unique<history::jsonl_reader>(*inputs[i]));
    const history::header& h = readers_.back()->header();
    if (i == 0) {
      header_ = h;
    } else if (h.scenario != header_.scenario || h.duration_ns != header_.duration_ns) {
      throw std::invalid_argument("history " + std::to_string(i + 1) + " is of scenario '" + h.scenario +
                                  "' (or another duration), not of the first one's '" + header_.scenario + "'");
    }
  }
  next_.resize(inputs.size());
}

std::uint64_t history_merge::read_all(history::event_sink& sink) {
  for (std::size_t i = 0; i < readers_.size(); ++i) {
    history::event e;
    if (readers_[i]->next(e)) next_[i] = e;
  }
  std::uint64_t seq = 0;
  for (;;) {
    std::optional<std::size_t> pick;
    for (std::size_t i = 0; i < next_.size(); ++i) {
      if (next_[i] && (!pick || next_[i]->t_ns < next_[*pick]->t_ns)) pick = i;  // ties: the earlier input
    }
    if (!pick) return seq;
    history::event e = *next_[*pick];
    if (readers_.size() > 1) e.seq = seq;  // one input keeps its own numbering
    ++seq;
    sink.on_event(e);
    history::event n;
    next_[*pick] = readers_[*pick]->next(n) ? std::optional<history::event>(n) : std::nullopt;
  }
}

}  // namespace squall::runner
