#pragma once
// Shared by the JSONL codec tests: write a whole history to a string, collect what a reader feeds.
#include <sstream>
#include <string>
#include <vector>

#include "history/jsonl.hpp"

namespace squall::history::test {

inline std::string write_all(const header& h, const std::vector<event>& events) {
  std::ostringstream out;
  {
    jsonl_writer w(out, h);
    for (const event& e : events) w.on_event(e);
  }
  return out.str();
}

struct collect final : event_sink {
  std::vector<event> events;
  void on_event(const event& e) override { events.push_back(e); }
};

}  // namespace squall::history::test
