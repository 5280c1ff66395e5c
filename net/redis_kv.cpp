#include "net/redis_kv.hpp"

#include <chrono>
#include <utility>

namespace squall::net {

namespace {

using steady = std::chrono::steady_clock;
using stack::kv_op;
using stack::kv_reply;
using stack::kv_status;

void answer(const stack::worker::kv_handler& done, const kv_reply& r) { done.fn(done.self, done.arg, r); }

bool is_noscript(const redis_result& r) {
  return r.status == redis_status::ok && r.reply.is_error() && r.reply.str.rfind("NOSCRIPT", 0) == 0;
}

}  // namespace

std::int64_t redis_ttl_ms(stack::duration ttl) {
  return std::chrono::ceil<std::chrono::milliseconds>(ttl).count();
}

redis_kv::redis_kv(boost::asio::io_context& io, redis_connection_config config) : connection_(io, std::move(config)) {}

void redis_kv::send(const stack::kv_command& c, stack::duration timeout, stack::worker::kv_handler done) {
  ++stats_.sent;
  if (c.op == kv_op::del_if_owner || c.op == kv_op::pexpire_if_owner) {
    script& s = c.op == kv_op::del_if_owner ? del_if_owner_ : pexpire_if_owner_;
    if (s.sha.empty()) load(s);
    send_script(c, timeout, done, !s.sha.empty());
  } else {
    send_plain(c, timeout, done);
  }
}

void redis_kv::send_plain(const stack::kv_command& c, stack::duration timeout, stack::worker::kv_handler done) {
  auto on_reply = [this, done, op = c.op](redis_result&& r) { answer(done, translate(op, r)); };
  const std::string ttl = std::to_string(redis_ttl_ms(c.ttl));
  const bool expires = c.ttl.count() > 0;
  switch (c.op) {
    case kv_op::set_nx_px:
      if (expires) {
        connection_.command({"SET", c.key, c.value, "NX", "PX", ttl}, timeout, std::move(on_reply));
      } else {
        connection_.command({"SET", c.key, c.value, "NX"}, timeout, std::move(on_reply));
      }
      return;
    case kv_op::set_px:
      if (expires) {
        connection_.command({"SET", c.key, c.value, "PX", ttl}, timeout, std::move(on_reply));
      } else {
        connection_.command({"SET", c.key, c.value}, timeout, std::move(on_reply));
      }
      return;
    case kv_op::get: connection_.command({"GET", c.key}, timeout, std::move(on_reply)); return;
    case kv_op::del: connection_.command({"DEL", c.key}, timeout, std::move(on_reply)); return;
    case kv_op::pexpire: connection_.command({"PEXPIRE", c.key, ttl}, timeout, std::move(on_reply)); return;
    case kv_op::incr: connection_.command({"INCR", c.key}, timeout, std::move(on_reply)); return;
    case kv_op::del_if_owner:
    case kv_op::pexpire_if_owner: break;  // send() routes them to send_script
  }
}

// EVALSHA (by_sha) or EVAL of the owner-checked script; NOSCRIPT resends it as EVAL within the same deadline.
void redis_kv::send_script(const stack::kv_command& c, stack::duration timeout, stack::worker::kv_handler done,
                           bool by_sha) {
  script& s = c.op == kv_op::del_if_owner ? del_if_owner_ : pexpire_if_owner_;
  std::vector<std::string> args;
  args.reserve(6);
  args.emplace_back(by_sha ? "EVALSHA" : "EVAL");
  args.emplace_back(by_sha ? std::string_view(s.sha) : s.source);
  args.emplace_back("1");
  args.push_back(c.key);
  args.push_back(c.value);
  if (c.op == kv_op::pexpire_if_owner) args.push_back(std::to_string(redis_ttl_ms(c.ttl)));

  const auto deadline = steady::now() + timeout;
  auto on_reply = [this, done, by_sha, deadline, command = c](redis_result&& r) {
    if (by_sha && is_noscript(r)) {
      ++stats_.noscript_fallbacks;
      script& sc = command.op == kv_op::del_if_owner ? del_if_owner_ : pexpire_if_owner_;
      sc.sha.clear();
      load(sc);
      const auto left = deadline - steady::now();
      if (left > stack::duration{0}) {
        send_script(command, left, done, false);
      } else {
        answer(done, kv_reply{kv_status::timeout, {}, 0});
      }
      return;
    }
    answer(done, translate(command.op, r));
  };
  connection_.command(args, timeout, std::move(on_reply));
}

// SCRIPT LOAD once at a time; until it answers (or if it fails) the script goes out as EVAL.
void redis_kv::load(script& s) {
  if (s.loading) return;
  s.loading = true;
  connection_.command({"SCRIPT", "LOAD", s.source}, std::chrono::seconds(5), [&s](redis_result&& r) {
    s.loading = false;
    if (r.status == redis_status::ok && r.reply.type == redis_reply::kind::string) s.sha = std::move(r.reply.str);
  });
}

kv_reply redis_kv::translate(kv_op op, const redis_result& r) {
  switch (r.status) {
    case redis_status::ok: break;
    case redis_status::unavailable: return {kv_status::unavailable, {}, 0};
    case redis_status::timeout:
    case redis_status::lost: return {kv_status::timeout, {}, 0};
  }
  const redis_reply& rep = r.reply;
  using kind = redis_reply::kind;
  switch (op) {
    case kv_op::set_nx_px:
    case kv_op::set_px:
      if (rep.type == kind::status && rep.str == "OK") return {kv_status::ok, {}, 0};
      if (rep.type == kind::nil && op == kv_op::set_nx_px) return {kv_status::nil, {}, 0};
      break;
    case kv_op::get:
      if (rep.type == kind::string) return {kv_status::ok, rep.str, 0};
      if (rep.type == kind::nil) return {kv_status::nil, {}, 0};
      break;
    case kv_op::del:
    case kv_op::pexpire:
    case kv_op::incr:
    case kv_op::del_if_owner:
    case kv_op::pexpire_if_owner:
      if (rep.type == kind::integer) return {kv_status::ok, {}, rep.integer};
      break;
  }
  ++stats_.error_replies;
  return {kv_status::unavailable, {}, 0};
}

}  // namespace squall::net
