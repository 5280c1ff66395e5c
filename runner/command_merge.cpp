// `squall merge`: the shards of a sweep, run on several machines, back into one sweep's results.
#include <cstdio>
#include <exception>

#include "runner/commands.hpp"
#include "runner/exit_codes.hpp"
#include "runner/files.hpp"
#include "runner/outputs.hpp"
#include "runner/shard.hpp"

namespace squall::runner {

int execute(const merge_command& cmd) {
  std::vector<merged_sweep> merged;
  try {
    merged = read_shards(cmd.dirs);
    make_directories(cmd.out_dir);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "squall merge: %s\n", e.what());
    return exit_invalid;
  }
  if (!output_path_usable("squall merge", "--markdown", cmd.markdown_file)) return exit_invalid;
  std::vector<nlohmann::json> sweeps;
  for (const merged_sweep& m : merged) sweeps.push_back(sweep_result(m.id, m.reports));
  try {
    return publish_sweeps(cmd.out_dir, cmd.markdown_file, cmd.quiet, sweeps);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "squall merge: %s\n", e.what());
    return exit_internal;
  }
}

}  // namespace squall::runner
