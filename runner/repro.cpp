#include "runner/repro.hpp"

#include <algorithm>
#include <cctype>
#include <string_view>

namespace squall::runner {

std::string shell_quote(const std::string& word) {
  const bool plain = !word.empty() && std::all_of(word.begin(), word.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || std::string_view("-_./=:,+@%").find(c) != std::string_view::npos;
  });
  if (plain) return word;
  std::string quoted = "'";
  for (char c : word) quoted += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return quoted + "'";
}

std::string repro_command(const std::string& file, std::uint64_t seed, const std::vector<std::string>& overrides) {
  std::string cmd = "squall run " + shell_quote(file) + " --seed " + std::to_string(seed);
  for (const auto& o : overrides) cmd += " --set " + shell_quote(o);
  return cmd;
}

}  // namespace squall::runner
