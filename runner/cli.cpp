#include "runner/cli.hpp"

#include <cstdint>
#include <cstdio>
#include <exception>
#include <memory>

#include <CLI/CLI.hpp>

#include "runner/commands.hpp"
#include "runner/exit_codes.hpp"
#include "runner/shard.hpp"

namespace squall::runner {

namespace {

// Seeds stay exactly representable in JSON (2^53), as the scenario parser requires; per-seed reports are kept in
// memory for aggregation, so K is bounded.
constexpr std::uint64_t max_seed = std::uint64_t{1} << 53;
constexpr int max_seeds = 1000;

constexpr const char* run_examples = R"(
Examples:
  squall run scenarios/storm-hour.json                 simulate one hour, reports in out/storm-hour/
  squall run scenarios/*.json --junit gates.xml        CI gate: exit 0 pass, 1 gate failed, 2 bad input, 3 internal
  squall run s.json --set policy.breaker.open_ms=30000 try a threshold without editing the file
  squall run s.json --seed 7 --history h.jsonl         reproduce seed 7 and keep its event history
  squall run s.json --seeds 20                         20 seeds: mean/min/max per metric, worst seed's repro
  squall run s.json --markdown "$GITHUB_STEP_SUMMARY"  Markdown summary for a PR or a job page
  squall run s.json --real --set duration_s=60         60 s on real sockets (fake servers, a managed Redis),
                                                       then sim vs real side by side (docs/real-mode.md)
)";

constexpr const char* app_footer = R"(
A scenario is a JSON file: a workload, flaky dependencies, faults in time, the resilience policy under test
and gates (e.g. "retry_amplification.overall < 1.5"). See docs/scenario-format.md and scenarios/.

  squall validate scenarios/*.json          check scenarios without running them
  squall run scenarios/*.json               simulate them, write reports, exit 1 if a gate fails
  squall check out/h.jsonl --gates "goodput.ratio > 0.9"   recompute a report from a recorded history
  squall fake http --listen 127.0.0.1:8080 --config dep.json   a flaky HTTP dependency with an admin API
  squall load http://127.0.0.1:8080/ --rate 5000 --duration 60s   open-loop HTTP load, latency from intended send

Exit codes: 0 all gates pass, 1 a gate failed, 2 invalid input or usage, 3 internal error or unknown gate value.
)";

void add_run(CLI::App& app, run_command& cmd) {
  auto* run = app.add_subcommand("run", "Simulate scenarios, write reports and evaluate their gates");
  run->footer(run_examples);
  run->add_option("files", cmd.files, "Scenario files (JSON)")->required()->check(CLI::ExistingFile);
  run->add_option("--set", cmd.overrides, "Override a field: dotted.path=value (value parsed as JSON); repeatable")
      ->type_name("PATH=VALUE")
      ->allow_extra_args(false);
  run->add_option("--seed", cmd.seed, "Seed to use instead of the scenario's")
      ->check(CLI::Range(std::uint64_t{0}, max_seed));
  run->add_option("--seeds", cmd.seeds, "Run K consecutive seeds from the base seed and aggregate")
      ->check(CLI::Range(1, max_seeds));
  run->add_option("--jobs,-j", cmd.jobs, "Parallel runs (default: all cores)")->check(CLI::Range(0, 1024));
  run->add_option("--out,-o", cmd.out_dir, "Directory for reports (one folder per scenario)")
      ->capture_default_str();
  run->add_option("--junit", cmd.junit_file, "Write JUnit XML: one testcase per gate per scenario");
  run->add_option("--markdown", cmd.markdown_file, "Write a Markdown summary (PR comment, $GITHUB_STEP_SUMMARY)");
  run->add_option("--history", cmd.history_file, "Write the event history (JSONL) of a single run");
  run->add_flag("--quiet,-q", cmd.quiet, "No progress line and no summary table");
  run->add_flag("--real", cmd.real,
                "Run on real sockets and real time (duration_s of wall clock): dependencies at their `url`, or "
                "squall's fake servers on loopback; jobs on a real Redis. Prints sim vs real side by side");
  run->add_flag("--allow-remote", cmd.allow_remote, "With --real: allow dependencies beyond loopback");
  run->callback([&cmd] { throw CLI::RuntimeError(execute(cmd)); });
}

constexpr const char* sweep_examples = R"(
Examples:
  squall sweep s.json --seeds 200                      distributions over 200 seeds, gate stability, failing seeds
  squall sweep s.json --seeds 200 --seed 1000 -j 8     seeds 1000..1199 on 8 threads (results do not depend on -j)
  squall sweep s.json --seeds 200 --shard 2/4 --out shard-2   this machine's quarter; then `squall merge`
Writes out/<scenario>/sweep.{json,md,html}; exit codes as `squall run` (every seed must keep the promise).
)";

constexpr const char* merge_examples = R"(
Examples:
  squall merge shard-1 shard-2 shard-3 shard-4 --out out   the same sweep.json as one machine running every seed
  squall merge results/ --out results/                     shards that wrote into one shared folder
  squall merge tune-1 tune-2 --out out                     shards of `squall tune --shard i/N`: one tune.json,
                                                           the hold-out runs here (needs the same scenario file)
Exit codes as `squall sweep` / `squall tune`, and 2 when shards are missing or come from different runs.
)";

// The options live as long as the app (the callback owns them), so cli_main needs one line per subcommand.
void add_sweep(CLI::App& app) {
  auto cmd = std::make_shared<sweep_command>();
  auto* sweep = app.add_subcommand("sweep", "Run one scenario over many seeds: distributions per metric, gate "
                                            "stability, failing seeds with their repro lines");
  sweep->footer(sweep_examples);
  sweep->add_option("file", cmd->file, "Scenario file (JSON)")->required()->check(CLI::ExistingFile);
  sweep->add_option("--seeds", cmd->seeds, "Number of consecutive seeds from the base seed")
      ->capture_default_str()
      ->check(CLI::Range(1, sweep_seeds_max));
  sweep->add_option("--seed", cmd->seed, "First seed instead of the scenario's")
      ->check(CLI::Range(std::uint64_t{0}, max_seed));
  sweep->add_option("--set", cmd->overrides, "Override a field: dotted.path=value (value parsed as JSON); repeatable")
      ->type_name("PATH=VALUE")
      ->allow_extra_args(false);
  sweep->add_option("--jobs,-j", cmd->jobs, "Parallel runs (default: all cores; results do not depend on it)")
      ->check(CLI::Range(0, 1024));
  sweep->add_option("--shard", cmd->shard, "Run only shard i of N (seed index k with k % N == i - 1), then merge")
      ->type_name("I/N");
  sweep->add_option("--out,-o", cmd->out_dir, "Directory for results (one folder per scenario)")->capture_default_str();
  sweep->add_option("--markdown", cmd->markdown_file, "Write the Markdown summary here too (PR comment)");
  sweep->add_flag("--quiet,-q", cmd->quiet, "No progress line and no summary");
  sweep->callback([cmd] { throw CLI::RuntimeError(execute(*cmd)); });
}

void add_merge(CLI::App& app) {
  auto cmd = std::make_shared<merge_command>();
  auto* merge = app.add_subcommand("merge", "Merge the shards of `squall sweep/tune --shard i/N` into one result");
  merge->footer(merge_examples);
  merge->add_option("dirs", cmd->dirs, "The shards' --out folders")->required();
  merge->add_option("--jobs,-j", cmd->jobs, "Parallel hold-out runs of a merged tune (default: all cores)")
      ->check(CLI::Range(0, 1024));
  merge->add_option("--out,-o", cmd->out_dir, "Directory for the merged results")->capture_default_str();
  merge->add_option("--markdown", cmd->markdown_file, "Write the Markdown summary here too (PR comment)");
  merge->add_flag("--quiet,-q", cmd->quiet, "Print nothing but errors");
  merge->callback([cmd] { throw CLI::RuntimeError(execute(*cmd)); });
}

void add_validate(CLI::App& app, validate_command& cmd) {
  auto* validate = app.add_subcommand("validate", "Check scenario files without running them");
  validate->add_option("files", cmd.files, "Scenario files (JSON)")->required();
  validate->add_option("--set", cmd.overrides, "Override a field before validating: dotted.path=value")
      ->type_name("PATH=VALUE")
      ->allow_extra_args(false);
  validate->callback([&cmd] { throw CLI::RuntimeError(execute(cmd)); });
}

void add_check(CLI::App& app, check_command& cmd) {
  auto* check = app.add_subcommand("check", "Recompute the report and gates from a recorded history (JSONL)");
  check->add_option("history", cmd.history_file, "History file written by `squall run --history`")
      ->required()
      ->check(CLI::ExistingFile);
  check->add_option("more", cmd.more_histories, "Histories of the same real run by other processes (squall worker): "
                                                "merged by t_ns into one report")
      ->check(CLI::ExistingFile);
  check->add_option("--gates", cmd.gates, "Gate expression replacing the recorded ones; repeatable")
      ->type_name("EXPR")
      ->allow_extra_args(false);
  check->add_option("--out,-o", cmd.out_dir, "Write report.json/.md/.html here instead of printing report.json");
  check->add_flag("--quiet,-q", cmd.quiet, "Print nothing but errors");
  check->callback([&cmd] { throw CLI::RuntimeError(execute(cmd)); });
}

constexpr const char* tune_examples = R"(
Examples:
  squall tune s.json --vary policy.breaker.failure_threshold=3,5,8,13 --vary policy.breaker.open_ms=5000..60000/6
        every combination (4 x 6 = 24 candidates) over the same 20 seeds; recommendation checked on 20 fresh seeds
  squall tune s.json --vary policy.retry_budget.ratio=0.05..0.5/10 --vary policy.retry.max_attempts=2,3,4,5 \
        --search random --budget 12 --objective 'max goodput.ratio'      12 candidates drawn from the 40
  squall tune s.json --vary policy.breaker.open_ms=5000..60000/6 --shard 2/4 --out shard-2
        this machine's quarter of the runs; then `squall merge shard-* --out out`
Values: V1,V2,... (each JSON, else a string, as --set) or A..B/N (N evenly spaced values from A to B).
Writes out/<scenario>/tune.{json,md,html}. Exit 0: a candidate passes every gate in every tuning seed and on
every hold-out seed; 1: none passes (the closest is shown) or the hold-out fails; 2: invalid input.
)";

// The command's options live as long as the app (the callback owns them), so cli_main needs one line for it.
void add_tune(CLI::App& app) {
  auto cmd = std::make_shared<tune_command>();
  auto* tune = app.add_subcommand("tune", "Search policy parameters: every candidate over the same seeds, the "
                                          "Pareto front and the candidate that passes the gates with most margin");
  tune->footer(tune_examples);
  tune->add_option("file", cmd->file, "Scenario file (JSON)")->required()->check(CLI::ExistingFile);
  tune->add_option("--vary", cmd->varies, "A parameter and its values: PATH=V1,V2,... or PATH=A..B/N; repeatable")
      ->type_name("PATH=VALUES")
      ->required()
      ->allow_extra_args(false);
  tune->add_option("--seeds", cmd->seeds, "Tuning seeds per candidate (the same seeds for every candidate)")
      ->capture_default_str()
      ->check(CLI::Range(1, max_seeds));
  tune->add_option("--seed", cmd->seed, "First seed instead of the scenario's")
      ->check(CLI::Range(std::uint64_t{0}, max_seed));
  tune->add_option("--search", cmd->search, "grid: every combination; random: --budget N of them")
      ->capture_default_str();
  tune->add_option("--budget", cmd->budget, "With --search random: how many candidates to draw from the grid");
  tune->add_option("--objective", cmd->objective, "Order and break ties by a metric's mean: 'max goodput.ratio', "
                                                  "'min latency_ms.p99'")
      ->type_name("max|min METRIC");
  tune->add_option("--holdout", cmd->holdout, "Fresh seeds (after the tuning seeds) to re-check the recommendation; 0: none")
      ->capture_default_str()
      ->check(CLI::Range(0, max_seeds));
  tune->add_option("--goodput-floor", cmd->goodput_floor,
                   "Recommend only candidates whose mean goodput is at least this share of the best passing "
                   "candidate's; 0: off")
      ->capture_default_str()
      ->check(CLI::Range(0.0, 1.0));
  tune->add_option("--shard", cmd->shard, "Run only shard i of N of the runs (candidate x seed), then `squall merge`")
      ->type_name("I/N");
  tune->add_option("--set", cmd->overrides, "Override a field for every candidate: dotted.path=value; repeatable")
      ->type_name("PATH=VALUE")
      ->allow_extra_args(false);
  tune->add_option("--jobs,-j", cmd->jobs, "Parallel runs (default: all cores; results do not depend on it)")
      ->check(CLI::Range(0, 1024));
  tune->add_option("--out,-o", cmd->out_dir, "Directory for results (one folder per scenario)")->capture_default_str();
  tune->add_option("--markdown", cmd->markdown_file, "Write the Markdown summary here too (PR comment)");
  tune->add_flag("--quiet,-q", cmd->quiet, "No progress line and no summary");
  tune->callback([cmd] { throw CLI::RuntimeError(execute(*cmd)); });
}

constexpr const char* load_examples = R"(
Examples:
  squall load http://127.0.0.1:8080/ --rate 5000 --duration 60s          5000 req/s (poisson) for a minute
  squall load http://127.0.0.1:8080/api --rate 100000 --duration 10s --connections 64 --arrivals constant
        more than the server can take: latency from the intended send time grows, service time does not
  squall load http://localhost:8080/ --rate 200 --duration 2m --timeout-ms 250 --out out/staging
Arrivals are open-loop: they leave at their scheduled times whatever the server does, and latency is measured
from that intended time (no coordinated omission). A request counts from its intended send time, so waiting for
one of the --connections counts too. Beyond --max-in-flight open requests, arrivals are dropped and counted.
Writes DIR/report.json and DIR/report.md (--out, default out/load). Only loopback targets unless --allow-remote.
Exit codes: 0 the load ran, 2 invalid input (URL, duration, rate, a non-loopback host), 3 internal error.
)";

// The options live as long as the app (the callback owns them).
void add_load(CLI::App& app) {
  auto cmd = std::make_shared<load_command>();
  auto* load = app.add_subcommand("load", "Open-loop HTTP load against one URL: latency from the intended send "
                                          "time, service time, counts by status, report.json and report.md");
  load->footer(load_examples);
  load->add_option("url", cmd->url, "http://HOST[:PORT]/PATH (loopback only unless --allow-remote)")->required();
  load->add_option("--rate", cmd->rate, "Arrivals per second")->required();
  load->add_option("--duration", cmd->duration, "How long arrivals go on: 500ms, 60s, 2m")->capture_default_str();
  load->add_option("--connections,-c", cmd->connections, "Keep-alive connections at most")->capture_default_str();
  load->add_option("--timeout-ms", cmd->timeout_ms, "Per-request deadline from its send, connection wait included")
      ->capture_default_str();
  load->add_option("--arrivals", cmd->arrivals, "poisson (random gaps) or constant (equal gaps)")
      ->capture_default_str();
  load->add_option("--seed", cmd->seed, "Seed of the poisson arrival times")->capture_default_str();
  load->add_option("--max-in-flight", cmd->max_in_flight,
                   "Open requests at most; beyond, arrivals are dropped and counted (default: connections x 65, "
                   "or fewer when rate x timeout is less)");
  load->add_option("--out,-o", cmd->out_dir, "Directory for report.json and report.md")->capture_default_str();
  load->add_flag("--allow-remote", cmd->allow_remote, "Allow a target that is not a loopback address");
  load->add_flag("--quiet,-q", cmd->quiet, "No progress line and no summary");
  load->callback([cmd] { throw CLI::RuntimeError(execute(*cmd)); });
}

constexpr const char* worker_examples = R"(
Examples:
  squall worker --run r1 --redis redis://10.0.0.5:6379 --scenario s.json --node 0 --produce --history w0.jsonl
  squall worker --run r1 --redis redis://10.0.0.5:6379 --scenario s.json --node 1 --history w1.jsonl
  squall check w0.jsonl w1.jsonl          one report from both processes' histories (docs/real-mode-jobs.md)
With fencing (jobs.lock.fencing and jobs.ledger.reject_stale_tokens) across processes, give every process the same
--ledger-redis: a Redis the run's faults do not touch, where the fencing tokens accepted by any process are kept.
)";

void add_worker(CLI::App& app) {
  auto cmd = std::make_shared<worker_command>();
  auto* worker = app.add_subcommand("worker", "Join a real run as worker node(s): jobs from Redis Streams, locks and "
                                              "idempotency in the same Redis, this process's history");
  worker->footer(worker_examples);
  worker->add_option("--run", cmd->run_id, "Run id: prefixes every Redis key; processes with the same id share a run")
      ->required();
  worker->add_option("--redis", cmd->redis_url, "Redis URL (redis://host:port); default: the scenario's jobs.store.redis");
  worker->add_option("--scenario", cmd->scenario_file, "Scenario file (JSON) with a jobs section")
      ->required()
      ->check(CLI::ExistingFile);
  worker->add_option("--node", cmd->nodes, "Run node N of the scenario (repeatable); default: every node")
      ->check(CLI::Range(0, 1 << 16));
  worker->add_option("--ledger-redis", cmd->ledger_redis_url,
                     "Redis URL shared by the run's processes for fencing tokens (one the faults do not touch); "
                     "default: each process fences on its own");
  worker->add_option("--history", cmd->history_file, "Write this process's history (JSONL)");
  worker->add_flag("--produce", cmd->produce, "Also enqueue the scenario's arrivals and play its store faults");
  worker->add_option("--set", cmd->overrides, "Override a field: dotted.path=value; repeatable")
      ->type_name("PATH=VALUE")
      ->allow_extra_args(false);
  worker->add_option("--seed", cmd->seed, "Seed instead of the scenario's")->check(CLI::Range(std::uint64_t{0}, max_seed));
  worker->add_option("--drain-s", cmd->drain_s, "Keep working this many seconds after duration_s")
      ->check(CLI::Range(0.0, 3600.0));
  worker->callback([cmd] { throw CLI::RuntimeError(execute(*cmd)); });
}

}  // namespace

int cli_main(int argc, char** argv) {
  CLI::App app{"squall: chaos and load tests for worker, lock and resilience stacks, in a deterministic simulator"};
  app.footer(app_footer);
  app.require_subcommand(1);
  run_command run;
  validate_command validate;
  check_command check;
  add_run(app, run);
  add_validate(app, validate);
  add_check(app, check);
  add_sweep(app);
  add_merge(app);
  add_tune(app);
  add_worker(app);
  add_fake(app);
  add_load(app);
  try {
    app.parse(argc, argv);
  } catch (const CLI::RuntimeError& done) {
    return done.get_exit_code();  // a subcommand ran; this is its exit code
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    app.exit(e);
    return exit_invalid;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "squall: internal error: %s\n", e.what());
    return exit_internal;
  }
  return exit_pass;
}

}  // namespace squall::runner
