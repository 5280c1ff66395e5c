// Real-mode lock cycles per second against one local redis-server (issue 5, target >= 45 k cycles/s).
//
// A cycle is what a job does around its side effect: acquire (SET key token NX PX ttl) and an owner-checked
// release (EVALSHA compare-and-delete), by the stack's lease_lock driven by redis_lock_driver over redis_kv.
// N lock clients, each on its own key (no contention: this measures the client and the server, not waiting),
// share K pipelined connections (client i uses connection i mod K), all on one thread's io_context. The
// redis-server is started by the bench (managed_redis, persistence none) on a free loopback port.
//
// A plain timed program rather than Google Benchmark: the unit of work is a closed loop of N concurrent clients
// on an event loop, which GB's one-iteration-at-a-time model does not express.
//
//   bench_net_redis [--seconds S] [--runs N:K,N:K,...] [--mode lock|kv|both]
//   defaults: --seconds 5 --runs 1:1,8:1,50:1,50:4,50:50 --mode both
// "kv" runs the same two commands through redis_kv without lease_lock, to show the lock's own cost.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <stdexcept>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

#include <sys/resource.h>
#include <unistd.h>

#include <fstream>
#include <sstream>

#include <boost/asio/io_context.hpp>

#include "net/managed_redis.hpp"
#include "net/redis_kv.hpp"
#include "net/redis_lock_driver.hpp"
#include "stack/lock/lock_config.hpp"

namespace {

using namespace squall;
using steady = std::chrono::steady_clock;

struct run_spec {
  int clients = 1;
  int connections = 1;
};

struct counters {
  std::uint64_t cycles = 0;
  std::uint64_t failures = 0;  // acquire failed, or release not answered as deleted
  bool counting = false;
};

// Each run uses fresh keys: a previous run may have left locks held until their TTL.
int run_number = 0;

// Jitter is never drawn without contention; a fixed mid value keeps the bench free of randomness.
double half(void*) { return 0.5; }

stack::lock::lock_config lock_config_for(int i) {
  stack::lock::lock_config c;
  c.key = "bench:lock:" + std::to_string(run_number) + ":" + std::to_string(i);
  c.ttl = std::chrono::seconds(10);
  c.renew = false;
  c.command_timeout = std::chrono::seconds(1);
  c.acquire_timeout = std::chrono::seconds(5);
  return c;
}

// One lease_lock client looping acquire -> release.
struct lock_client {
  counters& count;
  std::uint64_t n = 0;
  int id;
  std::unique_ptr<net::redis_lock_driver> driver;

  lock_client(boost::asio::io_context& io, net::redis_kv& kv, int i, counters& c) : count(c), id(i) {
    driver = std::make_unique<net::redis_lock_driver>(
        io, kv, lock_config_for(i), stack::lock::uniform_source{&half, nullptr},
        [this](const stack::lock::lock_event& e) { on_event(e); });
  }
  void start() { driver->acquire(token()); }
  std::string token() { return "c" + std::to_string(id) + "-" + std::to_string(++n); }
  void on_event(const stack::lock::lock_event& e) {
    using k = stack::lock::lock_event_kind;
    if (e.kind == k::acquired) {
      driver->release();
    } else if (e.kind == k::released || e.kind == k::release_not_owner || e.kind == k::acquire_failed) {
      if (count.counting) {
        if (e.kind == k::released && e.deleted) {
          ++count.cycles;
        } else {
          ++count.failures;
        }
      }
      driver->acquire(token());
    }
  }
};

// The same two commands through redis_kv directly.
struct kv_client {
  net::redis_kv& kv;
  counters& count;
  stack::kv_command set;
  stack::kv_command del;
  std::uint64_t n = 0;

  kv_client(net::redis_kv& k, int i, counters& c) : kv(k), count(c) {
    set.op = stack::kv_op::set_nx_px;
    set.key = "bench:kv:" + std::to_string(run_number) + ":" + std::to_string(i);
    set.ttl = std::chrono::seconds(10);
    del.op = stack::kv_op::del_if_owner;
    del.key = set.key;
  }
  void start() {
    set.value = del.value = std::to_string(++n);
    kv.send(set, std::chrono::seconds(1), {&on_set, this, 0});
  }
  static void on_set(void* self, std::uint64_t, const stack::kv_reply& r) {
    auto* c = static_cast<kv_client*>(self);
    if (r.status != stack::kv_status::ok) {
      if (c->count.counting) ++c->count.failures;
      c->start();
      return;
    }
    c->kv.send(c->del, std::chrono::seconds(1), {&on_del, c, 0});
  }
  static void on_del(void* self, std::uint64_t, const stack::kv_reply& r) {
    auto* c = static_cast<kv_client*>(self);
    if (c->count.counting) ++(r.status == stack::kv_status::ok && r.integer == 1 ? c->count.cycles : c->count.failures);
    c->start();
  }
};

struct result {
  double cycles_per_s = 0;
  std::uint64_t failures = 0;
  double client_cpu_us_per_cycle = 0;  // this process (user + sys)
  double server_cpu_us_per_cycle = 0;  // redis-server (user + sys)
};

// CPU seconds (user + sys) used so far by this process.
double self_cpu_s() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  return static_cast<double>(u.ru_utime.tv_sec + u.ru_stime.tv_sec) +
         static_cast<double>(u.ru_utime.tv_usec + u.ru_stime.tv_usec) / 1e6;
}

