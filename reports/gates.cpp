#include "reports/gates.hpp"

#include <algorithm>
#include <charconv>
#include <cstddef>
#include <string_view>

namespace squall::reports {
namespace {

constexpr const char* usage = "expected `path op number`, e.g. `retry_amplification.overall < 1.5`";

bool is_space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }
bool is_word(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
}
bool is_digit(char c) { return c >= '0' && c <= '9'; }

gate_parse failure(std::string message) { return gate_parse{std::nullopt, std::move(message)}; }

// A path is dotted segments of [A-Za-z0-9_] words joined by `->` inside a segment ("by_kind.closed->open").
// Reads it from `pos`; returns the error text, or "" on success.
std::string scan_path(std::string_view s, std::size_t& pos) {
  const std::size_t begin = pos;
  bool segment_has_word = false;
  while (pos < s.size()) {
    const char c = s[pos];
    if (is_word(c)) {
      segment_has_word = true;
      ++pos;
    } else if (c == '.') {
      if (!segment_has_word) return "empty path segment at column " + std::to_string(pos + 1);
      segment_has_word = false;
      ++pos;
    } else if (c == '-' && pos + 1 < s.size() && s[pos + 1] == '>') {
      // `->` joins two words inside one segment; it must sit between words.
      if (pos == begin || !is_word(s[pos - 1]) || pos + 2 >= s.size() || !is_word(s[pos + 2])) {
        return "`->` must join two words in a path segment (e.g. `breaker.by_kind.closed->open`)";
      }
      pos += 2;
    } else if (c == '-') {
      // Candidate names may hold '-': `candidates.fast-open.breaker.flaps`.
      segment_has_word = true;
      ++pos;
    } else {
      break;
    }
  }
  if (pos == begin) return "missing path";
  if (!segment_has_word) return "path ends with `.`";
  return "";
}

// Two-character operators first so `<=` is not read as `<`.
bool scan_op(std::string_view s, std::size_t& pos, gate_op& op) {
  const std::string_view rest = s.substr(pos);
  struct entry {
    std::string_view text;
    gate_op op;
  };
  static constexpr entry ops[] = {{"<=", gate_op::le}, {">=", gate_op::ge}, {"==", gate_op::eq},
                                  {"!=", gate_op::ne}, {"<", gate_op::lt},  {">", gate_op::gt}};
  for (const entry& e : ops) {
    if (rest.substr(0, e.text.size()) == e.text) {
      op = e.op;
      pos += e.text.size();
      return true;
    }
  }
  return false;
}

// JSON number grammar: -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)? ; no leading '+', no hex, no inf/nan.
bool scan_json_number(std::string_view s, std::size_t& pos) {
  std::size_t p = pos;
  if (p < s.size() && s[p] == '-') ++p;
  if (p >= s.size() || !is_digit(s[p])) return false;
  if (s[p] == '0') {
    ++p;
  } else {
    while (p < s.size() && is_digit(s[p])) ++p;
  }
  if (p < s.size() && s[p] == '.') {
    ++p;
    if (p >= s.size() || !is_digit(s[p])) return false;
    while (p < s.size() && is_digit(s[p])) ++p;
  }
  if (p < s.size() && (s[p] == 'e' || s[p] == 'E')) {
    ++p;
    if (p < s.size() && (s[p] == '+' || s[p] == '-')) ++p;
    if (p >= s.size() || !is_digit(s[p])) return false;
    while (p < s.size() && is_digit(s[p])) ++p;
  }
  pos = p;
  return true;
}

void skip_space(std::string_view s, std::size_t& pos) {
  while (pos < s.size() && is_space(s[pos])) ++pos;
}

// The numeric fields of report.json (docs/report-format.md). Kept as one static list so scenario validation,
// gates and seed aggregation agree on what a metric is.
std::vector<std::string> make_known_metrics() {
  std::vector<std::string> m;
  for (const char* f : {"originals", "attempts", "succeeded", "failed", "indeterminate", "rejected_open",
                        "gave_up_attempts", "gave_up_budget", "permanent", "queue_full", "timeouts", "resets",
                        "connect_failures", "retries", "unfinished"}) {
    m.push_back(std::string("requests.") + f);
  }
  for (const char* f : {"overall", "admitted", "window_s", "window_max"}) {
    m.push_back(std::string("retry_amplification.") + f);
  }
  const char* kinds[] = {"closed->open", "open->half_open", "half_open->closed", "half_open->open"};
  for (const std::string prefix : {"breaker.", "breaker.shadow."}) {
    m.push_back(prefix + "transitions");
    for (const char* k : kinds) m.push_back(prefix + "by_kind." + k);
    m.push_back(prefix + "flaps");
    m.push_back(prefix + "flaps_per_hour");
    m.push_back(prefix + "time_open_s");
    m.push_back(prefix + (prefix == "breaker." ? "rejected" : "would_reject"));
  }
  m.push_back("budget.denied");
  m.push_back("budget.shadow_would_deny");
  for (const char* f : {"p50", "p90", "p99", "p999", "max", "mean", "count"}) {
    m.push_back(std::string("latency_ms.") + f);
  }
  m.push_back("goodput.ratio");
  m.push_back("goodput.pre_fault_ratio");
  for (const char* f : {"last_fault_end_s", "pre_fault_goodput", "seconds", "recovered", "metastable"}) {
    m.push_back(std::string("recovery.") + f);
  }
  // Present only in runs with queue, lock or ledger events (a gate on them elsewhere has no value).
  for (const char* f : {"effects_applied", "effects_duplicated", "keys_affected", "fencing_rejections",
                        "fencing_token_regressions", "lock_overlaps", "overlap_effects", "deliveries", "redeliveries", "dlq.total",
                        "dlq.by_cause.max_deliveries", "dlq.by_cause.permanent", "idempotency_skips",
                        "stale_lock_stall_s"}) {
    m.push_back(std::string("duplicates.") + f);
  }
  return m;
}

// The numeric fields of one candidate in report.json's `candidates` section, below `candidates.<name>.`.
std::vector<std::string> candidate_fields(const history::candidate_info& c) {
  std::vector<std::string> m;
  if (c.breaker) {
    m.push_back("breaker.would_reject");
    m.push_back("breaker.transitions");
    for (const char* k : {"closed->open", "open->half_open", "half_open->closed", "half_open->open"}) {
      m.push_back(std::string("breaker.by_kind.") + k);
    }
    for (const char* f : {"flaps", "flaps_per_hour", "time_open_s"}) m.push_back(std::string("breaker.") + f);
  }
  if (c.budget) m.push_back("budget.would_deny");
  if (c.breaker) {
    m.push_back("agreement.breaker");
    m.push_back("agreement.breaker_decisions");
  }
  if (c.budget) {
    m.push_back("agreement.budget");
    m.push_back("agreement.budget_decisions");
  }
  return m;
}

}  // namespace

