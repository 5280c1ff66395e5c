#include "runner/tune_space.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <limits>
#include <set>
#include <string_view>

#include <fmt/format.h>

#include "runner/tune_paths.hpp"
#include "sim/rng.hpp"

namespace squall::runner {

namespace {

using json = nlohmann::json;

constexpr const char* vary_example = "e.g. policy.breaker.failure_threshold=3,5,8 or policy.breaker.open_ms=5000..60000/6";

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

// A value as --set reads it: JSON when it is JSON, else the text as a string.
json read_value(std::string_view text) {
  if (json::accept(text)) return json::parse(text);
  return json(std::string(text));
}

// A JSON number ("5000", "-0.5", "1e3"), or nothing.
std::optional<json> read_number(std::string_view text) {
  text = trim(text);
  if (text.empty() || !json::accept(text)) return std::nullopt;
  json v = json::parse(text);
  if (!v.is_number()) return std::nullopt;
  return v;
}

// Splits at commas, except inside a value that starts as JSON text ('[', '{' or '"'): such a value runs on to the
// first comma after which it reads as JSON, so [1,2] and "a,b" stay whole.
std::vector<std::string_view> split_list(std::string_view text) {
  std::vector<std::string_view> items;
  std::size_t begin = 0;
  for (std::size_t comma = text.find(','); comma != std::string_view::npos; comma = text.find(',', comma + 1)) {
    const std::string_view item = trim(text.substr(begin, comma - begin));
    const bool json_text = !item.empty() && std::string_view("[{\"").find(item.front()) != std::string_view::npos;
    if (json_text && !json::accept(item)) continue;
    items.push_back(item);
    begin = comma + 1;
  }
  items.push_back(text.substr(begin));
  return items;
}

// 12 significant digits: 0.1 + 2 * 0.1 prints as 0.3, not 0.30000000000000004.
double round_sig12(double x) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.12g", x);
  return std::strtod(buf, nullptr);
}

struct range_text {
  std::string_view from, to, count;
};

// "A..B/N" split into its parts; nothing when the text has no "..".
std::optional<range_text> split_range(std::string_view text) {
  const std::size_t dots = text.find("..");
  if (dots == std::string_view::npos) return std::nullopt;
  // A list of strings may contain "..": only a number before ".." makes this a range.
  if (!read_number(text.substr(0, dots))) return std::nullopt;
  const std::size_t slash = text.find('/', dots + 2);
  range_text r{text.substr(0, dots), text.substr(dots + 2), {}};
  if (slash != std::string_view::npos) {
    r.to = text.substr(dots + 2, slash - dots - 2);
    r.count = text.substr(slash + 1);
  }
  return r;
}

// A number as an exact integer when it is one (5000 or 5000.0) and within ±2^53, where doubles are exact.
std::optional<std::int64_t> exact_integer(const json& v) {
  constexpr double exact = 9007199254740992.0;  // 2^53
  if (v.is_number_integer()) {
    const double d = v.get<double>();
    if (d < -exact || d > exact) return std::nullopt;
    return v.get<std::int64_t>();
  }
  const double d = v.get<double>();
  if (!std::isfinite(d) || std::floor(d) != d || d < -exact || d > exact) return std::nullopt;
  return static_cast<std::int64_t>(d);
}

// N integers evenly spaced from a to b, each the exact position a + (b - a)·k/(N - 1) rounded to the nearest
// integer (halves away from a), in integer arithmetic; equal neighbours are kept once.
std::vector<std::int64_t> integer_steps(std::int64_t a, std::int64_t b, std::int64_t n) {
  const std::int64_t span = b > a ? b - a : a - b;  // |b - a| <= 2^54: no overflow
  const std::int64_t sign = b > a ? 1 : -1;
  const std::int64_t q = span / (n - 1), r = span % (n - 1);
  std::vector<std::int64_t> out;
  for (std::int64_t k = 0; k < n; ++k) {
    const std::int64_t offset = q * k + (2 * r * k + (n - 1)) / (2 * (n - 1));  // r·k < 10^6: exact
    const std::int64_t v = a + sign * offset;
    if (out.empty() || out.back() != v) out.push_back(v);
  }
  return out;
}

std::string join_values(const std::vector<json>& values) {
  std::string out;
  for (const json& v : values) out += (out.empty() ? "" : ", ") + v.dump();
  return out;
}

// A range over a field that takes integers: integer ends, values rounded to integers, said in `note`.
std::string integer_range_values(const range_text& r, const json& from, const json& to, std::int64_t n,
                                 vary_parse& result, std::vector<json>& out) {
  const auto a = exact_integer(from), b = exact_integer(to);
  if (!a || !b) {
    return fmt::format("{} takes integers: write the range with whole-number ends, e.g. {}..{}/{}", result.path,
                       std::llround(from.get<double>()), std::llround(to.get<double>()), n);
  }
  for (const std::int64_t v : integer_steps(*a, *b, n)) out.emplace_back(v);
  if ((*b - *a) % (n - 1) == 0) return "";
  result.note = fmt::format("{}..{}/{}: {} takes integers, so the {} evenly spaced values are rounded to the "
                            "nearest integer{}: {}",
                            trim(r.from), trim(r.to), n, result.path, n,
                            static_cast<std::int64_t>(out.size()) < n
                                ? fmt::format(" and the repeats dropped ({} distinct)", out.size())
                                : "",
                            join_values(out));
  return "";
}

std::string range_values(const range_text& r, bool integer_field, vary_parse& result, std::vector<json>& out) {
  const auto from = read_number(r.from);
  const auto to = read_number(r.to);
  if (!to) return fmt::format("'{}' is not a number; write A..B/N, {}", trim(r.to), vary_example);
  if (trim(r.count).empty()) {
    return fmt::format("the range {}..{} needs a count: {}..{}/N gives N evenly spaced values", trim(r.from),
                       trim(r.to), trim(r.from), trim(r.to));
  }
  const auto count = read_number(r.count);
  if (!count || !count->is_number_integer() || count->get<double>() < 2 ||
      count->get<double>() > static_cast<double>(tune_values_max)) {
    return fmt::format("the count after '/' must be an integer from 2 to {}, got '{}'", tune_values_max,
                       trim(r.count));
  }
  const auto n = count->get<std::int64_t>();
  const double a = from->get<double>(), b = to->get<double>();
  if (!std::isfinite(a) || !std::isfinite(b)) return "the range ends must be finite numbers";
  if (a == b) return fmt::format("the range starts and ends at {}; list a single value instead", trim(r.from));
  if (integer_field) return integer_range_values(r, *from, *to, n, result, out);
  if (from->is_number_integer() && to->is_number_integer()) {
    const auto ia = exact_integer(*from), ib = exact_integer(*to);
    if (ia && ib && (*ib - *ia) % (n - 1) == 0) {
      for (const std::int64_t v : integer_steps(*ia, *ib, n)) out.emplace_back(v);
      return "";
    }
  }
  for (std::int64_t k = 0; k + 1 < n; ++k) {
    out.emplace_back(round_sig12(a + (b - a) * static_cast<double>(k) / static_cast<double>(n - 1)));
  }
  out.emplace_back(b);
  return "";
}

std::string list_values(std::string_view text, std::vector<json>& out) {
  const auto items = split_list(text);
  if (items.size() > tune_values_max) return fmt::format("more than {} values", tune_values_max);
  for (std::string_view item : items) {
    item = trim(item);
    if (item.empty()) return fmt::format("an empty value in the list; write values separated by commas, {}", vary_example);
    out.push_back(read_value(item));
  }
  return "";
}

}  // namespace

