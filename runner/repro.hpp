#pragma once
// The one-line command that reproduces a run, printed in every report (FoundationDB habit: a failure you
// cannot reproduce is a rumour).
#include <cstdint>
#include <string>
#include <vector>

namespace squall::runner {

// Quotes a shell word when it needs it.
std::string shell_quote(const std::string& word);
std::string repro_command(const std::string& file, std::uint64_t seed, const std::vector<std::string>& overrides);

}  // namespace squall::runner
