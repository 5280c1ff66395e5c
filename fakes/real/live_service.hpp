#pragma once
// The simulator's dependency model (fakes::http_service) on the real clock: one instance shared by every
// connection of a `squall fake http` server, behind a lock, with ids for the faults the admin API adds.
// Time is the steady clock since the server started, so fault windows read like a scenario's from_s/to_s.
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <mutex>
#include <optional>
#include <vector>

#include "fakes/http_service.hpp"

namespace squall::fakes::real {

struct fault_entry {
  std::uint64_t id = 0;
  fault_config fault;  // from/to are times since the server started
};

class live_service {
 public:
  // At most this many faults at once (scheduled or active): the fault list is scanned on every request.
  static constexpr std::size_t max_faults = 256;

  // `faults` are timed from now (the server's start). The PRNG stream is the simulator's for this dependency
  // (seed, then the fork "dependency/<name>"), so the same request times draw the same answers.
  live_service(dependency_config config, std::vector<fault_config> faults, std::uint64_t seed);

  stack::instant now() const;
  // The steady-clock moment of a model time (when to carry out a reply).
  std::chrono::steady_clock::time_point steady(stack::instant t) const { return origin_ + t.time_since_epoch(); }
  // The model's answer for a request arriving now (the clock is read under the lock, so the model sees
  // nondecreasing times even with several threads).
  sim::http_reply serve();

  // nullopt when max_faults are already there. `fault.from/to` are times since the server started.
  std::optional<std::uint64_t> add(fault_config fault);
  bool remove(std::uint64_t id);
  std::size_t clear();
  // Faults not yet over (ended ones are dropped first), in the order the model checks them.
  std::vector<fault_entry> list();
  std::size_t active_faults();  // in their window now
  bool outage_now();            // an outage fault is active: refuse connections
  std::size_t queued();         // requests waiting for a slot now
  const dependency_config& config() const { return config_; }

 private:
  void drop_ended(stack::instant now);

  const std::chrono::steady_clock::time_point origin_;
  const dependency_config config_;
  std::mutex mutex_;
  http_service service_;
  std::vector<std::uint64_t> ids_;  // parallel to service_.faults()
  std::uint64_t next_id_ = 1;
};

}  // namespace squall::fakes::real
