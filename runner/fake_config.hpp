#pragma once
// What `squall fake http` reads, through the scenario parser (the same fields, bounds, messages and JSON paths):
// its --config file (one dependency object, or a whole scenario and the name of one of its dependencies) and
// the faults posted to its admin API.
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "fakes/http_config.hpp"
#include "fakes/real/admin_api.hpp"
#include "runner/scenario_parser.hpp"

namespace squall::runner {

struct fake_config {
  fakes::dependency_config dependency;
  std::vector<fakes::fault_config> faults;  // the scenario's faults against it, timed from the server's start
};

struct fake_config_outcome {
  std::optional<fake_config> value;    // set only when errors is empty
  std::vector<scenario_error> errors;  // paths inside the file
};

// A file holding either a dependency object as in a scenario's `dependencies.<name>` (named `name`, "api" when
// empty), or a whole scenario (it has a "squall" key): then `name` picks one of its dependencies (optional when
// it has one) and its faults against that dependency come along.
fake_config_outcome load_fake_config(const std::string& file, const std::string& name);
fake_config_outcome parse_fake_config(std::string_view text, const std::string& name);

// A fault posted to the admin API: the scenario's fault object, against `dependency`, with "duration_s" as a
// shorthand for from_s 0 and to_s duration_s, and from_s 0 when only to_s is given. Times count from now.
fakes::real::fault_parse parse_posted_fault(std::string_view text, const std::string& dependency);

}  // namespace squall::runner
