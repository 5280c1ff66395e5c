// The timeline's per-point budget denials and coarse p50/p99 latency (for the HTML charts).
#include <catch2/catch.hpp>

#include "event_stream.hpp"

using namespace squall::reports::test;
using json = nlohmann::json;

TEST_CASE("timeline: budget denials and p50/p99 latency per point, null latency without successes") {
  event_stream st;
  for (std::uint64_t i = 1; i <= 100; ++i) {
    st.invoke(static_cast<std::int64_t>(i) * ms, i);
    // 98 successes at 10 ms, two at 1 s: p50 = 10 ms, p99 (the 99th of 100) = 1 s.
    st.ok(static_cast<std::int64_t>(i) * ms + 1, i, i > 98 ? 1000 * ms : 10 * ms);
  }
  st.add(event_type::budget_deny, 2 * s);
  st.add(event_type::budget_deny, 3 * s);
  st.add(event_type::budget_deny, 4 * s).shadow = true;  // a shadow budget's would-deny sheds nothing
  st.invoke(15 * s, 101);                                 // the second window: traffic, no success
  const json timeline = build(make_header(20 * s), st)["retry_amplification"]["timeline"];
  REQUIRE(timeline.size() == 2);
  CHECK(timeline[0]["budget_denied"] == 2);
  CHECK(timeline[0]["latency_ms_p50"].get<double>() == Approx(10.0).epsilon(0.0625));
  CHECK(timeline[0]["latency_ms_p99"].get<double>() == Approx(1000.0).epsilon(0.0625));
  CHECK(timeline[1]["budget_denied"] == 0);
  CHECK(timeline[1]["latency_ms_p50"].is_null());
  CHECK(timeline[1]["latency_ms_p99"].is_null());
}
