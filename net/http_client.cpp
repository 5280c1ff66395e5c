#include "net/http_client.hpp"

#include <sys/socket.h>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <ctime>
#include <optional>

#include <boost/asio/connect.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/basic_parser.hpp>
#include <boost/beast/http/read.hpp>
#include <fmt/format.h>

#include "stack/core/assert.hpp"

namespace squall::net {

namespace asio = boost::asio;
namespace http = boost::beast::http;
using boost::system::error_code;

stack::duration parse_retry_after(std::string_view value, std::chrono::system_clock::time_point now) {
  while (!value.empty() && (value.front() == ' ' || value.front() == '\t')) value.remove_prefix(1);
  while (!value.empty() && (value.back() == ' ' || value.back() == '\t')) value.remove_suffix(1);
  if (value.empty()) return stack::duration{0};
  std::int64_t seconds = 0;
  const auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), seconds);
  if (ec == std::errc{} && end == value.data() + value.size()) {
    // A day is plenty; beyond it the value is more likely garbage than advice.
    return std::chrono::seconds(std::clamp<std::int64_t>(seconds, 0, 86400));
  }
  // IMF-fixdate, the only HTTP-date form senders may generate (RFC 9110 §5.6.7).
  std::tm tm{};
  const std::string text(value);
  const char* parsed = strptime(text.c_str(), "%a, %d %b %Y %H:%M:%S GMT", &tm);
  if (parsed == nullptr || *parsed != '\0') return stack::duration{0};
  const auto at = std::chrono::system_clock::from_time_t(timegm(&tm));
  if (at <= now) return stack::duration{0};
  return std::min<stack::duration>(std::chrono::duration_cast<stack::duration>(at - now), std::chrono::hours(24));
}

namespace {

// A response parser that keeps the status, Retry-After and keep-alive and discards the body: no field storage,
// so parsing a response allocates nothing.
class response_reader final : public http::basic_parser<false> {
 public:
  response_reader() { body_limit(boost::none); }  // bodies are discarded: any size costs no memory
  int status = 0;
  stack::duration retry_after{0};

 private:
  void on_request_impl(http::verb, boost::beast::string_view, boost::beast::string_view, int, error_code&) override {}
  void on_response_impl(int code, boost::beast::string_view, int, error_code&) override { status = code; }
  void on_field_impl(http::field name, boost::beast::string_view, boost::beast::string_view value,
                     error_code&) override {
    if (name == http::field::retry_after) {
      retry_after = parse_retry_after(std::string_view(value.data(), value.size()), std::chrono::system_clock::now());
    }
  }
  void on_header_impl(error_code&) override {}
  void on_body_init_impl(const boost::optional<std::uint64_t>&, error_code&) override {}
  std::size_t on_body_impl(boost::beast::string_view body, error_code&) override { return body.size(); }
  void on_chunk_header_impl(std::uint64_t, boost::beast::string_view, error_code&) override {}
  std::size_t on_chunk_body_impl(std::uint64_t, boost::beast::string_view body, error_code&) override {
    return body.size();
  }
  void on_finish_impl(error_code&) override {}
};

}  // namespace

struct http_client::connection {
  enum class state : std::uint8_t { closed, connecting, writing, reading, idle, draining };
  explicit connection(asio::io_context& io) : socket(io) {}
  asio::ip::tcp::socket socket;
  boost::beast::flat_buffer buffer;
  std::optional<response_reader> reader;
  state st = state::closed;
  std::uint32_t slot = none;  // the request on this connection
};

struct http_client::slot {
  enum class state : std::uint8_t { free, queued, active };
  stack::http_handler done;
  clock::time_point start{};
  clock::time_point deadline{};
  clock::time_point written{};  // when its bytes were handed to the socket (epoch: not yet)
  std::uint32_t generation = 0;
  state st = state::free;
  bool retried = false;  // the one transparent retry was used
};

http_client::http_client(asio::io_context& io, http_client_config config)
    : io_(io), config_(std::move(config)), timer_(io) {
  SQUALL_ASSERT(config_.max_connections > 0, "an HTTP client needs at least one connection");
  request_ = fmt::format("GET {} HTTP/1.1\r\nHost: {}\r\nUser-Agent: squall\r\nAccept: */*\r\n\r\n", config_.path,
                         config_.host);
  for (std::size_t i = 0; i < config_.max_connections; ++i) {
    connections_.push_back(std::make_unique<connection>(io_));
    closed_.push_back(static_cast<std::uint32_t>(config_.max_connections - 1 - i));  // open #0 first
  }
}

http_client::~http_client() = default;

std::uint32_t http_client::take_slot() {
  if (!free_slots_.empty()) {
    const std::uint32_t i = free_slots_.back();
    free_slots_.pop_back();
    return i;
  }
  slots_.emplace_back();
  return static_cast<std::uint32_t>(slots_.size() - 1);
}

