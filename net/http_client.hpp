#pragma once
// An HTTP/1.1 client for one target (endpoint + path, GET) on a caller's single-threaded io_context: the
// real runtime's send_http and `squall load` go through it.
//
// - A bounded pool of keep-alive connections (max_connections), opened on demand. A request waits FIFO for a
//   free connection in a bounded queue (max_queued); a send() beyond that bound fails at once (posted, never
//   inside send()) as connect_failure: the client itself refused to connect, nothing was sent.
// - One deadline per attempt, from send(): it covers waiting for a connection, connecting, writing and reading.
//   When it passes, the attempt ends as `timeout` and its connection is closed (the server may still act on the
//   request; closing is the only way to stop waiting for its answer on HTTP/1.1).
// - Results: `response` (status, Retry-After as delta-seconds or HTTP-date), `timeout`, `reset` (EOF, RST or a
//   malformed response after the request was written), `connect_failure` (refused or unreachable).
//   latency = from send() to the result. `done` is called exactly once, never from inside send().
// - A keep-alive connection the server closed while idle is noticed before writing (a non-blocking peek) and
//   reopened; a write that fails with nothing sent is retried once on a fresh connection. A request that may
//   have reached the server is never sent again.
//
// The hot path does not allocate: one request buffer for the target, a flat read buffer and a header-only
// response parser per connection (bodies are discarded), request slots and deadlines in reused vectors, and one
// timer for every deadline (a min-heap, stale entries skipped lazily).
// Destroy the client when no request is in flight, or after its io_context stopped for good.
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>

#include "stack/worker/ports.hpp"

namespace squall::net {

// Retry-After as a duration: delta-seconds ("120") or an HTTP-date relative to `now`; 0 when absent, in the
// past or malformed.
stack::duration parse_retry_after(std::string_view value, std::chrono::system_clock::time_point now);

struct http_client_config {
  boost::asio::ip::tcp::endpoint endpoint;
  std::string host;            // the Host header ("127.0.0.1:8080")
  std::string path = "/";      // request target, with its query
  std::size_t max_connections = 64;
  std::size_t max_queued = 4096;  // requests waiting for a connection
};

struct http_client_stats {
  std::uint64_t connects = 0;           // connections opened
  std::uint64_t reconnects = 0;         // transparent reopenings (server closed an idle keep-alive connection)
  std::uint64_t rejected = 0;           // send() beyond max_queued
  std::uint64_t timeouts_closed = 0;    // connections closed by a deadline
  std::size_t max_open = 0;             // most connections open at once
};

class http_client {
 public:
  using clock = std::chrono::steady_clock;

  http_client(boost::asio::io_context& io, http_client_config config);
  ~http_client();
  http_client(const http_client&) = delete;
  http_client& operator=(const http_client&) = delete;

  // One GET attempt; `done` gets exactly one result, after at most `timeout` (plus scheduling delay).
  void send(stack::duration timeout, stack::http_handler done);

  // Inside a `done` callback: time from writing that request to its result, without the wait for a connection
  // or a connect (0 when it was never written). `squall load` reports it as service time.
  stack::duration last_service_time() const { return last_service_; }

  std::size_t in_flight() const { return live_; }  // queued or on a connection
  std::size_t open_connections() const { return open_; }
  const http_client_stats& stats() const { return stats_; }
  const http_client_config& config() const { return config_; }

 private:
  struct connection;
  struct slot;
  struct slot_ref {
    std::uint32_t index;
    std::uint32_t generation;
  };
  struct deadline_entry {
    clock::time_point at;
    slot_ref ref;
    bool operator>(const deadline_entry& o) const { return at > o.at; }
  };
  static constexpr std::uint32_t none = ~std::uint32_t{0};

  std::uint32_t take_slot();
  bool live(slot_ref r) const;
  void push_deadline(slot_ref r, clock::time_point at);
  void arm(clock::time_point at);
  void on_deadline(std::uint64_t generation);
  void expire(std::uint32_t index, clock::time_point now);
  void pump();
  void assign(std::uint32_t conn, std::uint32_t index);
  void connect(std::uint32_t conn);
  void write(std::uint32_t conn);
  void on_connect(std::uint32_t conn, const boost::system::error_code& ec);
  void on_write(std::uint32_t conn, const boost::system::error_code& ec, std::size_t sent);
  void on_read(std::uint32_t conn, const boost::system::error_code& ec);
  bool server_closed_idle(connection& c);
  void close(std::uint32_t conn);
  bool draining(std::uint32_t conn);
  void finish(std::uint32_t index, stack::attempt_result result);

  boost::asio::io_context& io_;
  http_client_config config_;
  std::string request_;  // the serialized GET, the same bytes for every request
  std::vector<std::unique_ptr<connection>> connections_;
  std::vector<std::uint32_t> idle_;    // open keep-alive connections, most recently used last
  std::vector<std::uint32_t> closed_;  // connections that can be (re)opened
  std::vector<slot> slots_;
  std::vector<std::uint32_t> free_slots_;
  std::deque<slot_ref> queue_;         // waiting for a connection, FIFO; expired entries skipped
  std::size_t queued_ = 0;             // live entries in queue_
  std::vector<deadline_entry> deadlines_;  // min-heap
  boost::asio::steady_timer timer_;
  clock::time_point armed_at_{};
  bool armed_ = false;
  std::uint64_t timer_generation_ = 0;
  std::size_t live_ = 0;
  std::size_t open_ = 0;
  stack::duration last_service_{0};
  http_client_stats stats_;
};

}  // namespace squall::net
