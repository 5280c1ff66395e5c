#include "reports/report_builder.hpp"

#include <exception>
#include <functional>
#include <stdexcept>
#include <string>

#include "reports/breaker_checker.hpp"
#include "reports/candidates_checker.hpp"
#include "reports/duplicates_checker.hpp"
#include "reports/gates.hpp"
#include "reports/json_number.hpp"
#include "reports/render_text.hpp"
#include "reports/request_checker.hpp"
#include "reports/window_checker.hpp"

namespace squall::reports {

namespace {
using json = nlohmann::json;

// A checker with the reason it stopped, if it threw: it is fed no more events and its sections become unknown.
template <typename Checker>
struct guarded {
  Checker checker;
  std::string error;

  void feed(const history::event& e) {
    if (!error.empty()) return;
    try {
      checker.on_event(e);
    } catch (const std::exception& ex) {
      error = ex.what();
      if (error.empty()) error = "checker failed";
    }
  }
};
}  // namespace

struct report_builder::checkers {
  explicit checkers(const history::header& h)
      : windows{window_checker(h), {}},
        breaker{breaker_checker(h, false), {}},
        shadow{breaker_checker(h, true), {}},
        duplicates{duplicates_checker(h), {}},
        candidates{candidates_checker(h), {}} {}

  request_checker requests;  // integer counters only: cannot throw
  guarded<window_checker> windows;
  guarded<breaker_checker> breaker;
  guarded<breaker_checker> shadow;
  guarded<duplicates_checker> duplicates;  // queue, lock and ledger events only
  guarded<candidates_checker> candidates;  // every event, when the header lists shadow candidates
  bool finished = false;
};

report_builder::report_builder(history::header header)
    : header_(std::move(header)),
      checkers_(std::make_unique<checkers>(header_)),
      has_candidates_(!header_.candidates.empty()) {}

report_builder::~report_builder() = default;

bool report_builder::route_candidates(const history::event& e) {
  checkers& c = *checkers_;
  if (!has_candidates_) {
    if (c.candidates.error.empty()) {
      c.candidates.error = "an event names candidate #" + std::to_string(e.candidate) + " but the header lists none";
    }
    return false;
  }
  c.candidates.feed(e);
  // A candidate's decisions are its own: the enforced policy's sections never see them.
  return e.candidate == 0;
}

void report_builder::on_event(const history::event& e) {
  if ((has_candidates_ || e.candidate != 0) && !route_candidates(e)) return;
  checkers& c = *checkers_;
  c.requests.on_event(e);
  c.windows.feed(e);
  if (e.type == history::event_type::breaker || e.type == history::event_type::breaker_reject) {
    c.breaker.feed(e);
    c.shadow.feed(e);
  }
  if (e.type >= history::event_type::delivery) c.duplicates.feed(e);
}

namespace {

// Builds one section; a checker that failed earlier or throws now yields {"unknown": reason} instead.
void section(json& report, json& errors, const std::string& name, const std::string& earlier_error,
             const std::function<json()>& build) {
  std::string reason = earlier_error;
  if (reason.empty()) {
    try {
      report[name] = build();
      return;
    } catch (const std::exception& ex) {
      reason = ex.what();
      if (reason.empty()) reason = "checker failed";
    }
  }
  report[name] = {{"unknown", reason}};
  errors.push_back({{"section", name}, {"reason", reason}});
}

json faults_json(const history::header& h) {
  json faults = json::array();
  for (const history::fault_info& f : h.faults) {
    faults.push_back({{"kind", f.kind},
                      {"target", f.target},
                      {"from_s", seconds_from_ns(f.from_ns)},
                      {"to_s", seconds_from_ns(f.to_ns)}});
  }
  return faults;
}

}  // namespace

nlohmann::json report_builder::finish() {
  checkers& c = *checkers_;
  if (c.finished) throw std::logic_error("report_builder::finish called twice");
  c.finished = true;

  // Closing folds may throw too; that makes their sections unknown, not the run crash.
  const auto close = [](auto& g) {
    if (!g.error.empty()) return;
    try {
      g.checker.finish();
    } catch (const std::exception& ex) {
      g.error = ex.what();
      if (g.error.empty()) g.error = "checker failed";
    }
  };
  close(c.windows);
  close(c.breaker);
  close(c.shadow);
  close(c.duplicates);
  close(c.candidates);

  json report;
  json errors = json::array();
  report["schema"] = 1;
  report["scenario"] = header_.scenario;
  report["description"] = header_.description;
  report["seed"] = header_.seed;
  report["duration_s"] = seconds_from_ns(header_.duration_ns);
  report["expect"] = header_.expect;
  report["repro"] = header_.repro;
  report["faults"] = faults_json(header_);

  section(report, errors, "requests", "", [&] { return c.requests.requests_json(); });
  section(report, errors, "retry_amplification", c.windows.error, [&] {
    json j = c.requests.amplification_json();
    j.update(c.windows.checker.amplification_json());
    return j;
  });
  section(report, errors, "breaker", c.breaker.error, [&] {
    json j = c.breaker.checker.to_json();
    if (c.shadow.error.empty()) {
      j["shadow"] = c.shadow.checker.to_json();
    } else {
      j["shadow"] = {{"unknown", c.shadow.error}};
      errors.push_back({{"section", "breaker.shadow"}, {"reason", c.shadow.error}});
    }
    return j;
  });
  section(report, errors, "budget", "", [&] { return c.requests.budget_json(); });
  section(report, errors, "latency_ms", "", [&] { return c.requests.latency_json(); });
  section(report, errors, "goodput", c.windows.error, [&] {
    return json{{"ratio", c.requests.goodput_ratio_json()},
                {"pre_fault_ratio", c.windows.checker.pre_fault_ratio_json()}};
  });
  section(report, errors, "recovery", c.windows.error, [&] { return c.windows.checker.recovery_json(); });
  // Only histories with queue, lock or ledger events get the section: HTTP-only reports keep their bytes.
  if (!c.duplicates.error.empty() || c.duplicates.checker.present()) {
    section(report, errors, "duplicates", c.duplicates.error, [&] { return c.duplicates.checker.to_json(); });
  }
  // Only scenarios with shadow candidates get the section (and a history naming a candidate without a header
  // entry gets it as unknown).
  if (!c.candidates.error.empty() || c.candidates.checker.present()) {
    section(report, errors, "candidates", c.candidates.error, [&] { return c.candidates.checker.to_json(); });
  }
  report["checker_errors"] = std::move(errors);

  // Gates read the finished report, so `squall check` and a live run judge the same numbers.
  const std::vector<gate_result> results = evaluate_gates(report, header_.gates);
  json gates = json::array();
  bool any_unknown = false;
  bool any_failed = false;
  for (const gate_result& r : results) {
    json g = {{"expr", r.expr}, {"passed", r.passed}};
    g["value"] = r.value ? json(*r.value) : json(nullptr);
    // Echo the field as the report prints it, so a count stays an integer (booleans stay 1 / 0).
    if (const auto parsed = parse_gate(r.expr); r.value && parsed.value) {
      const json& field = detail::at_path(report, parsed.value->path);
      if (field.is_number()) g["value"] = field;
    }
    if (!r.value) g["error"] = r.error;
    if (r.no_value) g["no_value"] = true;
    any_unknown = any_unknown || (!r.value && !r.no_value);
    any_failed = any_failed || ((r.value || r.no_value) && !r.passed);
    gates.push_back(std::move(g));
  }
  report["gates"] = std::move(gates);
  report["verdict"] = any_unknown ? "unknown" : any_failed ? "fail" : "pass";
  return report;
}

}  // namespace squall::reports
