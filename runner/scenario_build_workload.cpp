// The workload (arrivals, workers, target) and the dependencies it calls (capacity, latency, errors).
#include <algorithm>

#include "runner/scenario_build.hpp"
#include "runner/scenario_hints.hpp"

namespace squall::runner {
namespace {

void build_steps(const nlohmann::json& steps, const std::string& path, error_sink& errors,
                 const scenario_facts& facts, std::vector<rate_step>& out) {
  if (steps.empty()) {
    errors.add(path, "must hold at least one step", "e.g. [{\"at_s\": 0, \"rate_per_s\": 100}]");
    return;
  }
  std::optional<stack::duration> previous;
  for (std::size_t i = 0; i < steps.size(); ++i) {
    read_object(errors, steps[i], path_index(path, i), "rate_step", [&](object_reader& r) {
      const auto at = r.time("at_s");
      const auto rate = r.number("rate_per_s");
      if (!at || !rate) return;
      if (i == 0 && at->count() != 0) {
        r.error("at_s", "the first step must start at 0 (got " + format_seconds(*at) + ")");
      } else if (previous && *at <= *previous) {
        r.error("at_s", "must be greater than the previous step's at_s (" + format_seconds(*at) +
                            " <= " + format_seconds(*previous) + ")",
                "steps are sorted by at_s, each starting a new rate");
      } else if (facts.run_for && *at >= *facts.run_for) {
        r.error("at_s",
                "must be < duration_s (" + format_seconds(*at) + " >= " + format_seconds(*facts.run_for) + ")");
      }
      previous = *at;
      out.push_back(rate_step{*at, *rate});
    });
  }
}

void build_dependency(const nlohmann::json& value, const std::string& path, error_sink& errors,
                      fakes::dependency_config& out) {
  read_object(errors, value, path, "dependency", [&](object_reader& r) {
    assign(out.capacity, r.integer("capacity"));
    assign(out.queue_max, r.integer("queue_max"));
    if (const auto* latency = r.child("latency")) build_latency(*latency, r.path_of("latency"), errors, out.latency);
    if (const auto* errs = r.child("errors")) {
      read_object(errors, *errs, r.path_of("errors"), "errors", [&](object_reader& e) {
        assign(out.errors.rate, e.number("rate"));
        assign(out.errors.status, e.integer("status"));
        assign(out.errors.latency_ms, e.number("latency_ms"));
      });
    }
    if (auto url = r.text("url")) {
      if (url->rfind("http://", 0) != 0 || url->size() <= 7) {
        r.error("url", "must be an http:// URL (got " + quote(*url) + ")",
                "e.g. \"url\": \"http://127.0.0.1:8080/\" (a `squall fake http` server, or your own service)");
      } else {
        out.url = std::move(*url);
      }
    }
  });
}

}  // namespace

void build_arrivals(const nlohmann::json& value, const std::string& path, error_sink& errors,
                    const scenario_facts& facts, arrivals_config& out) {
  read_object(errors, value, path, "arrivals", [&](object_reader& r) {
    const auto model = r.variant_as(names::arrival_models);
    if (!model) return;
    out.model = *model;
    if (*model == arrival_model::steps) {
      if (const auto* steps = r.child("steps")) build_steps(*steps, r.path_of("steps"), errors, facts, out.steps);
    } else {
      assign(out.rate_per_s, r.number("rate_per_s"));
    }
  });
}

void build_latency(const nlohmann::json& value, const std::string& path, error_sink& errors,
                   fakes::latency_config& out) {
  using fakes::latency_dist;
  read_object(errors, value, path, "latency", [&](object_reader& r) {
    const auto dist = r.variant_as(names::latency_dists);
    if (!dist) return;
    out.dist = *dist;
    switch (*dist) {
      case latency_dist::constant: assign(out.value_ms, r.number("value_ms")); break;
      case latency_dist::uniform: {
        const auto low = r.number("min_ms");
        const auto high = r.number("max_ms");
        if (low && high && *high < *low) {
          r.error("max_ms", "'max_ms' must be >= 'min_ms' (" + format_number(*high) + " < " +
                                format_number(*low) + ")");
        }
        assign(out.min_ms, low);
        assign(out.max_ms, high);
        break;
      }
      case latency_dist::exponential: assign(out.mean_ms, r.number("mean_ms")); break;
      case latency_dist::lognormal:
        assign(out.median_ms, r.number("median_ms"));
        assign(out.sigma, r.number("sigma"));
        break;
      case latency_dist::normal:
        assign(out.mean_ms, r.number("mean_ms"));
        assign(out.stddev_ms, r.number("stddev_ms"));
        break;
      case latency_dist::pareto:
        assign(out.scale_ms, r.number("scale_ms"));
        assign(out.shape, r.number("shape"));
        break;
    }
  });
}

void build_dependencies(const nlohmann::json& value, const std::string& path, error_sink& errors,
                        std::vector<fakes::dependency_config>& out, scenario_facts& facts) {
  if (value.empty()) {
    errors.add(path, "must name at least one dependency",
               "e.g. \"dependencies\": {\"api\": {\"capacity\": 64, \"latency\": {...}}}");
    return;
  }
  std::vector<std::string> names;
  // nlohmann keeps object keys sorted, so dependencies (and their indexes) are in name order.
  for (const auto& item : value.items()) {
    const std::string& name = item.key();
    names.push_back(name);
    if (!spec::matches(spec::dependency_name_rule, name)) {
      errors.add(path, "invalid dependency name " + quote(name), "use " + spec::describe(spec::dependency_name_rule));
    }
    fakes::dependency_config dep;
    dep.name = name;
    build_dependency(item.value(), path_key(path, name), errors, dep);
    out.push_back(std::move(dep));
  }
  facts.dependency_names = std::move(names);
}

void build_workload(const nlohmann::json& value, const std::string& path, error_sink& errors,
                    const scenario_facts& facts, workload_config& out) {
  read_object(errors, value, path, "workload", [&](object_reader& r) {
    if (const auto* arrivals = r.child("arrivals")) {
      build_arrivals(*arrivals, r.path_of("arrivals"), errors, facts, out.arrivals);
    }
    assign(out.workers, r.integer("workers"));
    assign(out.queue_max, r.integer("queue_max"));
    resolve_target(r, facts, out.target, out.target_index);
  });
}

void resolve_target(object_reader& r, const scenario_facts& facts, std::string& name, std::size_t& index) {
  resolve_target(r, facts, r.text("target"), name, index);
}

void resolve_target(object_reader& r, const scenario_facts& facts, const std::optional<std::string>& target,
                    std::string& name, std::size_t& index) {
  if (!facts.dependency_names) return;  // already reported: nothing to resolve against
  const auto& known = *facts.dependency_names;
  if (!target) {
    if (r.has("target")) return;  // wrong type, already reported
    if (known.size() == 1) {
      name = known.front();
      index = 0;
      return;
    }
    const std::vector<std::string_view> choices(known.begin(), known.end());
    r.error_here("missing required key 'target'",
                 "there are " + std::to_string(known.size()) + " dependencies; name one of: " + list_words(choices));
    return;
  }
  const auto it = std::find(known.begin(), known.end(), *target);
  if (it == known.end()) {
    const std::vector<std::string_view> choices(known.begin(), known.end());
    r.error("target", "no dependency named " + quote(*target), suggest(*target, choices, "dependencies"));
    return;
  }
  name = *target;
  index = static_cast<std::size_t>(it - known.begin());
}

}  // namespace squall::runner
