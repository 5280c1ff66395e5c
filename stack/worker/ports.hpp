#pragma once
// The narrow ports through which the stack talks to the world (DESIGN.md §2). The simulated runtime (sim/)
// and the real one (net/) implement them; the stack never knows which one it runs on.
#include <cstddef>
#include <cstdint>

#include "history/event.hpp"
#include "stack/core/outcome.hpp"
#include "stack/core/time.hpp"

namespace squall::stack {

// A deferred call: a plain function pointer with its object and one argument. No allocation, cheap to move
// through an event queue holding millions of entries.
struct task {
  void (*fn)(void* self, std::uint64_t arg) = nullptr;
  void* self = nullptr;
  std::uint64_t arg = 0;
  void operator()() const { fn(self, arg); }
};

// Called exactly once per send_http: with the response, or with a timeout/reset/connect failure.
struct http_handler {
  void (*fn)(void* self, std::uint64_t arg, const attempt_result& result) = nullptr;
  void* self = nullptr;
  std::uint64_t arg = 0;
};

class runtime_port {
 public:
  virtual ~runtime_port() = default;
  // This node's clock (it may be skewed relative to other nodes).
  virtual instant now() const = 0;
  // Runs t at `when` (on this node's clock).
  virtual void at(instant when, task t) = 0;
  // Sends one HTTP attempt to dependency `dependency`, abandoning it after `timeout`.
  virtual void send_http(std::size_t dependency, duration timeout, http_handler done) = 0;
  // A uniform number in [0, 1) for jitter; the runtime decides where randomness comes from.
  virtual double uniform01() = 0;
  // Records an event; the runtime stamps t_ns and seq.
  virtual void emit(history::event& e) = 0;
};

}  // namespace squall::stack
