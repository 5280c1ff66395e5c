#pragma once
// A simulated HTTP dependency (DESIGN.md §3): `capacity` requests served at once, excess waiting FIFO (bounded
// by queue_max), service times from a latency distribution, baseline fast errors, and time-bounded faults.
//
// Because the queue is FIFO and a service time is drawn when a request arrives, the moment it starts and ends
// is known on arrival: start = max(now, earliest time a server slot frees). A client that times out does not
// free anything: the server keeps working on the abandoned request, which is what sustains retry storms.
#include <cstdint>
#include <deque>
#include <vector>

#include "fakes/http_config.hpp"
#include "sim/http_backend.hpp"
#include "sim/rng.hpp"

namespace squall::fakes {

class http_service {
 public:
  http_service(dependency_config config, std::vector<fault_config> faults, sim::rng rng);
  sim::http_reply serve(stack::instant now);
  std::size_t queued(stack::instant now);  // requests waiting for a slot at `now`

  // Faults changed at runtime (the real server's admin API; the simulator never calls these). An added fault is
  // checked after the existing ones, so the draws of earlier faults keep their order.
  void add_fault(fault_config fault);
  void remove_fault(std::size_t index);  // index into faults()
  const std::vector<fault_config>& faults() const { return faults_; }

 private:
  sim::http_reply fast(stack::instant now, int status, double latency_ms, double retry_after_s) const;
  bool over_rate_limit(const fault_config& f, stack::instant now);

  dependency_config config_;
  std::vector<fault_config> faults_;  // only this dependency's, sorted by start
  sim::rng rng_;
  std::vector<std::int64_t> slot_free_ns_;  // min-heap: when each server slot frees
  std::deque<std::int64_t> queued_starts_;  // start times of waiting requests (nondecreasing: FIFO)
  std::vector<std::int64_t> limit_second_;  // rate_limit: which second each fault's counter is for
  std::vector<double> limit_count_;         // rate_limit: requests seen in that second
};

// All dependencies of a scenario behind the simulator's backend port.
class http_fleet final : public sim::http_backend {
 public:
  http_fleet(const std::vector<dependency_config>& dependencies, const std::vector<fault_config>& faults,
             const sim::rng& root);
  sim::http_reply serve(std::size_t dependency, stack::instant now) override;

 private:
  std::vector<http_service> services_;
};

}  // namespace squall::fakes