std::vector<std::string> candidate_metrics(const std::vector<history::candidate_info>& candidates) {
  std::vector<std::string> m;
  for (const history::candidate_info& c : candidates) {
    for (const std::string& f : candidate_fields(c)) m.push_back("candidates." + c.name + "." + f);
  }
  return m;
}

bool is_known_metric(const std::string& path, const std::vector<history::candidate_info>& candidates) {
  if (is_known_metric(path)) return true;
  if (path.rfind("candidates.", 0) != 0) return false;
  const auto m = candidate_metrics(candidates);
  return std::find(m.begin(), m.end(), path) != m.end();
}

const std::vector<std::string>& known_metrics() {
  static const std::vector<std::string> metrics = make_known_metrics();
  return metrics;
}

bool is_known_metric(const std::string& path) {
  const auto& m = known_metrics();
  return std::find(m.begin(), m.end(), path) != m.end();
}

const char* to_string(gate_op op) {
  switch (op) {
    case gate_op::lt: return "<";
    case gate_op::le: return "<=";
    case gate_op::gt: return ">";
    case gate_op::ge: return ">=";
    case gate_op::eq: return "==";
    case gate_op::ne: return "!=";
  }
  return "?";
}

bool compare(double value, gate_op op, double threshold) {
  switch (op) {
    case gate_op::lt: return value < threshold;
    case gate_op::le: return value <= threshold;
    case gate_op::gt: return value > threshold;
    case gate_op::ge: return value >= threshold;
    case gate_op::eq: return value == threshold;
    case gate_op::ne: return value != threshold;
  }
  return false;
}

