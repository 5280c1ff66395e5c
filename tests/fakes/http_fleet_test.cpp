// fakes::http_fleet: routing by dependency index, faults per target, streams per dependency name; and the
// fleet behind sim_runtime, where clients time out while the service keeps working.
#include <catch2/catch.hpp>

#include <cstdint>
#include <vector>

#include "fakes/http_service.hpp"
#include "sim/sim_runtime.hpp"

using namespace squall::fakes;
using squall::sim::rng;
using squall::stack::attempt_kind;
using squall::stack::attempt_result;
using squall::stack::instant_from_ns;
using squall::stack::ns_since_start;

namespace {

constexpr std::int64_t ms = 1'000'000, s = 1'000'000'000;

dependency_config constant_dep(const char* name, int capacity, double latency_ms) {
  dependency_config d;
  d.name = name;
  d.capacity = capacity;
  d.latency.dist = latency_dist::constant;
  d.latency.value_ms = latency_ms;
  return d;
}

}  // namespace

TEST_CASE("the fleet routes by dependency index and applies faults to their target only", "[http_fleet]") {
  fault_config outage;
  outage.kind = fault_kind::outage;
  outage.target = "b";
  outage.target_index = 1;
  outage.from = duration{0};
  outage.to = duration{1 * s};
  http_fleet fleet({constant_dep("a", 1, 10), constant_dep("b", 1, 20)}, {outage}, rng(1));

  const auto a = fleet.serve(0, instant_from_ns(0));
  CHECK(a.result.kind == attempt_kind::response);
  CHECK(ns_since_start(a.at) == 10 * ms);
  const auto b = fleet.serve(1, instant_from_ns(0));
  CHECK(b.result.kind == attempt_kind::connect_failure);
  const auto b_later = fleet.serve(1, instant_from_ns(1 * s));
  CHECK(b_later.result.kind == attempt_kind::response);
  CHECK(ns_since_start(b_later.at) == 1 * s + 20 * ms);
  // Each dependency has its own slots: a second request to "a" queues, one to "b" does not.
  CHECK(ns_since_start(fleet.serve(0, instant_from_ns(0)).at) == 20 * ms);
  CHECK(ns_since_start(fleet.serve(1, instant_from_ns(1 * s + 20 * ms)).at) == 1 * s + 40 * ms);
}

TEST_CASE("each dependency draws from the stream named after it", "[http_fleet]") {
  dependency_config a = constant_dep("a", 8, 0);
  a.latency.dist = latency_dist::lognormal;
  a.latency.median_ms = 20;
  a.latency.sigma = 1;
  dependency_config b = a;
  b.name = "b";
  const rng root(9);
  http_fleet fleet({a, b}, {}, root);
  http_service alone(b, {}, root.fork("dependency/b"));
  // Traffic to "a" does not shift "b"'s draws.
  for (int i = 0; i < 50; ++i) (void)fleet.serve(0, instant_from_ns(i * s));
  for (int i = 0; i < 50; ++i) {
    const auto now = instant_from_ns(i * s);
    REQUIRE(fleet.serve(1, now).at == alone.serve(now).at);
  }
}

TEST_CASE("faults are applied in order of their start whatever their order in the plan", "[http_fleet]") {
  // Two overlapping storms with distinct statuses at rate 1: the earlier-starting one answers.
  fault_config late, early;
  late.kind = early.kind = fault_kind::error_storm;
  late.from = duration{500 * ms};
  early.from = duration{0};
  late.to = early.to = duration{1 * s};
  late.status = 502;
  early.status = 504;
  http_fleet fleet({constant_dep("a", 1, 10)}, {late, early}, rng(1));
  CHECK(fleet.serve(0, instant_from_ns(600 * ms)).result.status == 504);
}

namespace {

struct client {
  squall::sim::simulator& sim;
  std::vector<std::pair<std::int64_t, attempt_result>> got;
  static void done(void* self, std::uint64_t, const attempt_result& r) {
    auto& c = *static_cast<client*>(self);
    c.got.emplace_back(c.sim.now_ns(), r);
  }
};

class null_sink final : public squall::history::event_sink {
 public:
  void on_event(const squall::history::event&) override {}
};

}  // namespace

TEST_CASE("behind sim_runtime: clients time out while abandoned work keeps the slots busy", "[http_fleet]") {
  squall::sim::simulator sim;
  http_fleet fleet({constant_dep("api", 2, 100)}, {}, rng(1));
  null_sink sink;
  squall::sim::sim_runtime rt(sim, fleet, sink, rng(2));
  client impatient{sim, {}}, patient{sim, {}};
  for (int i = 0; i < 10; ++i) rt.send_http(0, duration{50 * ms}, {&client::done, &impatient, 0});
  struct later {
    squall::sim::sim_runtime& rt;
    client& c;
    static void fire(void* self, std::uint64_t) {
      auto& l = *static_cast<later*>(self);
      l.rt.send_http(0, duration{1 * s}, {&client::done, &l.c, 0});
    }
  } l{rt, patient};
  sim.at(instant_from_ns(200 * ms), {&later::fire, &l, 0});
  sim.run_until(instant_from_ns(10 * s));

  REQUIRE(impatient.got.size() == 10);
  for (const auto& [t, r] : impatient.got) {
    CHECK(t == 50 * ms);
    CHECK(r.kind == attempt_kind::timeout);
  }
  // Ten abandoned requests on two slots finish at 100..500 ms; the patient one starts at 500 and ends at 600.
  REQUIRE(patient.got.size() == 1);
  CHECK(patient.got[0].first == 600 * ms);
  CHECK(patient.got[0].second.kind == attempt_kind::response);
  CHECK(patient.got[0].second.latency == duration{400 * ms});
}
