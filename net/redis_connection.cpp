#include "net/redis_connection.hpp"

#include <hiredis/hiredis.h>

#include <algorithm>
#include <array>
#include <charconv>
#include <deque>
#include <stdexcept>
#include <utility>

#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/write.hpp>

namespace squall::net {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;
using steady = std::chrono::steady_clock;

namespace {

struct reader_deleter {
  void operator()(redisReader* r) const { redisReaderFree(r); }
};
using reader_ptr = std::unique_ptr<redisReader, reader_deleter>;

reader_ptr new_reader() {
  reader_ptr r(redisReaderCreate());
  if (!r) throw std::bad_alloc();
  return r;
}

redis_reply convert(const redisReply& r) {
  redis_reply out;
  switch (r.type) {
    case REDIS_REPLY_STATUS: out.type = redis_reply::kind::status; break;
    case REDIS_REPLY_ERROR: out.type = redis_reply::kind::error; break;
    case REDIS_REPLY_STRING: out.type = redis_reply::kind::string; break;
    case REDIS_REPLY_INTEGER: out.type = redis_reply::kind::integer; break;
    case REDIS_REPLY_ARRAY: out.type = redis_reply::kind::array; break;
    default: out.type = redis_reply::kind::nil; break;
  }
  if (r.str != nullptr) out.str.assign(r.str, r.len);
  out.integer = r.integer;
  out.elements.reserve(r.elements);
  for (std::size_t i = 0; i < r.elements; ++i) out.elements.push_back(convert(*r.element[i]));
  return out;
}

void append_number(std::string& out, std::size_t n) {
  std::array<char, 24> buf{};
  auto [end, ec] = std::to_chars(buf.data(), buf.data() + buf.size(), n);
  out.append(buf.data(), end);
}

template <typename Args>
void encode(std::string& out, const Args& args) {
  out += '*';
  append_number(out, args.size());
  out += "\r\n";
  for (const auto& a : args) {
    out += '$';
    append_number(out, a.size());
    out += "\r\n";
    out.append(a.data(), a.size());
    out += "\r\n";
  }
}

}  // namespace

class redis_connection::impl : public std::enable_shared_from_this<impl> {
 public:
  impl(asio::io_context& io, redis_connection_config config)
      : io_(io), config_(std::move(config)), timer_(io), reader_(new_reader()),
        backoff_(config_.reconnect_backoff_min) {}

  template <typename Args>
  void command(const Args& args, stack::duration timeout, redis_callback done) {
    ++stats_.commands;
    const auto now = steady::now();
    if (state_ == state::backoff && now >= retry_at_) state_ = state::idle;
    if (state_ == state::idle && pending_.size() < config_.max_outstanding) start_connect(now);
    if (state_ == state::backoff || pending_.size() >= config_.max_outstanding) {
      fail_later(std::move(done), redis_status::unavailable);
      return;
    }
    encode(out_, args);
    ++unsent_;
    const auto deadline = now + timeout;
    pending_.push_back({std::move(done), deadline, false});
    arm_timer(deadline);
    flush_soon();
  }

  void connect() {
    const auto now = steady::now();
    if (state_ == state::backoff && now >= retry_at_) state_ = state::idle;
    if (state_ == state::idle) start_connect(now);
  }

  void close() {
    if (state_ == state::connected || state_ == state::connecting) {
      go_down(state_ == state::connected);
      state_ = state::idle;
    }
  }

  // The owner is gone: drop everything, let in-flight handlers find `dead_`.
  void shutdown() {
    dead_ = true;
    if (link_) {
      boost::system::error_code ignored;
      link_->socket.close(ignored);
      link_.reset();
    }
    timer_.cancel();
    pending_.clear();
  }

  bool connected() const { return state_ == state::connected; }
  std::size_t outstanding() const { return pending_.size(); }
  const redis_connection_stats& stats() const { return stats_; }
  const redis_connection_config& config() const { return config_; }

 private:
  enum class state : std::uint8_t { idle, connecting, connected, backoff };

  struct slot {
    redis_callback done;
    steady::time_point deadline;
    bool answered = false;  // timed out: the reply, when it comes, is dropped
  };

  // One TCP connection's socket and buffers; handlers hold it, so a replaced link's late handlers are harmless.
  struct link {
    explicit link(asio::io_context& io) : socket(io) {}
    tcp::socket socket;
    std::string writing;
    bool write_in_flight = false;
    std::array<char, 16 * 1024> in{};
  };

