#include "reports/render_tune.hpp"

#include <algorithm>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "reports/render_tune_parts.hpp"

namespace squall::reports {

using namespace detail::tune_parts;
using json = nlohmann::json;

namespace {

// Characters on screen: UTF-8 bytes that start a code point ("–" is one).
std::size_t screen_width(const std::string& s) {
  return static_cast<std::size_t>(std::count_if(s.begin(), s.end(), [](char c) { return (static_cast<unsigned char>(c) & 0xC0) != 0x80; }));
}

std::string text_table(const std::vector<std::vector<std::string>>& rows) {
  std::vector<std::size_t> widths;
  for (const auto& row : rows) {
    widths.resize(std::max(widths.size(), row.size()), 0);
    for (std::size_t i = 0; i < row.size(); ++i) widths[i] = std::max(widths[i], screen_width(row[i]));
  }
  std::string out;
  for (const auto& row : rows) {
    std::string line;
    for (std::size_t i = 0; i < row.size(); ++i) {
      line += row[i];
      if (i + 1 < row.size()) line += std::string(widths[i] - screen_width(row[i]) + 2, ' ');
    }
    while (!line.empty() && line.back() == ' ') line.pop_back();
    out += line + "\n";
  }
  return out;
}

}  // namespace

std::string render_tune_text(const json& tune) {
  std::string out = fmt::format("squall tune: {}: {}\n", str(tune, "scenario"), scope_text(tune));
  std::vector<std::vector<std::string>> rows{header_cells(tune)};
  for (const json* c : ranked(tune)) {
    if (skipped(*c)) continue;
    if (rows.size() > top_rows) break;
    rows.push_back(row_cells(tune, *c));
  }
  out += text_table(rows);
  const std::size_t ran = ran_count(tune);
  out += fmt::format("{}metric columns: mean over the tuning seeds; all gates: seeds passing every gate; * on the "
                     "Pareto front ({}); <floor: below the goodput floor\n",
                     ran > top_rows ? fmt::format("top {} of {} candidates. ", top_rows, ran) : "", objectives_text(tune));
  out += skipped_text(tune, false);
  out += "\n";
  const json& choice = choice_of(tune);
  if (!get(tune, "recommendation").is_object()) out += "No candidate passes every gate in every tuning seed.\n";
  if (choice.is_object()) {
    out += choice_heading(tune, choice) + "\n";
    out += fmt::format("  paste after `squall run {}`:\n    {}\n", str(tune, "file"), str(choice, "set_flags"));
    out += fmt::format("  or into the scenario:\n    {}\n", get(choice, "snippet").dump());
  }
  if (get(tune, "recommendation").is_object()) out += holdout_text(tune) + "\n";
  if (const std::string f = floor_text(tune); !f.empty()) out += f + "\n";
  return out;
}

}  // namespace squall::reports
