#include "reports/render_tune.hpp"

#include <algorithm>
#include <string>

#include <fmt/format.h>

#include "reports/render_text.hpp"
#include "reports/render_tune_parts.hpp"

namespace squall::reports {

using namespace detail::tune_parts;
using detail::escape_md_cell;
using json = nlohmann::json;

namespace {

std::string markdown_table(const json& tune, std::size_t rows_max) {
  const auto header = header_cells(tune);
  std::string out = "|";
  for (const std::string& h : header) out += " " + escape_md_cell(h) + " |";
  out += "\n|";
  for (std::size_t i = 0; i < header.size(); ++i) out += "---|";
  out += "\n";
  std::size_t n = 0;
  for (const json* c : ranked(tune)) {
    if (skipped(*c) || n++ == rows_max) continue;
    out += "|";
    for (const std::string& cell : row_cells(tune, *c)) out += " " + escape_md_cell(cell) + " |";
    out += "\n";
  }
  return out;
}

}  // namespace

std::string render_tune_markdown(const json& tune) {
  const std::string verdict = str(tune, "verdict");
  std::string out = fmt::format("### {} squall tune: {}\n\n", verdict == "pass" ? "✅" : "❌", escape_md_cell(str(tune, "scenario")));
  out += fmt::format("{}: {}.\n\n", scope_text(tune), headline(tune));
  const json& choice = choice_of(tune);
  if (choice.is_object()) {
    out += "**" + choice_heading(tune, choice) + "**\n\n";
    out += fmt::format("```sh\nsquall run {} {}\n```\n\n", str(tune, "file"), str(choice, "set_flags"));
    out += fmt::format("```json\n{}\n```\n\n", get(choice, "snippet").dump(2));
  }
  if (get(tune, "recommendation").is_object()) out += holdout_text(tune) + "\n\n";
  if (const std::string f = floor_text(tune); !f.empty()) out += f + "\n\n";
  out += fmt::format("Top {} of {} candidates (metric columns: mean over the tuning seeds; `*` = on the Pareto front "
                     "over {}):\n\n",
                     std::min(top_rows, ran_count(tune)), ran_count(tune), objectives_text(tune));
  out += markdown_table(tune, top_rows);
  out += "\n" + skipped_text(tune, true);
  out += fmt::format("\n<sub>{}. Reproduce: {}</sub>\n", margin_note, detail::md_code(str(tune, "command")));
  return out;
}

}  // namespace squall::reports
