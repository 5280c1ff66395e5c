#pragma once
// What the simulated runtime asks of a simulated HTTP dependency: given an attempt arriving now, when and how
// does it end? Implemented by fakes::http_fleet. Because the dependency model is FIFO with service times known
// at arrival, the answer can be computed up front, which halves the simulator's work per attempt.
#include <cstddef>

#include "stack/core/outcome.hpp"
#include "stack/core/time.hpp"

namespace squall::sim {

struct http_reply {
  bool answers = true;           // false: the server never answers (a hang); only the client timeout ends it
  stack::instant at{};           // when the result reaches the client
  stack::attempt_result result;  // latency is filled in by the runtime
};

class http_backend {
 public:
  virtual ~http_backend() = default;
  virtual http_reply serve(std::size_t dependency, stack::instant now) = 0;
};

}  // namespace squall::sim
