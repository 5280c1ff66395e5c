#pragma once
// Which keys every object of a scenario may hold, with their types, bounds and defaults, as data.
// The parser reads fields only through this table (scenario_reader.hpp), and a test checks that
// scenarios/schema.json says the same thing, so the parser, the schema and the docs cannot drift apart.
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

namespace squall::runner::spec {

enum class field_type : std::uint8_t { number, integer, string, boolean, object, array };

const char* to_string(field_type t);  // the JSON Schema type name

struct bound {
  double value = 0;
  bool exclusive = false;
};

// Names the scenario author chooses (scenario and dependency names): [A-Za-z0-9<extra>]{1,max_length}.
// Checked by hand rather than with std::regex, whose libstdc++ implementation recurses per character.
struct name_rule {
  std::string_view extra_chars;
  std::size_t max_length = 0;
};

inline constexpr name_rule scenario_name_rule{"._-", 64};
inline constexpr name_rule dependency_name_rule{"_-", 32};
inline constexpr name_rule candidate_name_rule{"_-", 32};  // shadow candidates: also gate path segments
inline constexpr name_rule lock_key_rule{":._-", 64};  // jobs.lock.key: a Redis key prefix

bool matches(const name_rule& rule, std::string_view name);
std::string pattern(const name_rule& rule);  // as a JSON Schema pattern: ^[A-Za-z0-9._-]{1,64}$
std::string describe(const name_rule& rule); // for hints: "letters, digits, '.', '_' and '-'; 1 to 64 characters"

struct field {
  std::string_view key;
  field_type type = field_type::number;
  bool required = false;
  std::optional<bound> lower, upper;        // number, integer
  nlohmann::json fallback;                  // the default when absent; null: none
  std::vector<std::string_view> choices;    // string: allowed values; array: allowed string items
  std::optional<name_rule> rule;            // string: a name's charset and length
  std::string_view ref;                     // object, or array of objects: the object_spec it holds

  // Builders, so the table reads like the format: number("rate").gt(0).le(1).def(1).
  field must() &&;
  field gt(double v) &&;
  field ge(double v) &&;
  field lt(double v) &&;
  field le(double v) &&;
  field def(nlohmann::json v) &&;
  field one_of(std::vector<std::string_view> values) &&;
  field named_by(name_rule r) &&;
};

field number(std::string_view key);
field integer(std::string_view key);
field text(std::string_view key);
field flag(std::string_view key);
field object(std::string_view key, std::string_view ref = {});
field array(std::string_view key, std::string_view ref = {});

// Fields that only apply when the selector has this value (e.g. "ratio" for model "cumulative_ratio").
struct variant {
  std::string_view name;
  std::vector<field> fields;
};

struct object_spec {
  std::string_view name;           // the schema's "$defs" entry; "scenario" is the document itself
  std::vector<field> fields;       // allowed whatever the variant (the selector is the first of them)
  std::string_view selector;       // the key choosing a variant ("model", "dist", "kind"), or empty; required
                                   // unless it has a default (jobs.source), which then picks the variant
  std::vector<variant> variants;

  const variant* find_variant(std::string_view name) const;
  // The field `key` of `variant_name` (common fields included); nullptr when not allowed there.
  const field* find(std::string_view key, std::string_view variant_name) const;
  // Keys allowed for `variant_name`, common fields first; all keys of every variant when it is empty.
  std::vector<std::string_view> keys(std::string_view variant_name) const;
  // Variants other than `variant_name` that allow `key`.
  std::vector<std::string_view> variants_with(std::string_view key) const;
};

// Every object kind of the format, the document ("scenario") first.
const std::vector<object_spec>& object_specs();
// Throws std::logic_error for a name not in the table: that is a parser bug, not an input error.
const object_spec& object_named(std::string_view name);

}  // namespace squall::runner::spec
