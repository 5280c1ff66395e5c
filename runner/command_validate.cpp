#include <cstdio>

#include "runner/commands.hpp"
#include "runner/exit_codes.hpp"
#include "runner/files.hpp"
#include "runner/scenario_parser.hpp"

namespace squall::runner {

int execute(const validate_command& cmd) {
  int code = exit_pass;
  for (const auto& file : cmd.files) {
    if (is_schema_file(file)) continue;
    const parse_outcome parsed = load_scenario(file, cmd.overrides);
    if (parsed.value) {
      std::printf("ok: %s (%s)\n", file.c_str(), parsed.value->name.c_str());
    } else {
      std::fputs(format_errors(file, parsed.errors).c_str(), stderr);
      code = exit_invalid;
    }
  }
  return code;
}

}  // namespace squall::runner
