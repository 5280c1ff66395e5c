#pragma once
// squall's exit codes (DESIGN.md §4): what a CI job branches on.
namespace squall::runner {

enum exit_code : int {
  exit_pass = 0,      // every gate passed (and every expected failure failed)
  exit_gate_failed = 1,
  exit_invalid = 2,   // invalid input or usage
  exit_internal = 3,  // internal error, or a gate whose value is unknown
  exit_interrupted = 130,  // a real run stopped by SIGINT/SIGTERM (128 + SIGINT, as shells report it)
};

}  // namespace squall::runner
