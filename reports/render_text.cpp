#include "reports/render_text.hpp"

#include <cmath>

#include <fmt/format.h>

namespace squall::reports::detail {

std::string escape_xml(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (const char c : s) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&apos;"; break;
      default:
        if (static_cast<unsigned char>(c) < 0x20 && c != '\t' && c != '\n' && c != '\r') break;
        out += c;
    }
  }
  return out;
}

std::string escape_md_cell(std::string_view s) {
  // Free text must not turn into HTML or table structure when GitHub renders it.
  std::string out;
  for (const char c : s) {
    switch (c) {
      case '|': out += "\\|"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '&': out += "&amp;"; break;
      case '\n':
      case '\r': out += ' '; break;
      default: out += c;
    }
  }
  return out;
}

std::string md_code(std::string_view s) {
  // Inside a code span entities are not decoded, so only backticks, pipes and newlines need care.
  std::string out = "`";
  for (const char c : s) {
    switch (c) {
      case '`': out += '\''; break;
      case '|': out += "\\|"; break;
      case '\n':
      case '\r': out += ' '; break;
      default: out += c;
    }
  }
  out += '`';
  return out;
}

std::string display(const nlohmann::json& v) {
  if (v.is_number_unsigned()) return std::to_string(v.get<std::uint64_t>());
  if (v.is_number_integer()) return std::to_string(v.get<std::int64_t>());
  if (v.is_number_float()) {
    const double x = v.get<double>();
    if (std::fabs(x) >= 1000) return fmt::format("{:.0f}", x);
    return fmt::format("{:.4g}", x);
  }
  if (v.is_boolean()) return v.get<bool>() ? "true" : "false";
  if (v.is_string()) return v.get<std::string>();
  return "–";
}

const nlohmann::json& at_path(const nlohmann::json& report, std::string_view path) {
  static const nlohmann::json null_value;
  const nlohmann::json* node = &report;
  while (!path.empty()) {
    const std::size_t dot = path.find('.');
    const std::string key(path.substr(0, dot));
    if (!node->is_object()) return null_value;
    const auto it = node->find(key);
    if (it == node->end()) return null_value;
    node = &*it;
    path = dot == std::string_view::npos ? std::string_view() : path.substr(dot + 1);
  }
  return *node;
}

const nlohmann::json& member(const nlohmann::json& j, std::string_view key) {
  static const nlohmann::json null_value;
  if (!j.is_object()) return null_value;
  const auto it = j.find(key);
  return it == j.end() ? null_value : *it;
}

std::string member_text(const nlohmann::json& j, std::string_view key) {
  const nlohmann::json& v = member(j, key);
  return v.is_string() ? v.get<std::string>() : display(v);
}

std::string verdict_badge(const nlohmann::json& report) {
  const std::string verdict = report.value("verdict", "unknown");
  const bool expect_fail = report.value("expect", "pass") == "fail";
  if (verdict == "unknown") return "❔ unknown";
  if (expect_fail) return verdict == "fail" ? "✅ expected fail" : "❌ unexpected pass";
  return verdict == "pass" ? "✅ pass" : "❌ fail";
}

std::string recovery_text(const nlohmann::json& report) {
  const nlohmann::json& r = at_path(report, "recovery");
  if (!r.is_object() || r.contains("unknown")) return "–";
  if (!r.value("applicable", false)) return "n/a";
  if (!r.value("recovered", false)) return "metastable";
  return display(r.value("seconds", nlohmann::json())) + " s";
}

bool jobs_only(const nlohmann::json& report) {
  const nlohmann::json& originals = at_path(report, "requests.originals");
  return report.contains("duplicates") && originals.is_number() && originals.get<double>() == 0;
}

}  // namespace squall::reports::detail
