#include "net/managed_redis.hpp"

#include "net/blocking_redis.hpp"

#include <fcntl.h>
#include <hiredis/hiredis.h>
#include <netinet/in.h>
#include <signal.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <memory>
#include <stdexcept>
#include <thread>
#include <vector>

#include <fmt/format.h>

extern char** environ;

namespace squall::net {

namespace {

using steady = std::chrono::steady_clock;

std::string make_temp_dir() {
  std::string pattern = (std::filesystem::temp_directory_path() / "squall-redis-XXXXXX").string();
  if (mkdtemp(pattern.data()) == nullptr)
    throw std::runtime_error(fmt::format("managed_redis: mkdtemp failed: {}", std::strerror(errno)));
  return pattern;
}

}  // namespace

std::uint16_t free_loopback_port() {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) throw std::runtime_error("free_loopback_port: socket failed");
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = 0;
  socklen_t len = sizeof addr;
  const bool ok = ::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0 &&
                  ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) == 0;
  ::close(fd);
  if (!ok) throw std::runtime_error("free_loopback_port: bind to 127.0.0.1:0 failed");
  return ntohs(addr.sin_port);
}

managed_redis::managed_redis(managed_redis_config config) : config_(std::move(config)) {
  port_ = free_loopback_port();
  dir_ = make_temp_dir();
  try {
    spawn();
    wait_ready();
  } catch (...) {
    kill();
    std::error_code ignored;
    std::filesystem::remove_all(dir_, ignored);
    throw;
  }
}

managed_redis::~managed_redis() {
  try {
    stop();
  } catch (...) {
    kill();
  }
  std::error_code ignored;
  std::filesystem::remove_all(dir_, ignored);
}

void managed_redis::spawn() {
  const bool aof = config_.persistence != redis_persistence::none;
  std::vector<std::string> args = {
      config_.executable, "--port", std::to_string(port_), "--bind", host_, "--dir", dir_,
      "--logfile", dir_ + "/redis.log", "--daemonize", "no", "--save", "",
      "--appendonly", aof ? "yes" : "no",
      "--appendfsync", config_.persistence == redis_persistence::aof_always ? "always" : "everysec"};
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);

  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0);
  pid_t pid = -1;
  const int rc = posix_spawnp(&pid, config_.executable.c_str(), &actions, nullptr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  if (rc != 0)
    throw std::runtime_error(fmt::format("managed_redis: cannot start '{}': {}", config_.executable, std::strerror(rc)));
  pid_ = pid;
}

void managed_redis::wait_ready() {
  const auto deadline = steady::now() + config_.start_timeout;
  while (steady::now() < deadline) {
    int status = 0;
    if (::waitpid(pid_, &status, WNOHANG) == pid_) {
      pid_ = -1;
      throw std::runtime_error(fmt::format("managed_redis: redis-server exited at start; log:\n{}", log_tail()));
    }
    if (auto c = connect_blocking(host_, port_, std::chrono::milliseconds(200))) {
      auto r = run_blocking(*c, {"PING"});
      if (r && r->type == REDIS_REPLY_STATUS && std::string_view(r->str, r->len) == "PONG") return;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  throw std::runtime_error(fmt::format("managed_redis: no PONG on {}:{} within {} ms; log:\n{}", host_, port_,
                                       std::chrono::duration_cast<std::chrono::milliseconds>(config_.start_timeout).count(),
                                       log_tail()));
}

bool managed_redis::reap(stack::duration within) {
  const auto deadline = steady::now() + within;
  for (;;) {
    int status = 0;
    const pid_t r = ::waitpid(pid_, &status, WNOHANG);
    if (r == pid_ || (r < 0 && errno == ECHILD)) {
      pid_ = -1;
      return true;
    }
    if (steady::now() >= deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
}

void managed_redis::kill() {
  if (pid_ <= 0) return;
  ::kill(pid_, SIGKILL);
  reap(std::chrono::seconds(10));
}

void managed_redis::stop() {
  if (pid_ <= 0) return;
  ::kill(pid_, SIGTERM);
  if (!reap(config_.stop_timeout)) kill();
}

void managed_redis::restart() {
  stop();
  spawn();
  wait_ready();
}

void managed_redis::pause_clients(stack::duration d) {
  const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(d).count();
  admin({"CLIENT", "PAUSE", std::to_string(ms)});
}

std::string managed_redis::admin(std::initializer_list<std::string_view> args) const {
  auto c = connect_blocking(host_, port_, std::chrono::milliseconds(2000));
  if (!c) throw std::runtime_error(fmt::format("managed_redis: cannot connect to {}:{}", host_, port_));
  auto r = run_blocking(*c, args);
  if (!r) throw std::runtime_error(fmt::format("managed_redis: no reply: {}", c->errstr));
  switch (r->type) {
    case REDIS_REPLY_ERROR: throw std::runtime_error(fmt::format("managed_redis: {}", std::string(r->str, r->len)));
    case REDIS_REPLY_INTEGER: return std::to_string(r->integer);
    case REDIS_REPLY_NIL: return "(nil)";
    case REDIS_REPLY_ARRAY: return std::to_string(r->elements);
    default: return std::string(r->str, r->len);
  }
}

std::string managed_redis::log_tail() const {
  std::ifstream in(dir_ + "/redis.log");
  std::vector<std::string> lines;
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  std::string out;
  for (std::size_t i = lines.size() > 20 ? lines.size() - 20 : 0; i < lines.size(); ++i) out += lines[i] + "\n";
  return out;
}

const char* to_string(redis_persistence p) {
  switch (p) {
    case redis_persistence::none: return "none";
    case redis_persistence::aof_everysec: return "aof_everysec";
    case redis_persistence::aof_always: return "aof_always";
  }
  return "?";
}

}  // namespace squall::net
