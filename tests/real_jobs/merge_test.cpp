// runner/history_merge: histories of one run from several processes read as one, in t_ns order, one seq.
#include <catch2/catch.hpp>

#include <sstream>
#include <vector>

#include "history/jsonl.hpp"
#include "runner/history_merge.hpp"

namespace squall::real_jobs_test {
namespace {

struct recording final : history::event_sink {
  std::vector<history::event> events;
  void on_event(const history::event& e) override { events.push_back(e); }
};

std::string history_of(const std::string& scenario, const std::vector<std::pair<std::int64_t, std::int32_t>>& at) {
  history::header h;
  h.scenario = scenario;
  h.duration_ns = 1'000'000'000;
  std::ostringstream out;
  {
    history::jsonl_writer w(out, h);
    std::uint64_t seq = 0;
    for (const auto& [t, proc] : at) {
      history::event e;
      e.type = history::event_type::worker_crash;
      e.t_ns = t;
      e.seq = seq++;
      e.proc = proc;
      w.on_event(e);
    }
  }
  return out.str();
}

TEST_CASE("history merge: events of several inputs come out by t_ns, ties in input order, renumbered") {
  std::istringstream a(history_of("s", {{10, 0}, {30, 0}, {30, 1}}));
  std::istringstream b(history_of("s", {{5, 7}, {30, 7}, {40, 7}}));
  runner::history_merge merge({&a, &b});
  CHECK(merge.header().scenario == "s");
  recording r;
  CHECK(merge.read_all(r) == 6);
  std::vector<std::pair<std::int64_t, std::int32_t>> got;
  for (std::size_t i = 0; i < r.events.size(); ++i) {
    CHECK(r.events[i].seq == i);
    got.emplace_back(r.events[i].t_ns, r.events[i].proc);
  }
  CHECK(got == std::vector<std::pair<std::int64_t, std::int32_t>>{{5, 7}, {10, 0}, {30, 0}, {30, 1}, {30, 7}, {40, 7}});
}

TEST_CASE("history merge: histories of different scenarios are refused") {
  std::istringstream a(history_of("s", {{1, 0}}));
  std::istringstream b(history_of("other", {{2, 0}}));
  CHECK_THROWS_AS(runner::history_merge({&a, &b}), std::invalid_argument);
}

}  // namespace
}  // namespace squall::real_jobs_test