  void start_connect(steady::time_point now) {
    state_ = state::connecting;
    link_ = std::make_shared<link>(io_);
    reader_ = new_reader();
    std::vector<tcp::endpoint> endpoints;
    boost::system::error_code ec;
    const auto address = asio::ip::make_address(config_.host, ec);
    if (!ec) {
      endpoints.emplace_back(address, config_.port);
    } else {
      tcp::resolver resolver(io_);
      for (const auto& e : resolver.resolve(config_.host, std::to_string(config_.port), ec))
        endpoints.push_back(e.endpoint());
    }
    if (endpoints.empty()) {
      connect_failed();
      return;
    }
    connect_deadline_ = now + config_.connect_timeout;
    arm_timer(connect_deadline_);
    asio::async_connect(link_->socket, endpoints,
                        [self = shared_from_this(), l = link_](const boost::system::error_code& e, const tcp::endpoint&) {
                          self->on_connect(l, e);
                        });
  }

  void on_connect(const std::shared_ptr<link>& l, const boost::system::error_code& ec) {
    if (dead_ || l != link_) return;
    if (ec) {
      connect_failed();
      return;
    }
    state_ = state::connected;
    ++stats_.connects;
    backoff_ = config_.reconnect_backoff_min;
    boost::system::error_code ignored;
    l->socket.set_option(tcp::no_delay(true), ignored);
    flush();
    read(l);
  }

  void connect_failed() {
    ++stats_.connect_failures;
    go_down(false);
    state_ = state::backoff;
    retry_at_ = steady::now() + backoff_;
    backoff_ = std::min(backoff_ * 2, config_.reconnect_backoff_max);
  }

  // An established connection broke (EOF, reset, protocol error).
  void broken() {
    ++stats_.disconnects;
    go_down(true);
    state_ = state::backoff;
    retry_at_ = steady::now() + backoff_;
    backoff_ = std::min(backoff_ * 2, config_.reconnect_backoff_max);
  }

  // Closes the link and fails every waiting command: those still in out_ were never sent (unavailable); the
  // others were handed to the socket of an established connection (lost: they may have run).
  void go_down(bool was_connected) {
    if (link_) {
      boost::system::error_code ignored;
      link_->socket.close(ignored);
      link_.reset();
    }
    std::deque<slot> failed;
    failed.swap(pending_);
    const std::size_t first_unsent = was_connected ? failed.size() - unsent_ : 0;
    unsent_ = 0;
    out_.clear();
    for (std::size_t i = 0; i < failed.size(); ++i) {
      if (failed[i].answered) continue;
      fail_later(std::move(failed[i].done), i < first_unsent ? redis_status::lost : redis_status::unavailable);
    }
  }

  void fail_later(redis_callback done, redis_status status) {
    ++(status == redis_status::lost ? stats_.lost : stats_.unavailable);
    asio::post(io_, [self = shared_from_this(), done = std::move(done), status]() mutable {
      if (self->dead_) return;
      redis_result r;
      r.status = status;
      done(std::move(r));
    });
  }

  // Commands issued in the same handler (e.g. by the callbacks of one read's replies) go out in one write.
  void flush_soon() {
    if (flush_posted_ || state_ != state::connected || link_->write_in_flight) return;
    flush_posted_ = true;
    asio::post(io_, [self = shared_from_this()] {
      self->flush_posted_ = false;
      if (!self->dead_) self->flush();
    });
  }

  void flush() {
    if (state_ != state::connected || link_->write_in_flight || out_.empty()) return;
    link_->writing.swap(out_);
    out_.clear();
    unsent_ = 0;
    link_->write_in_flight = true;
    asio::async_write(link_->socket, asio::buffer(link_->writing),
                      [self = shared_from_this(), l = link_](const boost::system::error_code& ec, std::size_t) {
                        self->on_write(l, ec);
                      });
  }

  void on_write(const std::shared_ptr<link>& l, const boost::system::error_code& ec) {
    if (dead_ || l != link_) return;
    l->write_in_flight = false;
    l->writing.clear();
    if (ec) {
      broken();
      return;
    }
    flush();
  }

  void read(const std::shared_ptr<link>& l) {
    l->socket.async_read_some(asio::buffer(l->in),
                              [self = shared_from_this(), l](const boost::system::error_code& ec, std::size_t n) {
                                self->on_read(l, ec, n);
                              });
  }