// CPU seconds (user + sys) used so far by another process, from /proc/<pid>/stat (fields 14 and 15, in ticks).
double process_cpu_s(pid_t pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  const std::size_t paren = text.rfind(')');  // the command name may contain spaces
  if (paren == std::string::npos) return 0;
  std::istringstream fields(text.substr(paren + 2));
  std::string field;
  double ticks = 0;
  for (int i = 3; i <= 15 && fields >> field; ++i)
    if (i >= 14) ticks += std::stod(field);
  return ticks / static_cast<double>(sysconf(_SC_CLK_TCK));
}

template <typename Client>
result measure(const net::managed_redis& redis, const run_spec& spec, double seconds) {
  ++run_number;
  boost::asio::io_context io;
  net::redis_connection_config cfg;
  cfg.host = redis.host();
  cfg.port = redis.port();
  std::vector<std::unique_ptr<net::redis_kv>> kvs;
  for (int k = 0; k < spec.connections; ++k) kvs.push_back(std::make_unique<net::redis_kv>(io, cfg));
  counters count;
  std::vector<std::unique_ptr<Client>> clients;
  for (int i = 0; i < spec.clients; ++i) {
    auto& kv = *kvs[static_cast<std::size_t>(i % spec.connections)];
    if constexpr (std::is_same_v<Client, lock_client>) {
      clients.push_back(std::make_unique<Client>(io, kv, i, count));
    } else {
      clients.push_back(std::make_unique<Client>(kv, i, count));
    }
  }
  for (auto& c : clients) c->start();
  io.run_for(std::chrono::milliseconds(500));  // connect, load the scripts, warm up
  count.counting = true;
  const auto t0 = steady::now();
  const double client0 = self_cpu_s();
  const double server0 = process_cpu_s(redis.pid());
  io.run_for(std::chrono::duration_cast<steady::duration>(std::chrono::duration<double>(seconds)));
  const double elapsed = std::chrono::duration<double>(steady::now() - t0).count();
  const double client_s = self_cpu_s() - client0;
  const double server_s = process_cpu_s(redis.pid()) - server0;
  count.counting = false;
  kvs.clear();  // drops pending callbacks before the clients go
  const double cycles = std::max<double>(1, static_cast<double>(count.cycles));
  return {static_cast<double>(count.cycles) / elapsed, count.failures, client_s * 1e6 / cycles,
          server_s * 1e6 / cycles};
}

void print_row(const char* mode, const run_spec& r, const result& res) {
  std::printf("%-10s %8d %12d %12.0f %9llu %18.1f %18.1f\n", mode, r.clients, r.connections, res.cycles_per_s,
              static_cast<unsigned long long>(res.failures), res.client_cpu_us_per_cycle,
              res.server_cpu_us_per_cycle);
}

std::vector<run_spec> parse_runs(const char* s) {
  std::vector<run_spec> out;
  std::string text(s);
  std::size_t pos = 0;
  while (pos <= text.size()) {
    const std::size_t comma = std::min(text.find(',', pos), text.size());
    const std::string item = text.substr(pos, comma - pos);
    const std::size_t colon = item.find(':');
    if (colon == std::string::npos) throw std::runtime_error("--runs: expected N:K, got '" + item + "'");
    run_spec r{std::stoi(item.substr(0, colon)), std::stoi(item.substr(colon + 1))};
    if (r.clients < 1 || r.connections < 1 || r.clients > 10'000 || r.connections > 1'000)
      throw std::runtime_error("--runs: N in 1..10000, K in 1..1000");
    out.push_back(r);
    pos = comma + 1;
  }
  return out;
}

}  // namespace

int main(int argc, char** argv) {
  try {
    double seconds = 5;
    std::string mode = "both";
    std::vector<run_spec> runs = parse_runs("1:1,8:1,50:1,50:4,50:50");
    for (int i = 1; i + 1 < argc; i += 2) {
      if (std::strcmp(argv[i], "--seconds") == 0) {
        seconds = std::stod(argv[i + 1]);
      } else if (std::strcmp(argv[i], "--runs") == 0) {
        runs = parse_runs(argv[i + 1]);
      } else if (std::strcmp(argv[i], "--mode") == 0) {
        mode = argv[i + 1];
      } else {
        std::fprintf(stderr, "usage: bench_net_redis [--seconds S] [--runs N:K,...] [--mode lock|kv|both]\n");
        return 2;
      }
    }
    net::managed_redis redis;
    std::printf("redis-server on %s:%u (persistence none), %.1f s per run, one client thread\n",
                redis.host().c_str(), static_cast<unsigned>(redis.port()), seconds);
    std::printf("%-10s %8s %12s %12s %9s %18s %18s\n", "mode", "clients", "connections", "cycles/s", "failures",
                "client_cpu_us/cyc", "server_cpu_us/cyc");
    for (const auto& r : runs) {
      if (mode == "lock" || mode == "both") {
        print_row("lease_lock", r, measure<lock_client>(redis, r, seconds));
      }
      if (mode == "kv" || mode == "both") {
        print_row("redis_kv", r, measure<kv_client>(redis, r, seconds));
      }
      std::fflush(stdout);
    }
    return 0;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "bench_net_redis: %s\n", e.what());
    return 1;
  }
}
