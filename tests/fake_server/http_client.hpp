#pragma once
// A blocking HTTP/1.1 test client over raw loopback sockets. Every call is bounded: send and receive
// timeouts on the socket, and a deadline for a whole response.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdint>
#include <string>
#include <thread>

namespace squall::test {

struct http_result {
  int status = 0;        // 0: no status line arrived
  std::string head;      // status line and headers
  std::string body;
  bool reset = false;    // the server reset the connection (ECONNRESET)
  bool closed = false;   // the server closed the connection (end of stream) before a full response
  bool timed_out = false;// the client's own deadline ended the wait
  double elapsed_ms = 0;

  std::string header(const std::string& name) const {
    const std::string key = "\r\n" + name + ": ";
    const auto at = head.find(key);
    if (at == std::string::npos) return {};
    const auto start = at + key.size();
    return head.substr(start, head.find("\r\n", start) - start);
  }
};

class http_client {
 public:
  explicit http_client(std::uint16_t port, int timeout_ms = 3000) : timeout_ms_(timeout_ms) {
    fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    timeval tv{timeout_ms / 1000, (timeout_ms % 1000) * 1000};
    ::setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    ::setsockopt(fd_, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(port);
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    connected_ = ::connect(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0;
  }
  ~http_client() { close(); }
  http_client(const http_client&) = delete;
  http_client& operator=(const http_client&) = delete;

  bool connected() const { return connected_; }
  void close() {
    if (fd_ >= 0) ::close(fd_);
    fd_ = -1;
  }

  bool send(const std::string& bytes) {
    std::size_t sent = 0;
    while (sent < bytes.size()) {
      const ssize_t n = ::send(fd_, bytes.data() + sent, bytes.size() - sent, MSG_NOSIGNAL);
      if (n <= 0) return false;
      sent += static_cast<std::size_t>(n);
    }
    return true;
  }

  // Reads one response (headers and a Content-Length body), or what ended the wait.
  http_result read_response() {
    http_result r;
    const auto start = std::chrono::steady_clock::now();
    const auto deadline = start + std::chrono::milliseconds(timeout_ms_);
    std::size_t need = std::string::npos;  // total bytes of the response once the head is known
    while (std::chrono::steady_clock::now() < deadline) {
      if (need == std::string::npos) {
        const auto end = pending_.find("\r\n\r\n");
        if (end != std::string::npos) {
          r.head = pending_.substr(0, end);
          r.status = r.head.size() > 12 ? std::stoi(r.head.substr(9, 3)) : 0;
          const std::string length = r.header("Content-Length");
          need = end + 4 + (length.empty() ? 0 : std::stoul(length));
        }
      }
      if (need != std::string::npos && pending_.size() >= need) {
        r.body = pending_.substr(r.head.size() + 4, need - r.head.size() - 4);
        pending_.erase(0, need);
        break;
      }
      char buf[16384];
      const ssize_t n = ::recv(fd_, buf, sizeof buf, 0);
      if (n > 0) {
        pending_.append(buf, static_cast<std::size_t>(n));
        continue;
      }
      if (n == 0) r.closed = true;
      else if (errno == ECONNRESET) r.reset = true;
      else if (errno == EAGAIN || errno == EWOULDBLOCK) r.timed_out = true;
      else r.closed = true;
      r.status = 0;
      break;
    }
    if (r.status == 0 && !r.reset && !r.closed) r.timed_out = true;
    r.elapsed_ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
    return r;
  }

  http_result request(const std::string& method, const std::string& target, const std::string& body = {}) {
    std::string req = method + " " + target + " HTTP/1.1\r\nHost: 127.0.0.1\r\n";
    if (!body.empty() || method == "POST") req += "Content-Length: " + std::to_string(body.size()) + "\r\n";
    req += "\r\n" + body;
    if (!send(req)) {
      http_result r;
      r.closed = true;
      return r;
    }
    return read_response();
  }

 private:
  int fd_ = -1;
  int timeout_ms_;
  bool connected_ = false;
  std::string pending_;  // bytes read past the last response (pipelining)
};

// One request on a fresh connection.
inline http_result fetch(std::uint16_t port, const std::string& method, const std::string& target,
                         const std::string& body = {}, int timeout_ms = 3000) {
  http_client c(port, timeout_ms);
  return c.request(method, target, body);
}

// Polls `done` every 10 ms until it holds or `limit_ms` passes; returns whether it held.
template <class Done>
bool eventually(Done done, int limit_ms = 3000) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(limit_ms);
  while (std::chrono::steady_clock::now() < deadline) {
    if (done()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return done();
}

}  // namespace squall::test
