#include "runner/scenario_reader.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

#include "runner/scenario_hints.hpp"

namespace squall::runner {
namespace {

using spec::field_type;

// 2^63 as a double: the first value a std::int64_t cannot hold.
constexpr double int64_limit = 9223372036854775808.0;

std::string a_type(field_type t) {
  switch (t) {
    case field_type::number: return "a number";
    case field_type::integer: return "an integer";
    case field_type::string: return "a string";
    case field_type::boolean: return "a boolean (true or false)";
    case field_type::object: return "an object";
    case field_type::array: return "an array";
  }
  return "?";
}

bool has_type(const nlohmann::json& value, field_type t) {
  switch (t) {
    case field_type::number: return value.is_number();
    case field_type::integer: {
      if (value.is_number_integer()) return true;
      if (!value.is_number_float()) return false;
      // JSON Schema's "integer" also accepts 3.0; so do we, and schema and parser stay in step.
      const double d = value.get<double>();
      return std::isfinite(d) && std::trunc(d) == d;
    }
    case field_type::string: return value.is_string();
    case field_type::boolean: return value.is_boolean();
    case field_type::object: return value.is_object();
    case field_type::array: return value.is_array();
  }
  return false;
}

std::string range_text(const spec::field& f) {
  std::string out;
  if (f.lower) out = (f.lower->exclusive ? "> " : ">= ") + format_number(f.lower->value);
  if (f.upper) {
    if (!out.empty()) out += " and ";
    out += (f.upper->exclusive ? "< " : "<= ") + format_number(f.upper->value);
  }
  return out;
}

// Nanoseconds per unit, from the unit at the end of a key (DESIGN.md §5: units last in names).
double unit_ns(std::string_view key) {
  if (key.ends_with("_ms")) return 1e6;
  if (key.ends_with("_s")) return 1e9;
  throw std::logic_error("scenario parser bug: '" + std::string(key) + "' names no time unit");
}

}  // namespace

object_reader::object_reader(error_sink& errors, const nlohmann::json& value, std::string path,
                             const spec::object_spec& spec)
    : errors_(errors), path_(std::move(path)), spec_(spec) {
  if (!value.is_object()) {
    errors_.add(path_, "expected an object, got " + describe_value(value));
    return;
  }
  object_ = &value;
  read_selector();
  check_keys();
}

void object_reader::read_selector() {
  if (spec_.selector.empty()) return;
  if (auto word = text(spec_.selector)) variant_ = std::move(*word);
}

void object_reader::check_keys() {
  const std::vector<std::string_view> allowed = spec_.keys(variant_);
  for (const auto& item : object_->items()) {
    const std::string& key = item.key();
    if (std::find(allowed.begin(), allowed.end(), key) != allowed.end()) continue;
    const auto owners = spec_.variants_with(key);
    if (!owners.empty()) {
      const std::string selector(spec_.selector);
      errors_.add(path_, quote(key) + " does not apply to " + selector + " " + quote(variant_),
                  quote(key) + " is for " + selector + " " + list_words(owners) + "; " + selector + " " +
                      quote(variant_) + " allows: " + list_words(allowed));
      continue;
    }
    if (const auto match = closest(key, allowed)) hinted_.push_back(*match);
    errors_.add(path_, "unknown key " + quote(key), suggest(key, allowed, "allowed keys here"));
  }
}

bool object_reader::has(std::string_view key) const {
  return object_ != nullptr && object_->contains(key);
}

bool object_reader::require(std::string_view key, std::string hint) {
  if (has(key)) return true;
  if (!hinted(key)) error_here("missing required key " + quote(key), std::move(hint));
  return false;
}

bool object_reader::hinted(std::string_view key) const {
  return std::find(hinted_.begin(), hinted_.end(), key) != hinted_.end();
}

void object_reader::error(std::string_view key, std::string message, std::string hint) {
  errors_.add(path_of(key), std::move(message), std::move(hint));
}

void object_reader::error_here(std::string message, std::string hint) {
  errors_.add(path_, std::move(message), std::move(hint));
}

const spec::field& object_reader::field_for(std::string_view key, field_type type) {
  const spec::field* f = spec_.find(key, variant_);
  if (f == nullptr || f->type != type) {
    throw std::logic_error("scenario parser bug: " + std::string(spec_.name) + " reads '" + std::string(key) +
                           "' as " + spec::to_string(type) + ", which its field table does not say");
  }
  if (std::find(read_.begin(), read_.end(), f->key) == read_.end()) read_.push_back(f->key);
  return *f;
}

// The field's value when present and of its type; records "missing" and "expected" errors.
const nlohmann::json* object_reader::value_of(const spec::field& f) {
  const auto it = object_->find(f.key);
  if (it == object_->end()) {
    const bool hinted = std::find(hinted_.begin(), hinted_.end(), f.key) != hinted_.end();
    if (f.required && !hinted) {
      error_here("missing required key " + quote(f.key),
                 f.choices.empty() ? "" : "one of: " + list_words(f.choices));
    }
    return nullptr;
  }
  if (!has_type(*it, f.type)) {
    error(f.key, "expected " + a_type(f.type) + ", got " + describe_value(*it));
    return nullptr;
  }
  return &*it;
}

bool object_reader::within(const spec::field& f, double value, const std::string& shown) {
  const bool low_ok = !f.lower || (f.lower->exclusive ? value > f.lower->value : value >= f.lower->value);
  const bool high_ok = !f.upper || (f.upper->exclusive ? value < f.upper->value : value <= f.upper->value);
  if (low_ok && high_ok) return true;
  error(f.key, "must be " + range_text(f) + " (got " + shown + ")");
  return false;
}

// Integers compare exactly: converting 2^53 + 1 to a double would round it onto the seed's upper bound.
bool object_reader::within(const spec::field& f, const nlohmann::json& value) {
  const std::string shown = describe_value(value);
  if (value.is_number_unsigned() && value.get<std::uint64_t>() > std::numeric_limits<std::int64_t>::max()) {
    return within(f, value.get<double>(), shown);
  }
  if (value.is_number_float()) {
    const double d = value.get<double>();
    if (d <= -int64_limit || d >= int64_limit) return within(f, d, shown);
  }
  const std::int64_t v = value.is_number_float() ? static_cast<std::int64_t>(value.get<double>())
                                                 : value.get<std::int64_t>();
  const auto as_int = [](double bound) { return static_cast<std::int64_t>(bound); };
  const bool low_ok = !f.lower || (f.lower->exclusive ? v > as_int(f.lower->value) : v >= as_int(f.lower->value));
  const bool high_ok = !f.upper || (f.upper->exclusive ? v < as_int(f.upper->value) : v <= as_int(f.upper->value));
  if (low_ok && high_ok) return true;
  error(f.key, "must be " + range_text(f) + " (got " + shown + ")");
  return false;
}

std::optional<double> object_reader::number(std::string_view key) {
  const spec::field& f = field_for(key, field_type::number);
  const nlohmann::json* value = value_of(f);
  if (value == nullptr) {
    if (has(key) || f.fallback.is_null()) return std::nullopt;
    return f.fallback.get<double>();
  }
  const double d = value->get<double>();
  if (!std::isfinite(d)) {
    error(key, "must be a finite number");
    return std::nullopt;
  }
  if (!within(f, d, describe_value(*value))) return std::nullopt;
  return d;
}

std::optional<std::int64_t> object_reader::integer(std::string_view key) {
  const spec::field& f = field_for(key, field_type::integer);
  const nlohmann::json* value = value_of(f);
  if (value == nullptr) {
    if (has(key) || f.fallback.is_null()) return std::nullopt;
    return f.fallback.get<std::int64_t>();
  }
  if (!within(f, *value)) return std::nullopt;
  return value->is_number_float() ? static_cast<std::int64_t>(value->get<double>()) : value->get<std::int64_t>();
}

std::optional<std::string> object_reader::text(std::string_view key) {
  const spec::field& f = field_for(key, field_type::string);
  const nlohmann::json* value = value_of(f);
  if (value == nullptr) {
    if (has(key) || f.fallback.is_null()) return std::nullopt;
    return f.fallback.get<std::string>();
  }
  const auto& word = value->get_ref<const std::string&>();
  if (!f.choices.empty() && std::find(f.choices.begin(), f.choices.end(), word) == f.choices.end()) {
    error(key, "unknown " + std::string(key) + " " + quote(word), suggest(word, f.choices, "expected one of"));
    return std::nullopt;
  }
  if (f.rule && !spec::matches(*f.rule, word)) {
    error(key, "invalid " + std::string(key) + " " + quote(word), "use " + spec::describe(*f.rule));
    return std::nullopt;
  }
  return word;
}

std::optional<bool> object_reader::flag(std::string_view key) {
  const spec::field& f = field_for(key, field_type::boolean);
  const nlohmann::json* value = value_of(f);
  if (value == nullptr) {
    if (has(key) || f.fallback.is_null()) return std::nullopt;
    return f.fallback.get<bool>();
  }
  return value->get<bool>();
}

std::optional<stack::duration> object_reader::time(std::string_view key) {
  const double unit = unit_ns(key);
  const auto value = number(key);
  if (!value) return std::nullopt;
  const double ns = *value * unit;
  if (!(ns < int64_limit)) {
    error(key, "is too large: " + format_number(*value) + " does not fit in 64-bit nanoseconds");
    return std::nullopt;
  }
  return stack::duration{std::llround(ns)};
}

const nlohmann::json* object_reader::child(std::string_view key) {
  const spec::field* f = spec_.find(key, variant_);
  if (f == nullptr || (f->type != field_type::object && f->type != field_type::array)) {
    throw std::logic_error("scenario parser bug: '" + std::string(key) + "' is not an object or array field");
  }
  const nlohmann::json* value = value_of(field_for(key, f->type));
  if (value == nullptr && !has(key) && !f->fallback.is_null()) return &f->fallback;
  return value;
}

void object_reader::check_all_read() const {
  // With an unknown selector only the common fields were readable.
  std::vector<const spec::field*> expected;
  for (const spec::field& f : spec_.fields) expected.push_back(&f);
  if (const spec::variant* v = spec_.find_variant(variant_)) {
    for (const spec::field& f : v->fields) expected.push_back(&f);
  }
  for (const spec::field* f : expected) {
    if (std::find(read_.begin(), read_.end(), f->key) == read_.end()) {
      throw std::logic_error("scenario parser bug: " + std::string(spec_.name) + " never reads '" +
                             std::string(f->key) + "'");
    }
  }
}

}  // namespace squall::runner