gate_parse parse_gate(const std::string& expr) {
  const std::string_view s(expr);
  std::size_t pos = 0;
  skip_space(s, pos);
  if (pos == s.size()) return failure(std::string("empty gate: ") + usage);

  gate g;
  g.expr = expr;
  const std::size_t path_begin = pos;
  if (std::string err = scan_path(s, pos); !err.empty()) return failure(err + "; " + usage);
  g.path = std::string(s.substr(path_begin, pos - path_begin));

  skip_space(s, pos);
  if (pos == s.size()) return failure("missing operator after `" + g.path + "`; " + usage);
  if (!scan_op(s, pos, g.op)) {
    return failure("unexpected `" + std::string(1, s[pos]) + "` at column " + std::to_string(pos + 1) +
                   ": operator must be one of < <= > >= == !=; " + usage);
  }

  skip_space(s, pos);
  if (pos == s.size()) return failure(std::string("missing number after `") + to_string(g.op) + "`; " + usage);
  const std::size_t number_begin = pos;
  if (!scan_json_number(s, pos)) {
    return failure("not a number at column " + std::to_string(number_begin + 1) +
                   " (write a JSON number such as 0.95, 800 or 1e3); " + usage);
  }
  const std::string_view number = s.substr(number_begin, pos - number_begin);
  const auto [end, ec] = std::from_chars(number.data(), number.data() + number.size(), g.threshold);
  if (ec != std::errc() || end != number.data() + number.size()) {
    return failure("number out of range: `" + std::string(number) + "`");
  }

  skip_space(s, pos);
  if (pos != s.size()) {
    return failure("unexpected text after the number at column " + std::to_string(pos + 1) + ": `" +
                   std::string(s.substr(pos)) + "`; " + usage);
  }
  return gate_parse{std::move(g), ""};
}

std::optional<double> lookup_metric(const nlohmann::json& report, const std::string& path) {
  const nlohmann::json* node = &report;
  std::size_t begin = 0;
  while (true) {
    const std::size_t dot = path.find('.', begin);
    const std::string key = path.substr(begin, dot == std::string::npos ? std::string::npos : dot - begin);
    if (!node->is_object()) return std::nullopt;
    const auto it = node->find(key);
    if (it == node->end()) return std::nullopt;
    node = &*it;
    if (dot == std::string::npos) break;
    begin = dot + 1;
  }
  if (node->is_boolean()) return node->get<bool>() ? 1.0 : 0.0;
  if (node->is_number()) return node->get<double>();
  return std::nullopt;
}

// True when the dotted path exists in the report and holds null (a metric with no value in this run).
static bool is_null_field(const nlohmann::json& report, const std::string& path) {
  const nlohmann::json* node = &report;
  std::size_t begin = 0;
  while (true) {
    const std::size_t dot = path.find('.', begin);
    if (!node->is_object()) return false;
    const auto it = node->find(path.substr(begin, dot == std::string::npos ? std::string::npos : dot - begin));
    if (it == node->end()) return false;
    node = &*it;
    if (dot == std::string::npos) return node->is_null();
    begin = dot + 1;
  }
}

bool gate_is_unknown(const nlohmann::json& gate_row) {
  return !gate_row.value("value", nlohmann::json()).is_number() && !gate_row.value("no_value", false);
}

std::vector<gate_result> evaluate_gates(const nlohmann::json& report, const std::vector<std::string>& exprs) {
  std::vector<gate_result> results;
  results.reserve(exprs.size());
  for (const std::string& expr : exprs) {
    gate_result r;
    r.expr = expr;
    const gate_parse parsed = parse_gate(expr);
    if (!parsed.value) {
      r.error = parsed.error;
    } else if (const auto value = lookup_metric(report, parsed.value->path)) {
      r.value = *value;
      r.passed = compare(*value, parsed.value->op, parsed.value->threshold);
    } else if (is_null_field(report, parsed.value->path)) {
      r.no_value = true;
      r.error = "`" + parsed.value->path + "` has no value in this run";
    } else {
      r.error = "no numeric value at `" + parsed.value->path + "` in this report";
    }
    results.push_back(std::move(r));
  }
  return results;
}

}  // namespace squall::reports