  void on_read(const std::shared_ptr<link>& l, const boost::system::error_code& ec, std::size_t n) {
    if (dead_ || l != link_) return;
    if (ec || redisReaderFeed(reader_.get(), l->in.data(), n) != REDIS_OK) {
      broken();
      return;
    }
    for (;;) {
      void* raw = nullptr;
      if (redisReaderGetReply(reader_.get(), &raw) != REDIS_OK || (raw != nullptr && pending_.empty())) {
        if (raw != nullptr) freeReplyObject(raw);
        broken();  // a protocol error, or a reply to nothing we asked
        return;
      }
      if (raw == nullptr) break;
      ++stats_.replies;
      slot s = std::move(pending_.front());
      pending_.pop_front();
      if (s.answered) {
        ++stats_.late_replies;
        freeReplyObject(raw);
        continue;
      }
      redis_result r;
      r.reply = convert(*static_cast<redisReply*>(raw));
      freeReplyObject(raw);
      s.done(std::move(r));
      if (dead_ || l != link_) return;  // the callback closed the connection
    }
    read(l);
  }

  void arm_timer(steady::time_point at) {
    if (at >= timer_at_) return;
    timer_at_ = at;
    timer_.expires_at(at);
    timer_.async_wait([self = shared_from_this(), generation = ++timer_generation_](const boost::system::error_code&) {
      if (!self->dead_ && generation == self->timer_generation_) self->on_timer();
    });
  }

  void on_timer() {
    timer_at_ = steady::time_point::max();
    const auto now = steady::now();
    std::vector<redis_callback> expired;
    auto next = steady::time_point::max();
    for (auto& s : pending_) {
      if (s.answered) continue;
      if (s.deadline <= now) {
        s.answered = true;
        expired.push_back(std::move(s.done));
      } else {
        next = std::min(next, s.deadline);
      }
    }
    stats_.timeouts += expired.size();
    if (state_ == state::connecting) {
      if (now >= connect_deadline_) {
        connect_failed();
      } else {
        next = std::min(next, connect_deadline_);
      }
    }
    if (next != steady::time_point::max()) arm_timer(next);
    for (auto& done : expired) {
      if (dead_) return;
      redis_result r;
      r.status = redis_status::timeout;
      done(std::move(r));
    }
  }

  asio::io_context& io_;
  redis_connection_config config_;
  asio::steady_timer timer_;
  steady::time_point timer_at_ = steady::time_point::max();
  std::uint64_t timer_generation_ = 0;
  reader_ptr reader_;
  std::shared_ptr<link> link_;
  state state_ = state::idle;
  std::deque<slot> pending_;  // FIFO of commands waiting for a reply (sent, or in out_)
  std::string out_;           // encoded commands not yet handed to a write
  std::size_t unsent_ = 0;    // the last unsent_ entries of pending_ are in out_
  steady::time_point connect_deadline_{};
  steady::time_point retry_at_{};
  stack::duration backoff_;
  bool flush_posted_ = false;
  bool dead_ = false;
  redis_connection_stats stats_;
};

redis_connection::redis_connection(asio::io_context& io, redis_connection_config config)
    : impl_(std::make_shared<impl>(io, std::move(config))) {}

redis_connection::~redis_connection() { impl_->shutdown(); }

void redis_connection::command(std::initializer_list<std::string_view> args, stack::duration timeout,
                               redis_callback done) {
  impl_->command(args, timeout, std::move(done));
}

void redis_connection::command(const std::vector<std::string>& args, stack::duration timeout, redis_callback done) {
  impl_->command(args, timeout, std::move(done));
}

void redis_connection::connect() { impl_->connect(); }
void redis_connection::close() { impl_->close(); }
bool redis_connection::connected() const { return impl_->connected(); }
std::size_t redis_connection::outstanding() const { return impl_->outstanding(); }
const redis_connection_stats& redis_connection::stats() const { return impl_->stats(); }
const redis_connection_config& redis_connection::config() const { return impl_->config(); }

const char* to_string(redis_status s) {
  switch (s) {
    case redis_status::ok: return "ok";
    case redis_status::timeout: return "timeout";
    case redis_status::unavailable: return "unavailable";
    case redis_status::lost: return "lost";
  }
  return "?";
}

}  // namespace squall::net
