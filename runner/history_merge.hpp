#pragma once
// Merges the histories of one real run written by several processes (`squall worker`, one history each) into one
// stream for the checkers: events ordered by t_ns, ties by input order (then each input's own order), renumbered
// with one seq. The inputs must share the time base (squall worker stamps t_ns from the run's start as recorded in
// Redis) and come from the same scenario; the first input's header is the merged header.
// Memory: one pending event per input.
#include <cstdint>
#include <istream>
#include <memory>
#include <optional>
#include <vector>

#include "history/event.hpp"
#include "history/jsonl.hpp"

namespace squall::runner {

class history_merge {
 public:
  // Reads every input's header. Throws std::invalid_argument when an input names another scenario or duration,
  // history::jsonl_error for a malformed input.
  explicit history_merge(const std::vector<std::istream*>& inputs);
  const history::header& header() const { return header_; }
  // Feeds every merged event to `sink`; returns how many. Throws history::jsonl_error.
  std::uint64_t read_all(history::event_sink& sink);

 private:
  history::header header_;
  std::vector<std::unique_ptr<history::jsonl_reader>> readers_;
  std::vector<std::optional<history::event>> next_;
};

}  // namespace squall::runner
