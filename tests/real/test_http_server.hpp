#pragma once
// A tiny HTTP/1.1 server for the real-socket tests: blocking POSIX sockets, one thread per connection, on
// 127.0.0.1 and a free port. It counts connections (open now, most at once, accepted) and requests, and answers
// according to its mode. Every blocking call is bounded (poll / SO_RCVTIMEO), and the destructor stops and joins
// everything.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace squall::test {

enum class server_mode {
  ok,                  // 200 "ok", keep-alive
  unavailable,         // 503 with Retry-After: 7
  hang,                // reads the request, never answers
  reset,               // starts a response, then closes with RST
  close_after,         // 200 without Connection: close, then closes the connection
};

class test_http_server {
 public:
  explicit test_http_server(server_mode mode, std::chrono::milliseconds delay = std::chrono::milliseconds(0))
      : mode_(mode), delay_(delay) {
    listen_fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    const int one = 1;
    ::setsockopt(listen_fd_, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    addr.sin_port = 0;
    ::bind(listen_fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
    ::listen(listen_fd_, 128);
    socklen_t len = sizeof addr;
    ::getsockname(listen_fd_, reinterpret_cast<sockaddr*>(&addr), &len);
    port_ = ntohs(addr.sin_port);
    acceptor_ = std::thread([this] { accept_loop(); });
  }

  ~test_http_server() {
    stop_ = true;
    acceptor_.join();
    {
      std::lock_guard lock(mu_);
      for (const int fd : fds_) ::shutdown(fd, SHUT_RDWR);
    }
    for (auto& t : workers_) t.join();
    ::close(listen_fd_);
  }

  std::uint16_t port() const { return port_; }
  int accepted() const { return accepted_; }
  int open_now() const { return open_; }
  int max_open() const { return max_open_; }
  int requests() const { return requests_; }
  int closed() const { return closed_; }

 private:
  void accept_loop() {
    while (!stop_) {
      pollfd p{listen_fd_, POLLIN, 0};
      if (::poll(&p, 1, 20) <= 0) continue;
      const int fd = ::accept(listen_fd_, nullptr, nullptr);
      if (fd < 0) continue;
      timeval tv{5, 0};  // a test never waits longer than this on one read
      ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
      ++accepted_;
      const int now = ++open_;
      int seen = max_open_;
      while (now > seen && !max_open_.compare_exchange_weak(seen, now)) {
      }
      std::lock_guard lock(mu_);
      fds_.push_back(fd);
      workers_.emplace_back([this, fd] { serve(fd); });
    }
  }

  void serve(int fd) {
    std::string in;
    char buf[4096];
    bool open = true;
    while (open && !stop_) {
      const std::size_t end = in.find("\r\n\r\n");
      if (end == std::string::npos) {
        const ssize_t n = ::recv(fd, buf, sizeof buf, 0);
        if (n <= 0) break;
        in.append(buf, static_cast<std::size_t>(n));
        continue;
      }
      in.erase(0, end + 4);
      ++requests_;
      if (delay_.count() > 0) std::this_thread::sleep_for(delay_);
      open = answer(fd);
    }
    {
      std::lock_guard lock(mu_);
      fds_.erase(std::find(fds_.begin(), fds_.end(), fd));
      ::close(fd);  // with SO_LINGER {1, 0} (mode reset): an RST
    }
    --open_;
    ++closed_;
  }

  // Answers one request; false when the connection is done.
  bool answer(int fd) {
    switch (mode_) {
      case server_mode::ok: return put(fd, "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok");
      case server_mode::unavailable:
        return put(fd, "HTTP/1.1 503 Service Unavailable\r\nRetry-After: 7\r\nContent-Length: 0\r\n\r\n");
      case server_mode::hang: return true;
      case server_mode::reset: {
        put(fd, "HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\npartial");
        linger l{1, 0};  // the close in serve() sends RST, not FIN
        ::setsockopt(fd, SOL_SOCKET, SO_LINGER, &l, sizeof l);
        return false;
      }
      case server_mode::close_after:
        put(fd, "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok");
        return false;
    }
    return false;
  }

  static bool put(int fd, const std::string& s) {
    return ::send(fd, s.data(), s.size(), MSG_NOSIGNAL) == static_cast<ssize_t>(s.size());
  }

  server_mode mode_;
  std::chrono::milliseconds delay_;
  int listen_fd_ = -1;
  std::uint16_t port_ = 0;
  std::atomic<bool> stop_{false};
  std::atomic<int> accepted_{0}, open_{0}, max_open_{0}, requests_{0}, closed_{0};
  std::mutex mu_;
  std::vector<int> fds_;
  std::vector<std::thread> workers_;
  std::thread acceptor_;
};

}  // namespace squall::test
