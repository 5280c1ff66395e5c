#pragma once
// Typed field readers over one JSON object, driven by its row in the field table (scenario_spec.hpp).
// Every scenario object is read through these, so types, bounds, defaults, unknown keys and their
// messages are handled in one place.
#include <cstddef>
#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "runner/scenario_errors.hpp"
#include "runner/scenario_names.hpp"
#include "runner/scenario_spec.hpp"
#include "stack/core/time.hpp"

namespace squall::runner {

class object_reader {
 public:
  // Checks that `value` is an object, reads its selector (if the kind has variants) and rejects keys
  // the kind does not allow, with a did-you-mean hint.
  object_reader(error_sink& errors, const nlohmann::json& value, std::string path, const spec::object_spec& spec);

  bool valid() const { return object_ != nullptr; }
  // The selector's value ("poisson"), or "" when it is missing or unknown.
  std::string_view variant() const { return variant_; }
  const std::string& path() const { return path_; }
  std::string path_of(std::string_view key) const { return path_key(path_, key); }
  bool has(std::string_view key) const;
  // For a key the table leaves optional but the builder requires here (it depends on other keys): records
  // "missing required key" unless a did-you-mean already pointed to it. Returns whether the key is present.
  bool require(std::string_view key, std::string hint = {});
  // Whether an unknown key's did-you-mean named `key` (so a missing `key` is not reported again).
  bool hinted(std::string_view key) const;
  void error(std::string_view key, std::string message, std::string hint = {});
  void error_here(std::string message, std::string hint = {});

  // Each returns the value when present and valid, the table's default when absent, and nullopt otherwise
  // (absent without a default, or invalid: the error is already recorded).
  std::optional<double> number(std::string_view key);
  std::optional<std::int64_t> integer(std::string_view key);
  std::optional<std::string> text(std::string_view key);
  std::optional<bool> flag(std::string_view key);
  // A number in the unit its key ends with (_s or _ms), as integer nanoseconds rounded to nearest.
  std::optional<stack::duration> time(std::string_view key);
  // An object or array field's value when present and of that type, its default when absent, else nullptr.
  const nlohmann::json* child(std::string_view key);

  template <class E, std::size_t N>
  std::optional<E> choice(std::string_view key, const std::array<names::named<E>, N>& table) {
    const auto word = text(key);
    return word ? known(table, *word) : std::nullopt;
  }
  template <class E, std::size_t N>
  std::optional<E> variant_as(const std::array<names::named<E>, N>& table) const {
    return variant_.empty() ? std::nullopt : known(table, variant_);
  }

  // Throws std::logic_error when a key the table allows here was never read: a field the builder forgot.
  void check_all_read() const;

 private:
  template <class E, std::size_t N>
  static std::optional<E> known(const std::array<names::named<E>, N>& table, std::string_view word) {
    if (const auto value = names::lookup(table, word)) return value;
    throw std::logic_error("scenario parser bug: '" + std::string(word) + "' is in the field table only");
  }
  const spec::field& field_for(std::string_view key, spec::field_type type);
  const nlohmann::json* value_of(const spec::field& f);
  bool within(const spec::field& f, double value, const std::string& shown);
  bool within(const spec::field& f, const nlohmann::json& value);
  void check_keys();
  void read_selector();

  error_sink& errors_;
  const nlohmann::json* object_ = nullptr;
  std::string path_;
  const spec::object_spec& spec_;
  std::string variant_;
  std::vector<std::string_view> read_;    // keys consulted, for check_all_read
  std::vector<std::string_view> hinted_;  // keys a did-you-mean pointed to: not also reported missing
};

// Reads `value` as an object of kind `kind` with `build(object_reader&)`, then checks that `build` read every
// key the table allows (so a field added to the table but not to the builder fails every test).
template <class Build>
void read_object(error_sink& errors, const nlohmann::json& value, std::string path, std::string_view kind,
                 Build&& build) {
  object_reader reader(errors, value, std::move(path), spec::object_named(kind));
  if (!reader.valid()) return;
  build(reader);
  reader.check_all_read();
}

// Stores a read value into a config field; bounds checked by the reader guarantee it fits.
template <class T, class U>
void assign(T& target, const std::optional<U>& value) {
  if (value) target = static_cast<T>(*value);
}

}  // namespace squall::runner
