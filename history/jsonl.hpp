#pragma once
// The JSONL codec of a history (docs/report-format.md): line 1 is the header, then one event per line, with the
// fields in a fixed order and only the fields the event's type uses. Writing is on the hot path of long runs
// and formats by hand into a large buffer; reading is strict (unknown types or fields, missing fields, bad
// values and out-of-order events are errors with the line number) and streams line by line with a bounded
// line length, so a history of any size reads in constant memory.
#include <cstdint>
#include <cstdio>
#include <iosfwd>
#include <memory>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "history/event.hpp"

namespace squall::history {

inline constexpr int jsonl_schema = 1;
// Longest accepted line. An event line is < 300 bytes; the header carries free text (description, gates,
// repro), so it gets more room. Both bounds protect `squall check` from hostile or corrupt files.
inline constexpr std::size_t jsonl_max_event_line_bytes = 4096;
inline constexpr std::size_t jsonl_max_header_line_bytes = 1 << 20;

// A decode error; what() reads "line 12: ...".
class jsonl_error : public std::runtime_error {
 public:
  jsonl_error(std::uint64_t line, const std::string& message);
  std::uint64_t line() const { return line_; }

 private:
  std::uint64_t line_;
};

// The header as one JSON line, without the trailing newline.
std::string encode_header(const header& h);
// Parses a header line (strict). Throws jsonl_error with the given line number.
header decode_header(std::string_view line, std::uint64_t line_number = 1);

// Writes a history: the header line at construction, then one line per event. Output is buffered (1 MiB) and
// flushed when the buffer fills, on flush() and on destruction. Throws std::invalid_argument for an event that
// names a dependency, fault or candidate the header does not have (a wiring bug, not data), and for a dependency name
// longer than 256 bytes.
class jsonl_writer final : public event_sink {
 public:
  jsonl_writer(std::ostream& out, const header& h);
  jsonl_writer(std::FILE* out, const header& h);
  ~jsonl_writer() override;
  jsonl_writer(const jsonl_writer&) = delete;
  jsonl_writer& operator=(const jsonl_writer&) = delete;

  void on_event(const event& e) override;
  void flush();
  std::uint64_t events_written() const { return events_; }

 private:
  void start(const header& h);
  void reserve(std::size_t bytes);
  void put(std::string_view s);
  // A string literal after reserve(): fixed-size copy the compiler inlines (most of an event line).
  template <std::size_t N>
  void put_lit(const char (&s)[N]) {
    for (std::size_t i = 0; i + 1 < N; ++i) buf_[len_ + i] = s[i];
    len_ += N - 1;
  }
  void put_unchecked(std::string_view s);
  void put_int(std::int64_t v);
  void put_uint(std::uint64_t v);
  void put_dep(std::uint16_t dep);
  void drain();

  std::ostream* stream_ = nullptr;
  std::FILE* file_ = nullptr;
  std::vector<std::string> dep_json_;  // dependency names, already JSON-quoted
  std::size_t fault_count_ = 0;
  std::size_t candidate_count_ = 0;
  std::unique_ptr<char[]> buf_;
  std::size_t len_ = 0;
  std::uint64_t events_ = 0;
};

namespace jsonl_detail {
struct raw_event;
}

// Reads a history line by line: the header at construction, then next() per event.
class jsonl_reader {
 public:
  explicit jsonl_reader(std::istream& in);
  ~jsonl_reader();
  const history::header& header() const { return header_; }
  // Decodes the next event into `e`; false at the end of the input. Throws jsonl_error.
  bool next(event& e);
  // Feeds every remaining event to `sink`; returns how many.
  std::uint64_t read_all(event_sink& sink);
  // The number of the last line read (1 = header).
  std::uint64_t line() const { return line_; }

 private:
  bool read_line(std::size_t max_bytes);

  std::istream& in_;
  std::unique_ptr<jsonl_detail::raw_event> raw_;  // per-line scratch, reused
  history::header header_;
  std::string line_buf_;
  std::uint64_t line_ = 0;
  bool have_last_ = false;
  std::int64_t last_t_ns_ = 0;
  std::uint64_t last_seq_ = 0;
};

// Convenience for sinks that do not need the header up front: reads the header into `h` and feeds every event
// to `sink`. Returns the number of events. Throws jsonl_error.
std::uint64_t read_history(std::istream& in, header& h, event_sink& sink);

}  // namespace squall::history