vary_parse parse_vary(const std::string& text, const integer_field_test& integer_field) {
  vary_parse r;
  const std::size_t eq = text.find('=');
  if (eq == std::string::npos) {
    r.error = fmt::format("missing '='; write PATH=V1,V2,... or PATH=A..B/N, {}", vary_example);
    return r;
  }
  r.path = std::string(trim(std::string_view(text).substr(0, eq)));
  if (r.path.empty()) {
    r.error = fmt::format("the path before '=' is empty; {}", vary_example);
    return r;
  }
  if (std::string problem = check_vary_path(r.path); !problem.empty()) {
    r.error = std::move(problem);
    return r;
  }
  const std::string_view values = trim(std::string_view(text).substr(eq + 1));
  if (values.empty()) {
    r.error = fmt::format("no values after '='; {}", vary_example);
    return r;
  }
  tune_param p{r.path, {}};
  const auto range = split_range(values);
  const bool integers = range && integer_field && integer_field(r.path);
  r.error = range ? range_values(*range, integers, r, p.values) : list_values(values, p.values);
  if (!r.error.empty()) return r;
  for (std::size_t i = 0; i < p.values.size(); ++i) {
    for (std::size_t j = 0; j < i; ++j) {
      if (p.values[i] == p.values[j]) {
        r.error = fmt::format("the value {} is listed twice", p.values[i].dump());
        return r;
      }
    }
  }
  r.value = std::move(p);
  return r;
}

