// scenarios/schema.json and the parser's field table (runner/scenario_spec.hpp) must say the same thing:
// same objects, same keys per object and per variant, same types, bounds, defaults, choices and requireds.
// The example scenarios and docs/scenario-format.md's examples must parse.
#include <algorithm>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

#include <catch2/catch.hpp>

#include "runner/scenario_spec.hpp"
#include "scenario_fixtures.hpp"

namespace squall::runner {
namespace {

using nlohmann::json;
using strings = std::set<std::string>;

std::string read_text(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream buffer;
  buffer << in.rdbuf();
  return buffer.str();
}

const json& schema() {
  static const json s = json::parse(read_text(SQUALL_SOURCE_DIR "/scenarios/schema.json"));
  return s;
}

const json& schema_of(const spec::object_spec& object) {
  return object.name == "scenario" ? schema() : schema().at("$defs").at(std::string(object.name));
}

template <class Range>
strings as_set(const Range& words) {
  strings out;
  for (const auto& w : words) out.insert(std::string(w));
  return out;
}

strings keys_of(const json& object) {
  strings out;
  for (const auto& item : object.items()) out.insert(item.key());
  return out;
}

strings json_strings(const json& array) { return array.is_array() ? array.get<strings>() : strings{}; }

strings required_of(const std::vector<spec::field>& fields) {
  strings out;
  for (const spec::field& f : fields) {
    if (f.required) out.insert(std::string(f.key));
  }
  return out;
}

// The `then` of the allOf entry `if {selector: const name}`.
const json& then_of(const json& node, std::string_view selector, std::string_view name) {
  for (const json& entry : node.at("allOf")) {
    if (entry.at("if").at("properties").at(std::string(selector)).at("const") == name) return entry.at("then");
  }
  FAIL("no allOf entry for " << selector << " " << name);
  throw std::logic_error("unreachable");
}

// Compares one field with its property schema (the variant's `then.properties` refining the shared one).
void check_field(const spec::field& f, json property) {
  INFO("field " << f.key);
  CHECK(property.contains("description"));
  if (!f.ref.empty() && f.type == spec::field_type::object) {
    CHECK(property.value("$ref", "") == "#/$defs/" + std::string(f.ref));
  } else {
    CHECK(property.value("type", "") == spec::to_string(f.type));
  }
  if (!f.ref.empty() && f.type == spec::field_type::array) {
    CHECK(property.at("items").value("$ref", "") == "#/$defs/" + std::string(f.ref));
  }
  const auto bound_of = [&](const char* inclusive, const char* exclusive) -> std::optional<spec::bound> {
    if (property.contains(inclusive)) return spec::bound{property[inclusive].get<double>(), false};
    if (property.contains(exclusive)) return spec::bound{property[exclusive].get<double>(), true};
    return std::nullopt;
  };
  const auto lower = bound_of("minimum", "exclusiveMinimum");
  const auto upper = bound_of("maximum", "exclusiveMaximum");
  CHECK(lower.has_value() == f.lower.has_value());
  if (lower && f.lower) {
    CHECK(lower->value == f.lower->value);
    CHECK(lower->exclusive == f.lower->exclusive);
  }
  CHECK(upper.has_value() == f.upper.has_value());
  if (upper && f.upper) {
    CHECK(upper->value == f.upper->value);
    CHECK(upper->exclusive == f.upper->exclusive);
  }
  CHECK(property.value("default", json()) == f.fallback);
  if (f.type == spec::field_type::string) CHECK(json_strings(property.value("enum", json())) == as_set(f.choices));
  if (f.type == spec::field_type::array && !f.choices.empty()) {
    CHECK(json_strings(property.at("items").at("oneOf").at(0).at("enum")) == as_set(f.choices));
  }
  if (f.rule) CHECK(property.value("pattern", "") == spec::pattern(*f.rule));
}

TEST_CASE("schema: the same object kinds as the parser", "[scenario][schema]") {
  strings kinds;
  for (const spec::object_spec& o : spec::object_specs()) {
    if (o.name != "scenario") kinds.insert(std::string(o.name));
  }
  strings defs;
  for (const auto& item : schema().at("$defs").items()) defs.insert(item.key());
  CHECK(defs == kinds);
  CHECK(schema().at("$schema") == "https://json-schema.org/draft/2020-12/schema");
}

TEST_CASE("schema: per object kind, the same keys, requireds, types, bounds and defaults", "[scenario][schema]") {
  for (const spec::object_spec& object : spec::object_specs()) {
    INFO("object " << object.name);
    const json& node = schema_of(object);
    CHECK(keys_of(node.at("properties")) == as_set(object.keys("")));
    CHECK(json_strings(node.value("required", json::array())) == required_of(object.fields));
    for (const spec::field& f : object.fields) check_field(f, node.at("properties").at(std::string(f.key)));

    if (object.variants.empty()) {
      CHECK_FALSE(node.contains("allOf"));
      continue;
    }
    for (const spec::variant& v : object.variants) {
      INFO("variant " << v.name);
      const json& then = then_of(node, object.selector, v.name);
      CHECK(json_strings(then.at("propertyNames").at("enum")) == as_set(object.keys(v.name)));
      CHECK(json_strings(then.value("required", json::array())) == required_of(v.fields));
      for (const spec::field& f : v.fields) {
        json property = node.at("properties").at(std::string(f.key));
        if (then.contains("properties") && then["properties"].contains(std::string(f.key))) {
          property.merge_patch(then["properties"][std::string(f.key)]);
        }
        check_field(f, property);
      }
    }
    CHECK(node.at("allOf").size() == object.variants.size());
  }
}

TEST_CASE("schema: dependency names follow the parser's rule", "[scenario][schema]") {
  const json& deps = schema().at("properties").at("dependencies");
  REQUIRE(deps.at("patternProperties").size() == 1);
  CHECK(deps.at("patternProperties").begin().key() == spec::pattern(spec::dependency_name_rule));
  CHECK(deps.at("patternProperties").begin().value().at("$ref") == "#/$defs/dependency");
  CHECK(deps.at("minProperties") == 1);
}

// Every object schema forbids keys it does not list, and every listed property is described for editors.
void walk(const json& node, const std::string& where, int& objects, int& properties) {
  if (node.is_array()) {
    for (std::size_t i = 0; i < node.size(); ++i) walk(node[i], where + "/" + std::to_string(i), objects, properties);
    return;
  }
  if (!node.is_object()) return;
  if (node.value("type", "") == "object") {
    INFO("schema node " << where);
    ++objects;
    CHECK(node.contains("additionalProperties"));
    CHECK(node.value("additionalProperties", json(true)) == false);
  }
  if (node.contains("properties") && node.value("type", "") == "object") {
    for (const auto& item : node["properties"].items()) {
      INFO("property " << where << "/" << item.key());
      ++properties;
      CHECK_FALSE(item.value().value("description", "").empty());
    }
  }
  for (const auto& item : node.items()) walk(item.value(), where + "/" + item.key(), objects, properties);
}

TEST_CASE("schema: additionalProperties is false everywhere and every property has a description",
          "[scenario][schema]") {
  int objects = 0;
  int properties = 0;
  walk(schema(), "#", objects, properties);
  CHECK(objects == static_cast<int>(spec::object_specs().size()) + 1);  // + the dependencies map
  CHECK(properties > 50);
}

TEST_CASE("docs: every scenario example in docs/scenario-format.md parses", "[scenario][schema]") {
  const std::string doc = read_text(SQUALL_SOURCE_DIR "/docs/scenario-format.md");
  int examples = 0;
  for (std::size_t at = doc.find("```json\n{"); at != std::string::npos; at = doc.find("```json\n{", at + 1)) {
    const std::size_t begin = at + 8;
    const std::string text = doc.substr(begin, doc.find("```", begin) - begin);
    if (text.find("\"squall\"") == std::string::npos) continue;
    ++examples;
    const parse_outcome out = parse_scenario(text);
    INFO(text << "\n" << test::shown(out));
    CHECK(out.errors.empty());
  }
  CHECK(examples >= 2);
}

TEST_CASE("every example in scenarios/ parses", "[scenario][schema]") {
  int examples = 0;
  for (const auto& entry : std::filesystem::directory_iterator(SQUALL_SOURCE_DIR "/scenarios")) {
    if (entry.path().extension() != ".json" || entry.path().filename() == "schema.json") continue;
    ++examples;
    const parse_outcome out = load_scenario(entry.path().string());
    INFO(test::shown(out));
    CHECK(out.errors.empty());
  }
  CHECK(examples >= 1);
}

}  // namespace
}  // namespace squall::runner
