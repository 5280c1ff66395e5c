// The `duplicates` section for people: headline numbers and the explanation chains of duplicated keys.
#include "reports/render_duplicates.hpp"

#include <algorithm>
#include <array>
#include <string_view>
#include <utility>
#include <vector>

#include <fmt/format.h>

#include "reports/render_text.hpp"

namespace squall::reports::detail {

using json = nlohmann::json;

namespace {

constexpr std::size_t markdown_examples_max = 3;
constexpr std::size_t html_examples_max = 20;
constexpr const char* chain_sentence =
    "Each chain lists the events that touched the key before its second application, with global markers like "
    "store restarts and pauses";

// The headline numbers, shared by both renderers so they always agree.
std::vector<std::pair<std::string, std::string>> headline_rows(const json& d) {
  const auto v = [&](std::string_view path) { return display(at_path(d, path)); };
  std::string stall = v("stale_lock_stall_s");
  if (stall != "–") stall += " s";
  return {
      {"effects applied / duplicated", v("effects_applied") + " / " + v("effects_duplicated")},
      {"keys affected", v("keys_affected")},
      {"lock overlaps / overlap effects", v("lock_overlaps") + " / " + v("overlap_effects")},
      {"fencing rejections", v("fencing_rejections")},
      {"fencing token regressions (store lost its counter)", v("fencing_token_regressions")},
      {"stale-lock stall", stall},
      {"deliveries / redeliveries", v("deliveries") + " / " + v("redeliveries")},
      {"DLQ total (max deliveries / permanent)",
       v("dlq.total") + " (" + v("dlq.by_cause.max_deliveries") + " / " + v("dlq.by_cause.permanent") + ")"},
      {"idempotency skips", v("idempotency_skips")},
  };
}

std::string time_of(const json& entry) {
  const json t = entry.value("t_ns", json());
  return t.is_number_integer() ? seconds_3(t.get<std::int64_t>()) + " s" : "–";
}

bool is_marker(const std::string& type) {
  return type == "store_restart" || type == "process_pause" || type == "worker_crash" || type == "clock_jump";
}

// The fields that say what an entry did, salient ones first: "req=41 attempt=2", "ttl=10.000s".
// Fields ending in _ns are shown in seconds without the suffix.
std::string details(const json& entry) {
  static constexpr std::array<std::string_view, 11> first = {"req",         "attempt",   "token",  "outcome",
                                                             "cause",       "ttl_ns",    "valid_until_ns",
                                                             "downtime_ns", "data_lost", "pause_ns",
                                                             "jump_ns"};
  static constexpr std::array<std::string_view, 4> skip = {"t_ns", "seq", "type", "proc"};
  std::vector<std::string> names(first.begin(), first.end());
  for (const auto& [name, _] : entry.items()) {
    if (std::find(first.begin(), first.end(), name) == first.end() &&
        std::find(skip.begin(), skip.end(), name) == skip.end()) {
      names.push_back(name);
    }
  }
  std::string out;
  for (const std::string& name : names) {
    const auto it = entry.find(name);
    if (it == entry.end()) continue;
    if (!out.empty()) out += ' ';
    const bool ns = name.size() > 3 && name.ends_with("_ns") && it->is_number_integer();
    if (ns) {
      out += name.substr(0, name.size() - 3) + "=" + seconds_3(it->get<std::int64_t>()) + "s";
    } else {
      out += name + "=" + display(*it);
    }
  }
  return out;
}

std::string seconds_field(const json& example, const char* name) {
  const json v = example.value(name, json());
  return v.is_number() ? fmt::format("{:.3f} s", v.get<double>()) : "–";
}

// "key 7: applied 3 times, first at 2.000 s, second at 5.000 s"
std::string example_title(const json& example, const std::string& key_prefix, const std::string& key_suffix) {
  return fmt::format("{}key {}{}: applied {} times, first at {}, second at {}", key_prefix,
                     display(example.value("key", json())), key_suffix,
                     display(example.value("applications", json())), seconds_field(example, "first_applied_s"),
                     seconds_field(example, "second_applied_s"));
}

// "(2 more in report.json)"; with examples_truncated also how many keys report.json leaves out.
std::string more_note(const json& d, std::size_t shown) {
  const json& examples = at_path(d, "examples");
  const std::size_t listed = examples.is_array() ? examples.size() : 0;
  std::string note;
  if (listed > shown) note = fmt::format("{} more in report.json", listed - shown);
  if (at_path(d, "examples_truncated") == true) {
    if (!note.empty()) note += "; ";
    note += fmt::format("{} keys were duplicated, report.json lists the {} smallest",
                        display(at_path(d, "keys_affected")), listed);
  }
  return note.empty() ? note : "(" + note + ")";
}

std::string chain_markdown(const json& example) {
  std::string out = example_title(example, "**", "**");
  if (example.value("chain_truncated", false)) out += " (older events dropped)";
  out += "\n\n";
  const json& chain = at_path(example, "chain");
  if (!chain.is_array()) return out;
  for (const json& entry : chain) {
    std::string line = "- " + time_of(entry);
    const std::string proc = entry.value("proc", std::string());
    if (!proc.empty()) line += " " + escape_md_cell(proc);
    line += " " + md_code(entry.value("type", std::string("?")));
    const std::string more = details(entry);
    if (!more.empty()) line += " " + escape_md_cell(more);
    out += line + "\n";
  }
  return out + "\n";
}

std::string chain_html(const json& example) {
  std::string out = "<h3>" + escape_xml(example_title(example, "", "")) + "</h3>\n";
  if (example.value("chain_truncated", false)) {
    out += "<p class=\"note\">Older events or markers of this chain were dropped.</p>\n";
  }
  out += "<table class=\"chain\">\n<tr><th>time</th><th>proc</th><th>event</th><th>details</th></tr>\n";
  const json& chain = at_path(example, "chain");
  if (chain.is_array()) {
    for (const json& entry : chain) {
      const std::string type = entry.value("type", std::string("?"));
      const bool applied = type == "effect" && entry.value("outcome", std::string()) == "applied";
      const char* cls = applied ? " class=\"effect\"" : is_marker(type) ? " class=\"marker\"" : "";
      out += fmt::format("<tr{}><td class=\"num\">{}</td><td>{}</td><td><code>{}</code></td><td>{}</td></tr>\n", cls,
                         escape_xml(time_of(entry)), escape_xml(entry.value("proc", std::string())),
                         escape_xml(type), escape_xml(details(entry)));
    }
  }
  return out + "</table>\n";
}

}  // namespace

std::string seconds_3(std::int64_t ns) {
  const bool negative = ns < 0;
  // Magnitude in unsigned arithmetic, so INT64_MIN does not overflow.
  const std::uint64_t mag = negative ? ~static_cast<std::uint64_t>(ns) + 1 : static_cast<std::uint64_t>(ns);
  const std::uint64_t ms = (mag + 500'000) / 1'000'000;
  if (ms == 0) return "0.000";
  return fmt::format("{}{}.{:03}", negative ? "-" : "", ms / 1000, ms % 1000);
}

std::string duplicates_markdown(const json& report) {
  const json& d = at_path(report, "duplicates");
  if (!d.is_object()) return "";
  std::string out = "\n#### Duplicates\n\n";
  if (d.contains("unknown")) return out + "unknown: " + escape_md_cell(display(d["unknown"])) + "\n";
  out += "| duplicates | value |\n|---|---|\n";
  for (const auto& [label, value] : headline_rows(d)) out += fmt::format("| {} | {} |\n", label, value);
  const json& examples = at_path(d, "examples");
  if (!examples.is_array() || examples.empty()) return out;
  out += fmt::format("\n{}.\n\n", chain_sentence);
  const std::size_t shown = std::min(examples.size(), markdown_examples_max);
  for (std::size_t i = 0; i < shown; ++i) out += chain_markdown(examples[i]);
  const std::string note = more_note(d, shown);
  if (!note.empty()) out += note + "\n";
  return out;
}

std::string duplicates_html(const json& report) {
  const json& d = at_path(report, "duplicates");
  if (!d.is_object()) return "";
  std::string out = "<section>\n<h2>Duplicates</h2>\n";
  if (d.contains("unknown")) return out + "<p>unknown: " + escape_xml(display(d["unknown"])) + "</p>\n</section>\n";
  out += "<table>\n";
  for (const auto& [label, value] : headline_rows(d)) {
    out += fmt::format("<tr><td>{}</td><td class=\"num\">{}</td></tr>\n", escape_xml(label), escape_xml(value));
  }
  out += "</table>\n";
  const json& examples = at_path(d, "examples");
  if (examples.is_array() && !examples.empty()) {
    out += fmt::format("<p>{} (markers in grey, applied effects highlighted).</p>\n", chain_sentence);
    const std::size_t shown = std::min(examples.size(), html_examples_max);
    for (std::size_t i = 0; i < shown; ++i) out += chain_html(examples[i]);
    const std::string note = more_note(d, shown);
    if (!note.empty()) out += "<p class=\"note\">" + escape_xml(note) + "</p>\n";
  }
  return out + "</section>\n";
}

}  // namespace squall::reports::detail