std::string check_vary_path(const std::string& path) {
  const std::string_view first = std::string_view(path).substr(0, path.find_first_of(".["));
  for (const char* fixed : {"squall", "name", "seed", "gates", "expect"}) {
    if (first == fixed) {
      return fmt::format("'{}' cannot be varied: every candidate shares the scenario's name, seeds, gates and "
                         "expectation (change it with --set, --seed or --seeds for the whole tune)",
                         fixed);
    }
  }
  return "";
}

std::string override_value_text(const json& value) {
  if (value.is_string()) {
    const auto& s = value.get_ref<const std::string&>();
    // Bare unless it would read back as something else (a number, true, a JSON text) or lose spaces.
    if (!s.empty() && !json::accept(s) && trim(s) == s) return s;
  }
  return value.dump();
}

tune_grid::tune_grid(std::vector<tune_param> params) : params_(std::move(params)) {
  for (const auto& p : params_) {
    const auto n = static_cast<std::uint64_t>(p.values.size());
    if (n == 0 || size_ > std::numeric_limits<std::uint64_t>::max() / n) {
      size_ = n == 0 ? 0 : std::numeric_limits<std::uint64_t>::max();
      if (n == 0) return;
    } else {
      size_ *= n;
    }
  }
}

std::vector<std::size_t> tune_grid::coordinates(std::uint64_t i) const {
  std::vector<std::size_t> c(params_.size());
  for (std::size_t k = params_.size(); k-- > 0;) {
    const auto n = static_cast<std::uint64_t>(params_[k].values.size());
    c[k] = static_cast<std::size_t>(i % n);
    i /= n;
  }
  return c;
}

std::vector<std::string> tune_grid::overrides(std::uint64_t i) const {
  const auto c = coordinates(i);
  std::vector<std::string> out;
  for (std::size_t k = 0; k < params_.size(); ++k) {
    out.push_back(params_[k].path + "=" + override_value_text(params_[k].values[c[k]]));
  }
  return out;
}

std::vector<std::uint64_t> draw_candidates(std::uint64_t size, std::uint64_t count, std::uint64_t seed) {
  std::vector<std::uint64_t> out;
  if (count >= size) {
    for (std::uint64_t i = 0; i < size; ++i) out.push_back(i);
    return out;
  }
  sim::rng rng = sim::rng(seed).fork("tune.random");
  // Unbiased draw in [0, n): reject the top sliver that would make `% n` favour small values.
  const auto below = [&rng](std::uint64_t n) {
    const std::uint64_t reject_under = (0 - n) % n;
    for (;;) {
      const std::uint64_t r = rng.next();
      if (r >= reject_under) return r % n;
    }
  };
  std::set<std::uint64_t> chosen;  // Floyd: every count-subset equally likely, count draws
  for (std::uint64_t j = size - count; j < size; ++j) {
    const std::uint64_t t = below(j + 1);
    chosen.insert(chosen.count(t) != 0 ? j : t);
  }
  out.assign(chosen.begin(), chosen.end());
  return out;
}

json snippet_for(const json& document, const std::vector<std::string>& paths) {
  json out = json::object();
  for (const std::string& path : paths) {
    const json* src = &document;
    json* dst = &out;
    const std::vector<std::string> segments = path_tokens(path);
    for (std::size_t i = 0; i < segments.size(); ++i) {
      const std::string& seg = segments[i];
      if (!src->is_object() || seg.front() == '[' || !src->contains(seg)) break;
      src = &src->at(seg);
      if (!src->is_object() || i + 1 == segments.size()) {
        (*dst)[seg] = *src;  // the value (an object when the whole object was varied), or a whole array on the way
        break;
      }
      if (!dst->contains(seg) || !(*dst)[seg].is_object()) (*dst)[seg] = json::object();
      dst = &(*dst)[seg];
    }
  }
  return out;
}

}  // namespace squall::runner
