#pragma once
// One function per subcommand; cli.cpp parses arguments into these option structs.
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace CLI {
class App;
}

namespace squall::runner {

struct run_command {
  std::vector<std::string> files;
  std::vector<std::string> overrides;  // --set path=value
  std::optional<std::uint64_t> seed;   // --seed: replaces the scenario's seed
  int seeds = 1;                       // --seeds K: K consecutive seeds from the base seed
  int jobs = 0;                        // --jobs: parallel runs, 0 = all cores
  std::string out_dir = "out";
  std::string junit_file;
  std::string markdown_file;
  std::string history_file;
  bool quiet = false;
  bool real = false;                   // --real: real sockets and time (runner/real_world.hpp)
  bool allow_remote = false;           // --allow-remote: real-mode dependencies beyond loopback
};

struct check_command {
  std::string history_file;
  std::vector<std::string> more_histories;  // further histories of one real run (squall worker), merged by t_ns
  std::vector<std::string> gates;      // replace the gates recorded in the history
  std::string out_dir;                 // write report files here; otherwise print report.json
  bool quiet = false;
};

struct validate_command {
  std::vector<std::string> files;
  std::vector<std::string> overrides;
};

struct sweep_command {
  std::string file;
  std::vector<std::string> overrides;  // --set path=value
  std::optional<std::uint64_t> seed;   // --seed: the first seed instead of the scenario's
  int seeds = 20;                      // --seeds K: K consecutive seeds from the base seed
  int jobs = 0;                        // --jobs: parallel runs, 0 = all cores
  std::string shard;                   // --shard i/N: only seeds k (0-based) with k % N == i - 1
  std::string out_dir = "out";
  std::string markdown_file;
  bool quiet = false;
};

struct merge_command {
  std::vector<std::string> dirs;       // --out folders of `sweep --shard` / `tune --shard` runs
  int jobs = 0;                        // --jobs: a merged tune runs its hold-out seeds, 0 = all cores
  std::string out_dir = "out";
  std::string markdown_file;
  bool quiet = false;
};

struct tune_command {
  std::string file;
  std::vector<std::string> overrides;  // --set path=value, applied to every candidate
  std::vector<std::string> varies;     // --vary path=v1,v2 or path=a..b/n
  std::optional<std::uint64_t> seed;   // --seed: the first tuning seed instead of the scenario's
  int seeds = 20;                      // --seeds K: tuning seeds per candidate (the same for every candidate)
  std::string search = "grid";         // grid | random
  std::optional<std::uint64_t> budget; // --budget N: candidates drawn by --search random
  std::string objective;               // --objective "max goodput.ratio": ordering and tie-break
  int holdout = 20;                    // --holdout K: fresh seeds for the recommendation, 0 = none
  double goodput_floor = 0.9;          // --goodput-floor: recommend only candidates with at least this share of
                                       // the best passing candidate's mean goodput, 0 = off
  std::string shard;                   // --shard i/N: only tuning runs k (candidate x seed) with k % N == i - 1
  int jobs = 0;                        // --jobs: parallel runs, 0 = all cores
  std::string out_dir = "out";
  std::string markdown_file;
  bool quiet = false;
};

// squall load (docs/load.md): open-loop HTTP load against one URL.
struct load_command {
  std::string url;
  double rate = 0;                     // --rate: arrivals per second (required)
  std::string duration = "10s";        // --duration: 60s, 500ms, 2m
  int connections = 64;                // --connections: keep-alive connections at most
  double timeout_ms = 1000;            // --timeout-ms: per request, waiting for a connection included
  std::string arrivals = "poisson";    // --arrivals poisson|constant
  std::uint64_t seed = 1;              // --seed: of the poisson arrival times
  std::optional<std::size_t> max_in_flight;  // --max-in-flight: beyond it arrivals are dropped (and counted)
  std::string out_dir = "out/load";
  bool allow_remote = false;           // --allow-remote: targets beyond loopback
  bool quiet = false;
};

// Commands whose options stay in their own file: registers `squall fake http` (command_fake.cpp).
void add_fake(CLI::App& app);

int execute(const run_command& cmd);
int execute_real(const run_command& cmd);  // run --real (command_run_real.cpp)
int execute(const sweep_command& cmd);
int execute(const merge_command& cmd);
int execute(const tune_command& cmd);
// `squall worker`: joins real run `run_id` as worker node(s) (runner/command_worker.cpp).
struct worker_command {
  std::string run_id;
  std::string redis_url;               // --redis; else the scenario's jobs.store.redis (must be a URL)
  std::string ledger_redis_url;        // --ledger-redis: the run's shared fencing store; empty: per process
  std::string scenario_file;
  std::vector<std::string> overrides;  // --set path=value
  std::vector<int> nodes;              // --node N, repeatable; none: every node of the scenario
  std::string history_file;
  bool produce = false;                // --produce: also enqueue the scenario's arrivals and play store faults
  std::optional<std::uint64_t> seed;
  double drain_s = 0;                  // keep working this long after duration_s
};

int execute(const check_command& cmd);
int execute(const worker_command& cmd);
int execute(const validate_command& cmd);
int execute(const load_command& cmd);

}  // namespace squall::runner
