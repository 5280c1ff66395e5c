#pragma once
// Writing results so that a crash or a bad run never leaves a half-written file that looks like a result.
#include <string>
#include <string_view>

namespace squall::runner {

// Writes `content` to `path` through a temporary file in the same directory and a rename.
// Throws std::runtime_error with the path on failure.
void write_file_atomically(const std::string& path, std::string_view content);

// Creates a directory (and parents). Throws std::runtime_error with the path on failure.
void make_directories(const std::string& path);

// scenarios/schema.json sits beside the scenarios, so `squall run scenarios/*.json` steps over it.
bool is_schema_file(const std::string& file);

}  // namespace squall::runner
