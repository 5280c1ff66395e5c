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

// A temporary name beside `path`, unique to this process, for write-then-rename.
std::string temp_name_beside(const std::string& path);

// Empty when `path` can be created or replaced; otherwise why not (a directory, a missing folder, no permission).
// Checked before a long run so a bad output path fails fast with exit 2 instead of after the work.
std::string check_writable(const std::string& path);

// scenarios/schema.json sits beside the scenarios, so `squall run scenarios/*.json` steps over it.
bool is_schema_file(const std::string& file);

}  // namespace squall::runner
