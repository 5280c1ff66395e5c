#include "net/open_loop.hpp"

#include <algorithm>

namespace squall::net {

open_loop::open_loop(boost::asio::io_context& io, open_loop_config config, arrival_fn on_arrival)
    : config_(std::move(config)),
      on_arrival_(std::move(on_arrival)),
      process_(config_.arrivals, sim::rng(config_.seed).fork("arrivals")),
      timer_(io) {}

void open_loop::start(clock::time_point start, std::function<void()> on_finished) {
  start_ = start;
  on_finished_ = std::move(on_finished);
  next_ = process_.next(stack::instant_from_ns(0));
  arm();
}

void open_loop::complete() {
  if (in_flight_ > 0) --in_flight_;
}

void open_loop::stop() {
  finished_ = true;
  timer_.cancel();
}

void open_loop::arm() {
  if (next_ == sim::arrival_process::never || next_.time_since_epoch() >= config_.duration) {
    finished_ = true;
    if (on_finished_) on_finished_();
    return;
  }
  timer_.expires_at(start_ + next_.time_since_epoch());
  timer_.async_wait([this](const boost::system::error_code& ec) { on_timer(ec); });
}

void open_loop::on_timer(const boost::system::error_code& ec) {
  if (ec || finished_) return;
  const clock::time_point now = clock::now();
  for (std::size_t fired = 0; fired < config_.batch_max; ++fired) {
    if (next_ == sim::arrival_process::never || next_.time_since_epoch() >= config_.duration) break;
    const clock::time_point due = start_ + next_.time_since_epoch();
    if (due > now) break;
    const auto lag = std::chrono::duration_cast<stack::duration>(now - due);
    if (lag >= std::chrono::milliseconds(1)) ++stats_.late;
    stats_.max_lag = std::max(stats_.max_lag, lag);
    if (in_flight_ >= config_.max_in_flight) {
      ++stats_.dropped;
    } else {
      ++in_flight_;
      ++stats_.fired;
      on_arrival_(next_);
    }
    next_ = process_.next(next_);
    if (finished_) return;  // stop() from inside the callback
  }
  arm();  // an arrival already due re-fires at once, after the handlers queued meanwhile
}

}  // namespace squall::net
