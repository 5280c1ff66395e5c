#pragma once
// Sim vs real (issue 5): the key metrics of `squall run --real` beside a simulation of the same scenario and seed,
// so a team sees where the model and their staging environment disagree (docs/real-mode.md explains why they do).
#include <string>

#include <nlohmann/json.hpp>

namespace squall::runner {

// {"metrics": [{"path", "sim", "real", "delta"}...]}: every key metric either report has (null where one has none;
// delta = real - sim when both are numbers). `http` / `jobs`: which parts the scenario has (the other part's
// metrics are left out: they are zero in both modes).
nlohmann::json compare_reports(const nlohmann::json& sim, const nlohmann::json& real, bool http, bool jobs);

// A console table of compare_reports' output, and the same as Markdown.
std::string comparison_table(const nlohmann::json& comparison);
std::string comparison_markdown(const nlohmann::json& comparison, const std::string& scenario);

}  // namespace squall::runner