bool http_client::live(slot_ref r) const {
  const slot& s = slots_[r.index];
  return s.generation == r.generation && s.st != slot::state::free;
}

void http_client::send(stack::duration timeout, stack::http_handler done) {
  const clock::time_point now = clock::now();
  if (closed_.empty() && idle_.empty() && queued_ >= config_.max_queued) {
    ++stats_.rejected;
    asio::post(io_, [this, done] {
      last_service_ = stack::duration{0};
      stack::attempt_result r;
      r.kind = stack::attempt_kind::connect_failure;
      done.fn(done.self, done.arg, r);
    });
    return;
  }
  const std::uint32_t index = take_slot();
  slot& s = slots_[index];
  s.done = done;
  s.start = now;
  s.written = {};
  s.deadline = now + timeout;
  s.retried = false;
  s.st = slot::state::queued;
  ++live_;
  push_deadline({index, s.generation}, s.deadline);
  queue_.push_back({index, s.generation});
  ++queued_;
  pump();
}

// Hands queued requests to free connections, oldest first: an idle one (most recently used) or a new one.
void http_client::pump() {
  clock::time_point now{};
  while (queued_ > 0 && (!idle_.empty() || !closed_.empty())) {
    const slot_ref r = queue_.front();
    if (live(r)) {
      // Past its deadline already: its timer is due, so let it expire there instead of taking (and, on its
      // timeout, closing) a connection.
      if (now == clock::time_point{}) now = clock::now();
      if (slots_[r.index].deadline <= now) break;
    }
    queue_.pop_front();
    if (!live(r)) continue;
    --queued_;
    std::uint32_t conn;
    if (!idle_.empty()) {
      conn = idle_.back();
      idle_.pop_back();
    } else {
      conn = closed_.back();
      closed_.pop_back();
    }
    assign(conn, r.index);
  }
  // Expired entries pile up behind a live head only while no connection frees up; keep the deque bounded.
  if (queue_.size() > 2 * queued_ + 1024) {
    std::erase_if(queue_, [this](slot_ref r) { return !live(r); });
  }
}

void http_client::assign(std::uint32_t conn, std::uint32_t index) {
  connection& c = *connections_[conn];
  slots_[index].st = slot::state::active;
  c.slot = index;
  if (c.st == connection::state::idle && server_closed_idle(c)) {
    ++stats_.reconnects;
    close(conn);
  }
  if (c.st == connection::state::closed) {
    connect(conn);
  } else {
    write(conn);
  }
}

// Did the server close this idle keep-alive connection (EOF, RST or unsolicited bytes waiting)?
bool http_client::server_closed_idle(connection& c) {
  char byte;
  const ssize_t n = ::recv(c.socket.native_handle(), &byte, 1, MSG_PEEK | MSG_DONTWAIT);
  return !(n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK));
}

void http_client::connect(std::uint32_t conn) {
  connection& c = *connections_[conn];
  c.st = connection::state::connecting;
  c.buffer.clear();
  ++open_;
  stats_.max_open = std::max(stats_.max_open, open_);
  c.socket.async_connect(config_.endpoint, [this, conn](const error_code& ec) { on_connect(conn, ec); });
}

void http_client::on_connect(std::uint32_t conn, const error_code& ec) {
  if (draining(conn)) return;
  connection& c = *connections_[conn];
  if (ec) {
    close(conn);
    closed_.push_back(conn);
    stack::attempt_result r;
    r.kind = stack::attempt_kind::connect_failure;
    finish(std::exchange(c.slot, none), r);
    return;
  }
  ++stats_.connects;
  error_code ignored;
  c.socket.set_option(asio::ip::tcp::no_delay(true), ignored);
  write(conn);
}

void http_client::write(std::uint32_t conn) {
  connection& c = *connections_[conn];
  c.st = connection::state::writing;
  slots_[c.slot].written = clock::now();
  asio::async_write(c.socket, asio::buffer(request_),
                    [this, conn](const error_code& ec, std::size_t sent) { on_write(conn, ec, sent); });
}

void http_client::on_write(std::uint32_t conn, const error_code& ec, std::size_t sent) {
  if (draining(conn)) return;
  connection& c = *connections_[conn];
  if (ec) {
    close(conn);
    slot& s = slots_[c.slot];
    if (sent == 0 && !s.retried) {  // nothing reached the server: one fresh connection may try again
      s.retried = true;
      ++stats_.reconnects;
      connect(conn);
      return;
    }
    closed_.push_back(conn);
    stack::attempt_result r;
    r.kind = stack::attempt_kind::reset;
    finish(std::exchange(c.slot, none), r);
    return;
  }
  c.st = connection::state::reading;
  c.reader.emplace();
  http::async_read(c.socket, c.buffer, *c.reader, [this, conn](const error_code& e, std::size_t) { on_read(conn, e); });
}

