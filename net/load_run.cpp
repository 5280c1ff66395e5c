#include "net/load_run.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>

namespace squall::net {

namespace {

using clock = std::chrono::steady_clock;

class load_engine {
 public:
  load_engine(boost::asio::io_context& io, const load_config& config, const load_progress_fn& progress)
      : io_(io),
        config_(config),
        progress_(progress),
        client_(io, client_config(config)),
        loop_(io, loop_config(config), [this](stack::instant intended) { on_arrival(intended); }),
        ticker_(io) {}

  load_stats run() {
    start_ = clock::now();
    last_result_ = start_;
    loop_.start(start_, [this] { maybe_done(); });
    tick();
    io_.run();
    stats_.elapsed = std::chrono::duration_cast<stack::duration>(last_result_ - start_);
    stats_.loop = loop_.stats();
    stats_.client = client_.stats();
    if (progress_) progress_(stats_, since_start());
    return std::move(stats_);
  }

 private:
  static http_client_config client_config(const load_config& c) {
    http_client_config h;
    h.endpoint = c.endpoint;
    h.host = c.host_header;
    h.path = c.path;
    h.max_connections = c.connections;
    h.max_queued = c.max_in_flight;  // the loop never has more open: nothing is rejected by the client
    return h;
  }
  static open_loop_config loop_config(const load_config& c) {
    open_loop_config o;
    o.arrivals = c.arrivals;
    o.seed = c.seed;
    o.duration = c.duration;
    o.max_in_flight = c.max_in_flight;
    return o;
  }

  void on_arrival(stack::instant intended) {
    client_.send(config_.timeout, {&load_engine::on_result, this, static_cast<std::uint64_t>(stack::ns_since_start(intended))});
  }

  static void on_result(void* self, std::uint64_t intended_ns, const stack::attempt_result& r) {
    static_cast<load_engine*>(self)->record(intended_ns, r);
  }

  void record(std::uint64_t intended_ns, const stack::attempt_result& r) {
    last_result_ = clock::now();
    switch (r.kind) {
      case stack::attempt_kind::response: {
        ++stats_.responses;
        if (r.success()) ++stats_.ok;
        ++stats_.by_status[r.status >= 100 && r.status < 600 ? static_cast<std::size_t>(r.status) : 0];
        const auto since_start = std::chrono::duration_cast<stack::duration>(last_result_ - start_).count();
        stats_.latency.record(since_start - static_cast<std::int64_t>(intended_ns));
        stats_.service.record(client_.last_service_time().count());
        break;
      }
      case stack::attempt_kind::timeout: ++stats_.timeouts; break;
      case stack::attempt_kind::reset: ++stats_.resets; break;
      case stack::attempt_kind::connect_failure: ++stats_.connect_failures; break;
    }
    loop_.complete();
    maybe_done();
  }

  void maybe_done() {
    if (loop_.finished() && client_.in_flight() == 0) io_.stop();
  }

  void tick() {
    ticker_.expires_after(std::chrono::seconds(1));
    ticker_.async_wait([this](const boost::system::error_code& ec) {
      if (ec) return;
      if (progress_) {
        stats_.loop = loop_.stats();
        stats_.client = client_.stats();
        progress_(stats_, since_start());
      }
      tick();
    });
  }

  stack::duration since_start() const { return std::chrono::duration_cast<stack::duration>(clock::now() - start_); }

  boost::asio::io_context& io_;
  const load_config& config_;
  const load_progress_fn& progress_;
  http_client client_;
  open_loop loop_;
  boost::asio::steady_timer ticker_;
  clock::time_point start_{};
  clock::time_point last_result_{};
  load_stats stats_;
};

}  // namespace

load_stats run_load(const load_config& config, const load_progress_fn& progress) {
  boost::asio::io_context io(1);
  load_engine engine(io, config, progress);
  return engine.run();
}

}  // namespace squall::net
