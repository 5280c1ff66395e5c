// Hostile or broken input: sizes, emptiness, nesting, non-JSON, duplicate keys, unreadable files.
#include <chrono>
#include <filesystem>
#include <fstream>
#include <random>

#include <catch2/catch.hpp>

#include "runner/scenario_json_checks.hpp"
#include "scenario_fixtures.hpp"

namespace squall::runner {
namespace {

namespace fs = std::filesystem;
using test::has_error;
using test::shown;

// A fresh directory under the system temp dir, removed at the end of the test.
class temp_dir {
 public:
  temp_dir() {
    std::random_device random;
    path_ = fs::temp_directory_path() / ("squall_parser_test_" + std::to_string(random()) + "_" +
                                         std::to_string(std::chrono::steady_clock::now().time_since_epoch().count()));
    fs::create_directories(path_);
  }
  ~temp_dir() {
    std::error_code ec;
    fs::remove_all(path_, ec);
  }
  temp_dir(const temp_dir&) = delete;
  temp_dir& operator=(const temp_dir&) = delete;
  fs::path file(const std::string& name, const std::string& text) const {
    const fs::path p = path_ / name;
    std::ofstream(p, std::ios::binary) << text;
    return p;
  }
  const fs::path& path() const { return path_; }

 private:
  fs::path path_;
};

bool only_error(const parse_outcome& out, const std::string& path, const std::string& message_part) {
  return out.errors.size() == 1 && has_error(out, path, message_part);
}

TEST_CASE("empty or whitespace-only text", "[scenario][limits]") {
  for (const char* text : {"", "   \n\t\r\n"}) {
    const parse_outcome out = parse_scenario(text);
    INFO(shown(out));
    CHECK(only_error(out, "", "the file is empty"));
  }
}

TEST_CASE("text that is not JSON names line and column, without nlohmann's prefix", "[scenario][limits]") {
  const parse_outcome out = parse_scenario("{\n  \"squall\": 1,\n  \"name\": storm\n}");
  INFO(shown(out));
  REQUIRE(out.errors.size() == 1);
  CHECK(out.errors[0].path.empty());
  CHECK(out.errors[0].message.starts_with("not valid JSON: parse error at line 3, column"));
  CHECK(out.errors[0].message.find("[json.exception") == std::string::npos);
}

TEST_CASE("a number too large for a double is not valid JSON", "[scenario][limits]") {
  const parse_outcome out = parse_scenario(R"({"squall": 1e999})");
  INFO(shown(out));
  CHECK(only_error(out, "", "not valid JSON: number overflow"));
}

TEST_CASE("the top level must be an object", "[scenario][limits]") {
  CHECK(only_error(parse_scenario("[1, 2]"), "", "a scenario is a JSON object, got an array"));
  CHECK(only_error(parse_scenario("\"storm\""), "", "a scenario is a JSON object, got a string"));
}

TEST_CASE("deep nesting is refused before the JSON parser sees it", "[scenario][limits]") {
  SECTION("100000 '['") {
    const parse_outcome out = parse_scenario(std::string(100'000, '['));
    INFO(shown(out));
    CHECK(only_error(out, "", "nesting is deeper than 32 levels (at line 1, column 33)"));
  }
  SECTION("deep objects inside a scenario") {
    std::string deep;
    for (int i = 0; i < 40; ++i) deep += "{\"a\":";
    deep += "1" + std::string(40, '}');
    const parse_outcome out = parse_scenario("{\n\"description\": " + deep + "}");
    CHECK(only_error(out, "", "nesting is deeper than 32 levels (at line 2"));
  }
  SECTION("the scan counts brackets outside strings only") {
    CHECK_FALSE(find_too_deep(std::string(scenario_max_depth, '[') + std::string(scenario_max_depth, ']'),
                              scenario_max_depth));
    CHECK(find_too_deep(std::string(scenario_max_depth + 1, '['), scenario_max_depth) ==
          std::size_t{scenario_max_depth});
    CHECK_FALSE(find_too_deep("[\"" + std::string(1000, '[') + "\"]", scenario_max_depth));
    // An escaped quote does not end the string; an escaped backslash does not escape the quote after it.
    CHECK_FALSE(find_too_deep(R"(["\"[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[["])", scenario_max_depth));
    CHECK(find_too_deep(R"(["\\", [[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[)", scenario_max_depth).has_value());
  }
}

TEST_CASE("text over 1 MiB is refused", "[scenario][limits]") {
  std::string big = test::storm_hour;
  big.insert(big.find("\"squall\""), std::string(scenario_max_bytes, ' '));
  const parse_outcome out = parse_scenario(big);
  INFO(shown(out));
  CHECK(only_error(out, "", "scenarios are limited to 1 MiB"));
}

TEST_CASE("duplicate keys are errors at the object holding them", "[scenario][limits]") {
  std::string text = test::storm_hour;
  text.replace(text.find("\"max_attempts\": 3"), 17, "\"max_attempts\": 3, \"max_attempts\": 30");
  text.replace(text.find("\"multiplier\": 5"), 15, "\"multiplier\": 5, \"multiplier\": 1");
  const parse_outcome out = parse_scenario(text);
  INFO(shown(out));
  CHECK(out.errors.size() == 3);  // the last value wins in the document, and multiplier 1 changes nothing
  CHECK(has_error(out, "policy.retry", "duplicate key 'max_attempts'", "remove the other"));
  CHECK(has_error(out, "faults[1]", "duplicate key 'multiplier'"));
  CHECK(has_error(out, "faults[1]", "a latency_spike must change latency"));
}

TEST_CASE("load_scenario: files", "[scenario][limits]") {
  const temp_dir dir;

  SECTION("a valid file parses") {
    const parse_outcome out = load_scenario(dir.file("storm.json", test::storm_hour).string());
    INFO(shown(out));
    REQUIRE(out.value.has_value());
    CHECK(out.value->name == "storm-hour");
  }
  SECTION("a 100 MB file is refused before it is read") {
    const fs::path p = dir.path() / "huge.json";
    std::ofstream(p).put('{');
    fs::resize_file(p, 100ULL * 1024 * 1024);  // sparse: nothing is written
    const parse_outcome out = load_scenario(p.string());
    INFO(shown(out));
    CHECK(only_error(out, "", "file is 104857600 bytes; scenarios are limited to 1 MiB"));
  }
  SECTION("a missing file") {
    const parse_outcome out = load_scenario((dir.path() / "absent.json").string());
    INFO(shown(out));
    CHECK(only_error(out, "", "cannot read"));
    CHECK(out.errors[0].message.find("absent.json") != std::string::npos);
  }
  SECTION("a directory") {
    CHECK(only_error(load_scenario(dir.path().string()), "", "not a regular file"));
  }
  SECTION("an empty file") {
    CHECK(only_error(load_scenario(dir.file("empty.json", "").string()), "", "the file is empty"));
  }
  SECTION("overrides apply to files too") {
    const parse_outcome out = load_scenario(dir.file("storm.json", test::storm_hour).string(), {"seed=7"});
    REQUIRE(out.value.has_value());
    CHECK(out.value->seed == 7);
  }
}

}  // namespace
}  // namespace squall::runner