void http_client::on_read(std::uint32_t conn, const error_code& ec) {
  if (draining(conn)) return;
  connection& c = *connections_[conn];
  stack::attempt_result r;
  if (ec) {
    r.kind = stack::attempt_kind::reset;
    close(conn);
    closed_.push_back(conn);
  } else {
    r.status = c.reader->status;
    r.retry_after = c.reader->retry_after;
    // Bytes beyond the response were never asked for: the connection is out of step, do not reuse it.
    if (c.reader->keep_alive() && c.buffer.size() == 0) {
      c.st = connection::state::idle;
      idle_.push_back(conn);
    } else {
      close(conn);
      closed_.push_back(conn);
    }
  }
  finish(std::exchange(c.slot, none), r);
}

void http_client::close(std::uint32_t conn) {
  connection& c = *connections_[conn];
  if (c.st == connection::state::closed) return;
  error_code ignored;
  c.socket.close(ignored);
  c.st = connection::state::closed;
  --open_;
}

// A connection whose attempt timed out was closed with an operation pending: that operation's handler (aborted)
// is the last one to touch it, and only then is it free again.
bool http_client::draining(std::uint32_t conn) {
  connection& c = *connections_[conn];
  if (c.st != connection::state::draining) return false;
  c.st = connection::state::closed;
  closed_.push_back(conn);
  pump();
  return true;
}

void http_client::finish(std::uint32_t index, stack::attempt_result result) {
  slot& s = slots_[index];
  const stack::http_handler done = s.done;
  const clock::time_point now = clock::now();
  result.latency = std::chrono::duration_cast<stack::duration>(now - s.start);
  last_service_ = s.written == clock::time_point{} ? stack::duration{0}
                                                   : std::chrono::duration_cast<stack::duration>(now - s.written);
  s.st = slot::state::free;
  ++s.generation;
  free_slots_.push_back(index);
  --live_;
  pump();  // before `done`: a send() from inside it must queue behind the requests already waiting
  done.fn(done.self, done.arg, result);
}

void http_client::push_deadline(slot_ref r, clock::time_point at) {
  // Finished requests leave their entries behind; drop them once they outnumber the live ones.
  if (deadlines_.size() > 2 * live_ + 1024) {
    std::erase_if(deadlines_, [this](const deadline_entry& d) { return !live(d.ref); });
    std::make_heap(deadlines_.begin(), deadlines_.end(), std::greater<>{});
  }
  deadlines_.push_back({at, r});
  std::push_heap(deadlines_.begin(), deadlines_.end(), std::greater<>{});
  if (!armed_ || at < armed_at_) arm(at);
}

void http_client::arm(clock::time_point at) {
  armed_ = true;
  armed_at_ = at;
  const std::uint64_t generation = ++timer_generation_;
  timer_.expires_at(at);  // cancels an earlier wait: its handler sees a stale generation
  timer_.async_wait([this, generation](const error_code&) { on_deadline(generation); });
}

void http_client::on_deadline(std::uint64_t generation) {
  if (generation != timer_generation_) return;
  armed_ = false;
  const clock::time_point now = clock::now();
  // Pops expired and finished entries: the timer then sleeps until a deadline that still matters.
  while (!deadlines_.empty()) {
    const deadline_entry top = deadlines_.front();
    if (live(top.ref) && top.at > now) break;
    std::pop_heap(deadlines_.begin(), deadlines_.end(), std::greater<>{});
    deadlines_.pop_back();
    if (live(top.ref)) expire(top.ref.index, now);
  }
  if (!deadlines_.empty() && (!armed_ || deadlines_.front().at < armed_at_)) arm(deadlines_.front().at);
}

void http_client::expire(std::uint32_t index, clock::time_point) {
  slot& s = slots_[index];
  if (s.st == slot::state::queued) {
    --queued_;  // its queue entry is now stale
  } else {
    // Find its connection: at most max_connections to look at, and only on a timeout.
    for (std::uint32_t conn = 0; conn < connections_.size(); ++conn) {
      connection& c = *connections_[conn];
      if (c.slot != index) continue;
      c.slot = none;
      if (c.st == connection::state::closed) {  // between close and reconnect: nothing pending
        closed_.push_back(conn);
      } else {
        close(conn);
        c.st = connection::state::draining;
      }
      ++stats_.timeouts_closed;
      break;
    }
  }
  stack::attempt_result r;
  r.kind = stack::attempt_kind::timeout;
  finish(index, r);
}

}  // namespace squall::net
