#include "runner/scenario_spec.hpp"

#include <algorithm>
#include <stdexcept>
#include <utility>

#include "runner/scenario_names.hpp"

namespace squall::runner::spec {

const char* to_string(field_type t) {
  switch (t) {
    case field_type::number: return "number";
    case field_type::integer: return "integer";
    case field_type::string: return "string";
    case field_type::boolean: return "boolean";
    case field_type::object: return "object";
    case field_type::array: return "array";
  }
  return "?";
}

namespace {
bool is_alnum(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'); }
}  // namespace

bool matches(const name_rule& rule, std::string_view name) {
  if (name.empty() || name.size() > rule.max_length) return false;
  return std::all_of(name.begin(), name.end(),
                     [&](char c) { return is_alnum(c) || rule.extra_chars.find(c) != std::string_view::npos; });
}

std::string pattern(const name_rule& rule) {
  return "^[A-Za-z0-9" + std::string(rule.extra_chars) + "]{1," + std::to_string(rule.max_length) + "}$";
}

std::string describe(const name_rule& rule) {
  std::string out = "letters, digits";
  for (std::size_t i = 0; i < rule.extra_chars.size(); ++i) {
    out += (i + 1 == rule.extra_chars.size()) ? " and '" : ", '";
    out += rule.extra_chars[i];
    out += "'";
  }
  return out + "; 1 to " + std::to_string(rule.max_length) + " characters";
}

field field::must() && {
  required = true;
  return std::move(*this);
}
field field::gt(double v) && {
  lower = bound{v, true};
  return std::move(*this);
}
field field::ge(double v) && {
  lower = bound{v, false};
  return std::move(*this);
}
field field::lt(double v) && {
  upper = bound{v, true};
  return std::move(*this);
}
field field::le(double v) && {
  upper = bound{v, false};
  return std::move(*this);
}
field field::def(nlohmann::json v) && {
  fallback = std::move(v);
  return std::move(*this);
}
field field::one_of(std::vector<std::string_view> values) && {
  choices = std::move(values);
  return std::move(*this);
}
field field::named_by(name_rule r) && {
  rule = r;
  return std::move(*this);
}

namespace {
field make(std::string_view key, field_type type, std::string_view ref = {}) {
  field f;
  f.key = key;
  f.type = type;
  f.ref = ref;
  return f;
}
}  // namespace

field number(std::string_view key) { return make(key, field_type::number); }
field integer(std::string_view key) { return make(key, field_type::integer); }
field text(std::string_view key) { return make(key, field_type::string); }
field flag(std::string_view key) { return make(key, field_type::boolean); }
field object(std::string_view key, std::string_view ref) { return make(key, field_type::object, ref); }
field array(std::string_view key, std::string_view ref) { return make(key, field_type::array, ref); }

const variant* object_spec::find_variant(std::string_view variant_name) const {
  for (const variant& v : variants) {
    if (v.name == variant_name) return &v;
  }
  return nullptr;
}

const field* object_spec::find(std::string_view key, std::string_view variant_name) const {
  for (const field& f : fields) {
    if (f.key == key) return &f;
  }
  if (const variant* v = find_variant(variant_name)) {
    for (const field& f : v->fields) {
      if (f.key == key) return &f;
    }
  }
  return nullptr;
}

std::vector<std::string_view> object_spec::keys(std::string_view variant_name) const {
  std::vector<std::string_view> out;
  auto add = [&](const std::vector<field>& fs) {
    for (const field& f : fs) {
      if (std::find(out.begin(), out.end(), f.key) == out.end()) out.push_back(f.key);
    }
  };
  add(fields);
  if (variant_name.empty()) {
    for (const variant& v : variants) add(v.fields);
  } else if (const variant* v = find_variant(variant_name)) {
    add(v->fields);
  }
  return out;
}

std::vector<std::string_view> object_spec::variants_with(std::string_view key) const {
  std::vector<std::string_view> out;
  for (const variant& v : variants) {
    for (const field& f : v.fields) {
      if (f.key == key) out.push_back(v.name);
    }
  }
  return out;
}

namespace {

constexpr double max_rate_per_s = 1e6;
constexpr double max_count = 1e6;         // workers, capacities, thresholds: keeps every int field an int
constexpr double max_queue = 1e7;
constexpr double max_latency_ms = 3.6e6;  // an hour: latencies, delays and caps stay far from ns overflow
constexpr double max_ratio = 10;
constexpr double max_percent = 100;
constexpr double max_duration_s = 604800;  // a week: duration_s's bound
constexpr double max_clock_ms = 8.64e7;    // a day: clock offsets and jumps
constexpr double max_drift_ppm = 1e5;      // 10%: far beyond any real oscillator
constexpr double max_nodes = 1000;         // job nodes, and jobs at once per node
constexpr double max_keys = 1e9;           // distinct idempotency keys of a queue producer

// A kind with variants: its selector comes first, required, with the variant names as its choices.
object_spec with_variants(std::string_view name, std::string_view selector, std::vector<field> common,
                          std::vector<variant> variants) {
  std::vector<std::string_view> names;
  for (const variant& v : variants) names.push_back(v.name);
  std::vector<field> fields{text(selector).must().one_of(std::move(names))};
  for (field& f : common) fields.push_back(std::move(f));
  return object_spec{name, std::move(fields), selector, std::move(variants)};
}

// Like with_variants, but the selector may be left out: its default picks the variant.
object_spec with_default_variant(std::string_view name, std::string_view selector, std::string_view fallback,
                                 std::vector<field> common, std::vector<variant> variants) {
  object_spec s = with_variants(name, selector, std::move(common), std::move(variants));
  s.fields.front().required = false;
  s.fields.front().fallback = std::string(fallback);
  return s;
}

object_spec plain(std::string_view name, std::vector<field> fields) {
  return object_spec{name, std::move(fields), {}, {}};
}

std::vector<object_spec> make_specs() {
  std::vector<object_spec> s;
  s.push_back(plain("scenario", {
      integer("squall").must(),  // must be 1; checked by the builder for a clearer message than a range
      text("name").must().named_by(scenario_name_rule),
      text("description").def(""),
      integer("seed").ge(0).le(9007199254740992.0).def(1),  // 2^53: exact in a double, as tools read JSON
      number("duration_s").must().gt(0).le(max_duration_s),
      // At least one of workload and jobs; dependencies and policy are required with a workload (the builder
      // checks both, as the table has no conditional requireds).
      object("workload", "workload"),
      object("dependencies"),  // a map from dependency names to "dependency" objects
      object("jobs", "jobs"),
      array("faults", "fault").def(nlohmann::json::array()),
      object("policy", "policy"),
      array("candidates", "candidate"),  // shadow candidates beside the policy; at most 16 (the builder checks)
      array("gates").def(nlohmann::json::array()),
      text("expect").one_of(names::all(names::expect_values)).def("pass"),
      object("reports", "reports").def(nlohmann::json::object()),
  }));
  s.push_back(plain("workload", {
      object("arrivals", "arrivals").must(),
      integer("workers").must().ge(1).le(max_count),
      integer("queue_max").ge(0).le(max_queue).def(1'000'000),
      text("target"),  // required when there are several dependencies
  }));
  const auto rate = [] { return number("rate_per_s").must().gt(0).le(max_rate_per_s); };
  s.push_back(with_variants("arrivals", "model", {},
                            {
                                {"poisson", {rate()}},
                                {"constant", {rate()}},
                                {"steps", {array("steps", "rate_step").must()}},
                            }));
  s.push_back(plain("rate_step", {
      number("at_s").must().ge(0),
      number("rate_per_s").must().ge(0).le(max_rate_per_s),
  }));
  s.push_back(plain("dependency", {
      integer("capacity").must().ge(1).le(max_count),
      integer("queue_max").ge(0).le(max_queue).def(100'000),
      object("latency", "latency").must(),
      object("errors", "errors").def(nlohmann::json::object()),
      text("url"),  // real mode: where the dependency listens; absent: `run --real` starts a fake server for it
  }));
  const auto ms = [](std::string_view key) { return number(key).must().ge(0).le(max_latency_ms); };
  const auto positive_ms = [](std::string_view key) { return number(key).must().gt(0).le(max_latency_ms); };
  s.push_back(with_variants("latency", "dist", {},
                            {
                                {"constant", {ms("value_ms")}},
                                {"uniform", {ms("min_ms"), ms("max_ms")}},
                                {"exponential", {positive_ms("mean_ms")}},
                                {"lognormal", {positive_ms("median_ms"), number("sigma").must().ge(0).le(5)}},
                                {"normal", {ms("mean_ms"), ms("stddev_ms")}},
                                {"pareto", {positive_ms("scale_ms"), number("shape").must().gt(0).le(100)}},
                            }));
  const auto status = [] { return integer("status").ge(100).le(599).def(503); };
  const auto latency_ms = [] { return number("latency_ms").ge(0).le(max_latency_ms).def(1); };
  s.push_back(plain("errors", {number("rate").ge(0).le(1).def(0), status(), latency_ms()}));
  const auto fault_rate = [] { return number("rate").gt(0).le(1).def(1); };
  const auto retry_after_s = [](double fallback) { return number("retry_after_s").ge(0).le(3600).def(fallback); };
  // HTTP faults (against a dependency) first, then node faults (against a job node or the store).
  const auto to_s = [] { return number("to_s").must().gt(0); };
  const auto signed_ms = [](std::string_view key) { return number(key).ge(-max_clock_ms).le(max_clock_ms); };
  s.push_back(with_variants("fault", "kind", {text("target"), number("from_s").must().ge(0)},
                            {
                                {"error_storm", {to_s(), fault_rate(), status(), latency_ms(), retry_after_s(0)}},
                                {"latency_spike",
                                 {to_s(), number("multiplier").ge(1).le(1000).def(1),
                                  number("add_ms").ge(0).le(max_latency_ms).def(0)}},
                                {"outage", {to_s()}},
                                {"hang", {to_s(), fault_rate()}},
                                {"rate_limit",
                                 {to_s(), number("limit_per_s").must().ge(0).le(max_rate_per_s), retry_after_s(1)}},
                                {"reset", {to_s(), fault_rate()}},
                                {"process_pause", {to_s()}},
                                {"clock_skew",
                                 {signed_ms("offset_ms").def(0),
                                  number("drift_ppm").ge(-max_drift_ppm).le(max_drift_ppm).def(0)}},
                                {"clock_jump", {signed_ms("jump_ms").must()}},  // non-zero: checked by the builder
                                {"worker_crash", {number("restart_after_s").gt(0).le(max_duration_s)}},
                                {"redis_restart", {number("downtime_ms").must().gt(0).le(max_latency_ms)}},
                                {"redis_unavailable", {to_s()}},
                                {"partition", {to_s()}},
                            }));
  s.push_back(plain("policy", {
      number("timeout_ms").must().gt(0).le(max_latency_ms),
      object("retry", "retry").must(),
      object("retry_budget", "retry_budget"),
      object("breaker", "breaker"),
  }));
  s.push_back(plain("retry", {
      integer("max_attempts").must().ge(1).le(100),
      object("backoff", "backoff").must(),
      array("retry_on").one_of(names::all(names::retry_on_classes))
          .def(nlohmann::json(names::all(names::retry_on_classes))),
      flag("honor_retry_after").def(false),
      number("retry_after_cap_ms").gt(0).le(max_latency_ms).def(60000),
  }));
  s.push_back(plain("backoff", {
      text("kind").must().one_of(names::all(names::backoff_kinds)),
      number("base_ms").must().gt(0).le(max_latency_ms),
      number("cap_ms").gt(0).le(max_latency_ms).def(10000),
  }));
  const auto mode = [] { return text("mode").one_of(names::all(names::policy_modes)).def("enforce"); };
  const auto ratio = [] { return number("ratio").must().gt(0).le(max_ratio); };
  const auto count = [](std::string_view key, double lowest, double fallback) {
    return integer(key).ge(lowest).le(max_count).def(fallback);
  };
  s.push_back(with_variants("retry_budget", "model", {mode()},
                            {
                                {"cumulative_ratio", {ratio()}},
                                {"windowed",
                                 {ratio(), number("ttl_s").gt(0).le(3600).def(10),
                                  number("min_per_s").ge(0).le(max_rate_per_s).def(10)}},
                                {"concurrency",
                                 {number("budget_percent").gt(0).le(max_percent).def(20),
                                  count("min_retry_concurrency", 0, 3)}},
                                {"token_bucket",
                                 {count("capacity", 1, 500), count("retry_cost", 0, 5),
                                  count("timeout_retry_cost", 0, 10), count("success_increment", 0, 1)}},
                            }));
  s.push_back(with_variants(
      "breaker", "model",
      {mode(), text("check").one_of(names::all(names::breaker_checks)).def("per_attempt"),
       number("open_ms").must().gt(0).le(max_latency_ms), count("half_open_calls", 1, 3)},
      {
          {"consecutive", {integer("failure_threshold").must().ge(1).le(max_count)}},
          {"failure_rate",
           {text("window").one_of(names::all(names::breaker_windows)).def("count"),
            integer("window_size").ge(1).le(100'000).def(100),
            integer("minimum_calls").ge(1).le(max_count),  // default: window_size
            number("failure_rate_threshold").gt(0).le(max_percent).def(50),
            number("slow_call_ms").ge(0).le(max_latency_ms).def(0),
            number("slow_call_rate_threshold").gt(0).le(max_percent).def(100)}},
      }));
  // A shadow candidate: the same breaker and budget objects as the policy's, never enforced (the builder
  // refuses mode "enforce" and a check other than the enforced breaker's).
  s.push_back(plain("candidate", {
      text("name").must().named_by(candidate_name_rule),
      object("policy", "candidate_policy").must(),
  }));
  s.push_back(plain("candidate_policy", {
      object("breaker", "breaker"),
      object("retry_budget", "retry_budget"),
  }));
  s.push_back(plain("reports", {number("flap_window_s").gt(0).le(86400).def(60)}));

  // Job nodes, the queue or cron feeding them, the lock and idempotency around each job, the store.
  const auto backoff = [](double base_ms, double cap_ms) {
    return object("backoff", "backoff")
        .def(nlohmann::json{{"kind", "full_jitter"}, {"base_ms", base_ms}, {"cap_ms", cap_ms}});
  };
  const auto timeout_ms = [] { return number("command_timeout_ms").gt(0).le(max_latency_ms).def(1000); };
  s.push_back(with_default_variant(
      "jobs", "source", "queue",
      {integer("nodes").ge(1).le(max_nodes).def(1), integer("concurrency").ge(1).le(max_nodes).def(1),
       object("work", "latency").must(), object("lock", "lock"),
       object("idempotency", "idempotency").def(nlohmann::json::object()),
       object("store", "store").def(nlohmann::json::object()),
       number("requeue_delay_ms").ge(0).le(max_latency_ms).def(1000),
       object("ledger", "ledger").def(nlohmann::json::object()),
       array("clocks", "clock").def(nlohmann::json::array())},
      {
          {"queue",
           {object("arrivals", "arrivals").must(), integer("keys").ge(0).le(max_keys).def(0),
            object("queue", "job_queue").def(nlohmann::json::object())}},
          {"cron", {object("cron", "cron").must()}},
      }));
  s.push_back(plain("job_queue", {
      number("visibility_timeout_ms").gt(0).le(max_latency_ms).def(30000),
      integer("max_deliveries").ge(1).le(max_count).def(5),
      number("duplicate_rate").ge(0).le(1).def(0),
      integer("max_messages").ge(1).le(max_queue).def(100'000),
  }));
  s.push_back(plain("cron", {number("every_s").must().gt(0).le(86400), flag("flock").def(false)}));
  s.push_back(plain("lock", {
      text("key").named_by(lock_key_rule).def("lock"),
      number("ttl_ms").must().gt(0).le(max_latency_ms),
      flag("renew").def(true),
      number("renew_every_ms").gt(0).le(max_latency_ms),  // default: ttl_ms / 3
      text("release").one_of(names::all(names::release_modes)).def("owner_checked"),
      flag("fencing").def(false),
      number("acquire_timeout_ms").ge(0).le(max_latency_ms).def(10000),
      timeout_ms(),
      number("clock_drift_margin_ms").ge(0).le(max_latency_ms),  // default: ttl_ms / 100 + 2
      backoff(50, 2000),
  }));
  s.push_back(plain("idempotency", {
      text("mode").one_of(names::all(names::idempotency_modes)).def("none"),
      number("ttl_s").gt(0).le(max_duration_s).def(86400),
  }));
  s.push_back(plain("store", {
      text("persistence").one_of(names::all(names::persistence_modes)).def("aof_everysec"),
      object("latency", "latency").def(nlohmann::json{{"dist", "lognormal"}, {"median_ms", 0.5}, {"sigma", 0.3}}),
      timeout_ms(),
      integer("attempts").ge(1).le(100).def(3),
      backoff(100, 2000),
      object("clock", "clock").def(nlohmann::json::object()),
      text("redis").def("managed"),  // real mode: a Redis URL, or "managed" (squall starts redis-server)
  }));
  s.push_back(plain("clock", {
      signed_ms("offset_ms").def(0),
      number("drift_ppm").ge(-max_drift_ppm).le(max_drift_ppm).def(0),
  }));
  s.push_back(plain("ledger", {flag("reject_stale_tokens").def(false)}));
  return s;
}

}  // namespace

const std::vector<object_spec>& object_specs() {
  static const std::vector<object_spec> specs = make_specs();
  return specs;
}

const object_spec& object_named(std::string_view name) {
  for (const object_spec& s : object_specs()) {
    if (s.name == name) return s;
  }
  throw std::logic_error("scenario parser bug: no object kind '" + std::string(name) + "'");
}

}  // namespace squall::runner::spec
