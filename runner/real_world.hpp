#pragma once
// The composition root of a real run (`squall run --real`, issue 5): the same stack as simulate(), driven by
// net/ over real sockets and real time. HTTP dependencies are the scenario's `url`s, or squall's own fake
// servers (fakes/real, the simulator's dependency model) on loopback ports; the workload is the same open-loop
// arrival process (net::open_loop); jobs run in runner/real_job_world over a real Redis. Events go through one
// net::real_history into the same report builder, so the report, gates and exit codes mean what they mean in
// simulation.
#include "runner/world.hpp"

namespace squall::runner {

struct real_run_options {
  bool allow_remote = false;  // dependencies and Redis beyond loopback (127.0.0.0/8, ::1)
};

// Runs the scenario for its duration_s of real time. Throws std::invalid_argument for a scenario real mode cannot
// run as given (e.g. a url that does not resolve, or is not loopback without allow_remote): exit 2.
// SIGINT or SIGTERM during the run stop it early and cleanly (fake servers, worker threads and a managed Redis are
// shut down); the result then has report["real"]["interrupted_at_s"] and must not be passed off as a result.
run_result run_real(const scenario& s, const run_options& options, const real_run_options& real);

}  // namespace squall::runner
