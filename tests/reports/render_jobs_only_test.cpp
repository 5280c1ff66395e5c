// A run with only job events leaves out the HTTP sections (requests, latency, breaker charts), which would be
// all zeros; a run with requests keeps them.
#include <catch2/catch.hpp>

#include "event_stream.hpp"
#include "reports/render.hpp"

using namespace squall::reports::test;

namespace {

void job(event_stream& st, std::int64_t t, std::uint64_t key) {
  auto& d = st.add(event_type::delivery, t);
  d.proc = 0;
  d.req = key;
  d.key = key;
  d.attempt = 1;
  auto& e = st.add(event_type::effect, t + 1 * ms);
  e.proc = 0;
  e.key = key;
}

}  // namespace

TEST_CASE("render: a jobs-only report has no HTTP metrics table or charts, a mixed one has both") {
  event_stream jobs;
  job(jobs, 1 * s, 1);
  const auto only = build(make_header(10 * s), jobs);
  const std::string md = squall::reports::render_markdown(only);
  const std::string html = squall::reports::render_html(only);
  CHECK(md.find("originals / attempts") == std::string::npos);
  CHECK(md.find("#### Duplicates") != std::string::npos);
  CHECK(html.find("Key metrics") == std::string::npos);
  CHECK(html.find("Duplicates") != std::string::npos);

  event_stream mixed;
  mixed.invoke(0, 1);
  mixed.ok(2 * ms, 1, 2 * ms);
  job(mixed, 1 * s, 1);
  const auto both = build(make_header(10 * s), mixed);
  CHECK(squall::reports::render_markdown(both).find("originals / attempts") != std::string::npos);
  CHECK(squall::reports::render_html(both).find("Key metrics") != std::string::npos);
}
