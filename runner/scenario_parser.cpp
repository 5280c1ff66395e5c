// Entry points: text and file limits, JSON parsing, overrides, then validation into a scenario.
#include "runner/scenario_parser.hpp"

#include <filesystem>
#include <fstream>
#include <system_error>

#include <fmt/format.h>

#include "runner/scenario_build.hpp"
#include "runner/scenario_errors.hpp"
#include "runner/scenario_json_checks.hpp"
#include "runner/scenario_overrides.hpp"

namespace squall::runner {
namespace {

parse_outcome failed(std::vector<scenario_error> errors) { return parse_outcome{std::nullopt, std::move(errors)}; }

parse_outcome failed(std::string message, std::string hint = {}) {
  return failed({scenario_error{"", std::move(message), std::move(hint)}});
}

}  // namespace

parse_outcome parse_scenario(std::string_view text, const std::vector<std::string>& overrides) {
  if (auto errors = check_scenario_text(text); !errors.empty()) return failed(std::move(errors));
  strict_parse parsed = parse_strict_json(text);
  if (!parsed.value) return failed(std::move(parsed.errors));
  nlohmann::json& document = *parsed.value;
  if (!document.is_object()) {
    return failed("a scenario is a JSON object, got " + describe_value(document),
                  "start from the example in docs/scenario-format.md");
  }

  error_sink errors;
  for (scenario_error& e : parsed.errors) errors.add(std::move(e.path), std::move(e.message), std::move(e.hint));
  apply_overrides(document, overrides, errors);
  scenario s = build_scenario(document, errors);
  if (!errors.empty()) return failed(std::move(errors).take());
  return parse_outcome{std::move(s), {}};
}

parse_outcome load_scenario(const std::string& file, const std::vector<std::string>& overrides) {
  namespace fs = std::filesystem;
  std::error_code ec;
  const fs::file_status status = fs::status(file, ec);
  if (ec || !fs::exists(status)) {
    return failed(fmt::format("cannot read '{}': {}", file, ec ? ec.message() : "no such file"));
  }
  // Only regular files have a size to check first; /dev/zero or a FIFO could be read forever.
  if (!fs::is_regular_file(status)) return failed(fmt::format("cannot read '{}': not a regular file", file));
  const std::uintmax_t size = fs::file_size(file, ec);
  if (ec) return failed(fmt::format("cannot read '{}': {}", file, ec.message()));
  if (size > scenario_max_bytes) {
    return failed(fmt::format("file is {} bytes; scenarios are limited to 1 MiB", size),
                  "a scenario is a short JSON document; is this the right file?");
  }

  std::ifstream in(file, std::ios::binary);
  if (!in) return failed(fmt::format("cannot read '{}': cannot open it", file));
  // Read at most one byte past the limit, in case the file grew since it was measured.
  std::string text(scenario_max_bytes + 1, '\0');
  in.read(text.data(), static_cast<std::streamsize>(text.size()));
  if (in.bad()) return failed(fmt::format("cannot read '{}': read error", file));
  text.resize(static_cast<std::size_t>(in.gcount()));
  return parse_scenario(text, overrides);
}

std::string format_errors(const std::string& file, const std::vector<scenario_error>& errors) {
  std::string out;
  for (const scenario_error& e : errors) {
    if (!file.empty()) out += file + ": ";
    out += e.path.empty() ? "(document)" : e.path;
    out += ": " + e.message;
    if (!e.hint.empty()) out += " (" + e.hint + ")";
    out += "\n";
  }
  return out;
}

}  // namespace squall::runner
