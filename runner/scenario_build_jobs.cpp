// Jobs on worker nodes: the queue or cron that feeds them, the lease lock and idempotency around each job, the KV
// store they use and the nodes' clocks.
#include <stdexcept>

#include "runner/redis_url.hpp"
#include "runner/scenario_build.hpp"
#include "runner/scenario_hints.hpp"
#include "stack/lock/lock_config.hpp"

namespace squall::runner {
namespace {

namespace lock = stack::lock;
namespace worker = stack::worker;

std::string millis(stack::duration d) { return format_number(stack::to_ms(d)); }

// A value the reader returned, or, when the key is present but invalid (already reported), nothing to check.
struct read_time {
  std::optional<stack::duration> value;
  bool invalid = false;
};

read_time time_of(object_reader& r, std::string_view key) {
  read_time t{r.time(key), false};
  t.invalid = !t.value && r.has(key);
  return t;
}

// ttl, renewal and the drift margin must leave the lock a validity to renew within (lock::validate's rules,
// reported at the key a user would change).
void check_lock_times(object_reader& r, const read_time& every, const read_time& margin,
                      const lock::lock_config& c) {
  const stack::duration m = lock::drift_margin(c);
  if (m >= c.ttl) {
    if (margin.value) {
      r.error("clock_drift_margin_ms", "must be < ttl_ms (" + millis(m) + " >= " + millis(c.ttl) + ")",
              "the margin is taken off the lock's validity; ttl_ms - clock_drift_margin_ms is how long it is held");
    } else {
      r.error("ttl_ms", "is too short for the default clock_drift_margin_ms (ttl_ms / 100 + 2 = " + millis(m) + ")",
              "use a longer ttl_ms, or set clock_drift_margin_ms below it");
    }
    return;
  }
  if (every.value && *every.value >= c.ttl) {
    r.error("renew_every_ms", "must be < ttl_ms (" + millis(*every.value) + " >= " + millis(c.ttl) + ")",
            "the lock would expire before it is renewed");
    return;
  }
  if (!c.renew) return;
  const stack::duration period = lock::renew_every(c);
  if (period < c.ttl - m) return;
  const std::string why = "renewing after the validity ended would extend a lock the client already counts as lost";
  if (every.value) {
    r.error("renew_every_ms", "must be < ttl_ms - clock_drift_margin_ms (" + millis(period) + " >= " +
                                  millis(c.ttl) + " - " + millis(m) + ")",
            why);
  } else if (margin.value) {
    r.error("clock_drift_margin_ms",
            "leaves no time to renew: the default renew_every_ms (ttl_ms / 3 = " + millis(period) +
                ") must be < ttl_ms - clock_drift_margin_ms (" + millis(c.ttl - m) + ")",
            "set renew_every_ms, or a smaller clock_drift_margin_ms; " + why);
  } else {
    r.error("ttl_ms",
            "is too short to renew: ttl_ms / 3 (" + millis(period) + ") must be < ttl_ms - (ttl_ms / 100 + 2)",
            "use a longer ttl_ms");
  }
}

void build_lock(const nlohmann::json& value, const std::string& path, error_sink& errors, lock::lock_config& out) {
  read_object(errors, value, path, "lock", [&](object_reader& r) {
    assign(out.key, r.text("key"));
    const read_time ttl = time_of(r, "ttl_ms");
    assign(out.ttl, ttl.value);
    assign(out.renew, r.flag("renew"));
    const read_time every = time_of(r, "renew_every_ms");
    out.renew_every = every.value;
    assign(out.release, r.choice("release", names::release_modes));
    assign(out.fencing, r.flag("fencing"));
    assign(out.acquire_timeout, r.time("acquire_timeout_ms"));
    assign(out.command_timeout, r.time("command_timeout_ms"));
    const read_time margin = time_of(r, "clock_drift_margin_ms");
    out.clock_drift_margin = margin.value;
    if (const auto* backoff = r.child("backoff")) build_backoff(*backoff, r.path_of("backoff"), errors, out.backoff);
    if (ttl.value && !every.invalid && !margin.invalid) check_lock_times(r, every, margin, out);
  });
}

void build_clock(const nlohmann::json& value, const std::string& path, error_sink& errors, sim::node_clock& out) {
  read_object(errors, value, path, "clock", [&](object_reader& r) {
    const auto offset = r.time("offset_ms");
    const auto drift = r.number("drift_ppm");
    out = sim::node_clock(offset.value_or(stack::duration{0}), drift.value_or(0.0));
  });
}

void build_clocks(const nlohmann::json& value, const std::string& path, error_sink& errors,
                  const std::optional<int>& nodes, std::vector<sim::node_clock>& out) {
  if (nodes && value.size() > static_cast<std::size_t>(*nodes)) {
    errors.add(path,
               "holds " + std::to_string(value.size()) + " clocks for " + std::to_string(*nodes) +
                   (*nodes == 1 ? " node" : " nodes"),
               "one clock per node, n0's first; raise jobs.nodes or remove clocks");
  }
  for (std::size_t i = 0; i < value.size(); ++i) {
    sim::node_clock clock;
    build_clock(value[i], path_index(path, i), errors, clock);
    out.push_back(clock);
  }
}

void build_store(const nlohmann::json& value, const std::string& path, error_sink& errors, jobs_config& out) {
  read_object(errors, value, path, "store", [&](object_reader& r) {
    assign(out.store.persistence, r.choice("persistence", names::persistence_modes));
    if (const auto* latency = r.child("latency")) {
      build_latency(*latency, r.path_of("latency"), errors, out.store.latency);
    }
    assign(out.flow.command_timeout, r.time("command_timeout_ms"));
    assign(out.flow.store_attempts, r.integer("attempts"));
    if (const auto* backoff = r.child("backoff")) {
      build_backoff(*backoff, r.path_of("backoff"), errors, out.flow.store_backoff);
    }
    if (const auto* clock = r.child("clock")) build_clock(*clock, r.path_of("clock"), errors, out.store.clock);
    assign(out.redis, r.text("redis"));
    if (out.redis != "managed") {
      try {
        std::string host;
        std::uint16_t port = 0;
        parse_redis_url(out.redis, host, port);
      } catch (const std::invalid_argument&) {
        r.error("redis", "must be \"managed\" or a URL redis://host:port", "e.g. \"redis://127.0.0.1:6379\"");
      }
    }
  });
}

void read_queue_source(object_reader& r, error_sink& errors, const scenario_facts& facts, jobs_config& out) {
  if (const auto* arrivals = r.child("arrivals")) {
    build_arrivals(*arrivals, r.path_of("arrivals"), errors, facts, out.arrivals);
  }
  assign(out.keys, r.integer("keys"));
  if (const auto* queue = r.child("queue")) {
    read_object(errors, *queue, r.path_of("queue"), "job_queue", [&](object_reader& q) {
      assign(out.queue.visibility_timeout, q.time("visibility_timeout_ms"));
      assign(out.queue.max_deliveries, q.integer("max_deliveries"));
      assign(out.queue.duplicate_rate, q.number("duplicate_rate"));
      assign(out.queue.max_messages, q.integer("max_messages"));
    });
  }
}

void read_cron_source(object_reader& r, error_sink& errors, jobs_config& out) {
  if (const auto* cron = r.child("cron")) {
    read_object(errors, *cron, r.path_of("cron"), "cron", [&](object_reader& c) {
      assign(out.flow.cron_every, c.time("every_s"));
      assign(out.flow.flock, c.flag("flock"));
    });
  }
}

}  // namespace

void build_jobs(const nlohmann::json& value, const std::string& path, error_sink& errors, scenario_facts& facts,
                jobs_config& out) {
  out.enabled = true;
  read_object(errors, value, path, "jobs", [&](object_reader& r) {
    const auto nodes = r.integer("nodes");
    if (nodes) facts.job_nodes = static_cast<int>(*nodes);
    assign(out.nodes, nodes);
    assign(out.flow.concurrency, r.integer("concurrency"));
    if (const auto* work = r.child("work")) build_latency(*work, r.path_of("work"), errors, out.work);
    if (const auto* lock_value = r.child("lock")) {
      lock::lock_config config;
      config.key = "lock";
      build_lock(*lock_value, r.path_of("lock"), errors, config);
      out.flow.lock = std::move(config);
    }
    if (const auto* idempotency = r.child("idempotency")) {
      read_object(errors, *idempotency, r.path_of("idempotency"), "idempotency", [&](object_reader& i) {
        assign(out.flow.idempotency, i.choice("mode", names::idempotency_modes));
        assign(out.flow.idempotency_ttl, i.time("ttl_s"));
      });
    }
    if (const auto* store = r.child("store")) build_store(*store, r.path_of("store"), errors, out);
    assign(out.flow.requeue_delay, r.time("requeue_delay_ms"));
    if (const auto* ledger = r.child("ledger")) {
      read_object(errors, *ledger, r.path_of("ledger"), "ledger",
                  [&](object_reader& l) { assign(out.ledger.reject_stale_tokens, l.flag("reject_stale_tokens")); });
    }
    if (const auto* clocks = r.child("clocks")) {
      // facts.job_nodes is unset when nodes is invalid: already reported, nothing to count the clocks against.
      build_clocks(*clocks, r.path_of("clocks"), errors, facts.job_nodes, out.clocks);
    }
    const auto source = r.variant_as(names::job_sources);
    if (!source) return;
    out.flow.source = *source;
    if (*source == worker::job_source::queue) {
      read_queue_source(r, errors, facts, out);
    } else {
      read_cron_source(r, errors, out);
    }
  });
}

}  // namespace squall::runner
