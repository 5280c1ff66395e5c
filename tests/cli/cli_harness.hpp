#pragma once
// Runs the squall binary (path from $SQUALL_BIN, set by CTest) in a fresh temporary directory.
#include <sys/wait.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>
#include <string>

namespace squall::test {

namespace fs = std::filesystem;

struct cli_result {
  int exit_code = -1;
  std::string out;  // stdout and stderr together
};

inline std::string read_file(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

inline void write_file(const fs::path& p, const std::string& content) {
  std::ofstream out(p, std::ios::binary);
  out << content;
}

// Runs `cmd` with /bin/sh; its stdout (and whatever the command redirects there) and exit code.
inline cli_result run_shell(const std::string& cmd) {
  cli_result r;
  FILE* pipe = popen(cmd.c_str(), "r");
  if (!pipe) return r;
  char buf[4096];
  std::size_t n;
  while ((n = fread(buf, 1, sizeof buf, pipe)) > 0) r.out.append(buf, n);
  const int status = pclose(pipe);
  r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return r;
}

struct cli_sandbox {
  fs::path dir;
  cli_sandbox() {
    std::random_device rd;
    dir = fs::temp_directory_path() / ("squall-cli-" + std::to_string(rd()));
    fs::create_directories(dir);
  }
  ~cli_sandbox() {
    std::error_code ec;
    fs::remove_all(dir, ec);
  }
  fs::path path(const std::string& name) const { return dir / name; }

  // `args` is appended to the binary, run with the sandbox as working directory.
  cli_result run(const std::string& args) const {
    const char* bin = std::getenv("SQUALL_BIN");
    std::string cmd = "cd '" + dir.string() + "' && '" + std::string(bin ? bin : "squall") + "' " + args + " 2>&1";
    return run_shell(cmd);
  }
};

// A small valid scenario (30 simulated seconds) the tests vary.
inline std::string small_scenario(const std::string& name = "small", const std::string& gates = "[]") {
  return R"({
  "squall": 1, "name": ")" + name + R"(", "description": "cli test", "seed": 5, "duration_s": 30,
  "workload": { "arrivals": { "model": "poisson", "rate_per_s": 200 }, "workers": 64 },
  "dependencies": { "api": { "capacity": 16, "latency": { "dist": "lognormal", "median_ms": 20, "sigma": 0.5 },
                             "errors": { "rate": 0.05, "status": 503, "latency_ms": 1 } } },
  "faults": [ { "kind": "error_storm", "target": "api", "from_s": 10, "to_s": 15, "rate": 0.7 } ],
  "policy": { "timeout_ms": 200,
              "retry": { "max_attempts": 3, "backoff": { "kind": "full_jitter", "base_ms": 50, "cap_ms": 1000 } },
              "retry_budget": { "model": "windowed", "ratio": 0.2 },
              "breaker": { "model": "consecutive", "failure_threshold": 5, "open_ms": 2000 } },
  "gates": )" + gates + R"(
})";
}

}  // namespace squall::test
