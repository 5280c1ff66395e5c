#pragma once
// Gates: tiny expressions over report fields, `path op number` with op in < <= > >= == != (k6-style thresholds).
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "history/event.hpp"

namespace squall::reports {

enum class gate_op { lt, le, gt, ge, eq, ne };

struct gate {
  std::string expr;   // as written
  std::string path;   // dotted path into report.json, e.g. "latency_ms.p99" or "breaker.by_kind.closed->open"
  gate_op op = gate_op::lt;
  double threshold = 0;
};

struct gate_parse {
  std::optional<gate> value;
  std::string error;  // set when value is empty: what is wrong and how to write it
};

gate_parse parse_gate(const std::string& expr);

// Whether `path` names a numeric field every report has (used to reject typos in gates at validation time).
// Boolean fields (recovery.recovered, recovery.metastable) count as numeric: a gate reads them as 1 / 0.
bool is_known_metric(const std::string& path);

// Every path is_known_metric accepts, in report order (also what aggregate_seeds summarises).
const std::vector<std::string>& known_metrics();

// The metrics of the scenario's shadow candidates: `candidates.<name>.breaker.flaps_per_hour` and the like, only
// those of the mechanisms each candidate has (a candidate without a budget has no `budget.would_deny`).
std::vector<std::string> candidate_metrics(const std::vector<history::candidate_info>& candidates);
// is_known_metric, or one of candidate_metrics(candidates).
bool is_known_metric(const std::string& path, const std::vector<history::candidate_info>& candidates);

// "<", "<=", ... as written in an expression.
const char* to_string(gate_op op);

// Whether `value op threshold` holds.
bool compare(double value, gate_op op, double threshold);

// The number at a dotted path of a report (booleans read as 1 / 0); empty when missing or not a number.
std::optional<double> lookup_metric(const nlohmann::json& report, const std::string& path);

struct gate_result {
  std::string expr;
  std::optional<double> value;  // empty when the field is missing or not a number: the gate is unknown
  bool passed = false;          // false when unknown
  std::string error;            // why the value is empty (parse error or missing field), "" otherwise
  // The metric exists but has no value in this run (JSON null: recovery.seconds when it never recovered,
  // latency of a run without a success). Such a gate fails; it is not unknown.
  bool no_value = false;
};

// Whether a gate row of report.json is unknown (its value could not be read: a checker error or a missing
// field), as opposed to failed for want of a value (`no_value`).
bool gate_is_unknown(const nlohmann::json& gate_row);

std::vector<gate_result> evaluate_gates(const nlohmann::json& report, const std::vector<std::string>& exprs);

}  // namespace squall::reports
