#include <cstdio>
#include <fstream>
#include <stdexcept>
#include <string>
#include <vector>

#include "history/jsonl.hpp"
#include "reports/gates.hpp"
#include "reports/render.hpp"
#include "reports/report_builder.hpp"
#include "runner/commands.hpp"
#include "runner/exit_codes.hpp"
#include "runner/history_merge.hpp"
#include "runner/outputs.hpp"

namespace squall::runner {

// Post-mortem: the same checkers as a live run, folded over a recorded history.
int execute(const check_command& cmd) {
  for (const auto& expr : cmd.gates) {
    const auto parsed = reports::parse_gate(expr);
    if (!parsed.value) {
      std::fprintf(stderr, "squall check: --gates '%s': %s\n", expr.c_str(), parsed.error.c_str());
      return exit_invalid;
    }
  }
  std::vector<std::string> files{cmd.history_file};
  files.insert(files.end(), cmd.more_histories.begin(), cmd.more_histories.end());
  std::vector<std::ifstream> ins;
  std::vector<std::istream*> inputs;
  ins.reserve(files.size());
  for (const std::string& file : files) {
    ins.emplace_back(file, std::ios::binary);
    if (!ins.back()) {
      std::fprintf(stderr, "squall check: cannot read %s\n", file.c_str());
      return exit_invalid;
    }
    inputs.push_back(&ins.back());
  }
  scenario_outcome outcome;
  outcome.file = cmd.history_file;
  try {
    // Several processes' histories of one real run read as one (runner/history_merge.hpp).
    history_merge merged(inputs);
    history::header h = merged.header();
    if (!cmd.gates.empty()) h.gates = cmd.gates;
    reports::report_builder builder(h);
    merged.read_all(builder);
    outcome.report = builder.finish();
  } catch (const history::jsonl_error& e) {
    std::fprintf(stderr, "squall check: %s: %s\n", cmd.history_file.c_str(), e.what());
    return exit_invalid;
  } catch (const std::invalid_argument& e) {
    std::fprintf(stderr, "squall check: %s\n", e.what());
    return exit_invalid;
  }
  if (cmd.out_dir.empty()) {
    std::fputs(reports::render_json(outcome.report).c_str(), stdout);
  } else {
    write_report_files(cmd.out_dir, outcome.report);
    if (!cmd.quiet) std::fputs(summary_table({outcome}).c_str(), stdout);
  }
  return suite_exit_code({outcome});
}

}  // namespace squall::runner
