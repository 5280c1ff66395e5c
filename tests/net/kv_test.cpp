// redis_kv against a real redis-server: each kv_op's replies mean what the simulated store's do
// (fakes/kv_store.hpp), the owner-checked scripts survive SCRIPT FLUSH, deadlines, refusal and a restart.
#include <catch2/catch.hpp>

#include <optional>
#include <string>

#include "net/managed_redis.hpp"
#include "net/redis_kv.hpp"
#include "support.hpp"

namespace squall::net::test {
namespace {

using stack::kv_command;
using stack::kv_op;
using stack::kv_reply;
using stack::kv_status;

kv_command cmd(kv_op op, std::string key, std::string value = {}, stack::duration ttl = stack::duration{0}) {
  return kv_command{op, std::move(key), std::move(value), ttl};
}

struct reply_slot {
  std::optional<kv_reply> reply;
  int calls = 0;
  static void fn(void* self, std::uint64_t, const kv_reply& r) {
    auto* s = static_cast<reply_slot*>(self);
    s->reply = r;
    ++s->calls;
  }
  stack::worker::kv_handler handler() { return {&fn, this, 0}; }
};

kv_reply send(boost::asio::io_context& io, redis_kv& kv, const kv_command& c,
              stack::duration timeout = std::chrono::seconds(2)) {
  reply_slot slot;
  kv.send(c, timeout, slot.handler());
  CHECK(slot.calls == 0);  // never answered inside send()
  REQUIRE(run_until(io, [&] { return slot.calls > 0; }));
  run_for(io, std::chrono::milliseconds(1));
  CHECK(slot.calls == 1);
  return *slot.reply;
}

struct fixture {
  managed_redis redis;
  boost::asio::io_context io;
  redis_kv kv{io, config_for(redis)};
  kv_reply operator()(const kv_command& c, stack::duration timeout = std::chrono::seconds(2)) {
    return send(io, kv, c, timeout);
  }
};

TEST_CASE("kv: SET NX, SET, GET, DEL, PEXPIRE and INCR answer as the simulated store does", "[net][kv]") {
  fixture f;
  const auto ten_s = std::chrono::seconds(10);
  CHECK(f(cmd(kv_op::set_nx_px, "k", "a", ten_s)).status == kv_status::ok);
  CHECK(f(cmd(kv_op::set_nx_px, "k", "b", ten_s)).status == kv_status::nil);
  auto got = f(cmd(kv_op::get, "k"));
  CHECK(got.status == kv_status::ok);
  CHECK(got.value == "a");
  CHECK(f(cmd(kv_op::get, "missing")).status == kv_status::nil);
  const auto pttl = std::stoll(f.redis.admin({"PTTL", "k"}));
  CHECK(pttl > 9'000);
  CHECK(pttl <= 10'000);

  CHECK(f(cmd(kv_op::set_px, "k", "c", std::chrono::seconds(20))).status == kv_status::ok);
  CHECK(f(cmd(kv_op::get, "k")).value == "c");
  CHECK(std::stoll(f.redis.admin({"PTTL", "k"})) > 10'000);
  CHECK(f(cmd(kv_op::set_px, "k", "d")).status == kv_status::ok);  // ttl 0: no expiry
  CHECK(f.redis.admin({"PTTL", "k"}) == "-1");
  CHECK(f(cmd(kv_op::set_nx_px, "forever", "x")).status == kv_status::ok);
  CHECK(f.redis.admin({"PTTL", "forever"}) == "-1");

  auto p = f(cmd(kv_op::pexpire, "k", {}, std::chrono::seconds(30)));
  CHECK(p.status == kv_status::ok);
  CHECK(p.integer == 1);
  CHECK(f(cmd(kv_op::pexpire, "missing", {}, ten_s)).integer == 0);

  auto d = f(cmd(kv_op::del, "k"));
  CHECK(d.status == kv_status::ok);
  CHECK(d.integer == 1);
  CHECK(f(cmd(kv_op::del, "k")).integer == 0);

  CHECK(f(cmd(kv_op::incr, "n")).integer == 1);
  CHECK(f(cmd(kv_op::incr, "n")).integer == 2);
  CHECK(f.redis.admin({"PTTL", "n"}) == "-1");  // a new counter has no TTL
  // INCR of a non-integer is an error reply: refused before it ran.
  CHECK(f(cmd(kv_op::incr, "forever")).status == kv_status::unavailable);
  CHECK(f.kv.stats().error_replies == 1);
}

TEST_CASE("kv: a short PX expires the key, and pexpire with ttl 0 deletes it answering 1", "[net][kv]") {
  fixture f;
  CHECK(f(cmd(kv_op::set_nx_px, "k", "a", std::chrono::milliseconds(300))).status == kv_status::ok);
  CHECK(f(cmd(kv_op::get, "k")).status == kv_status::ok);
  run_for(f.io, std::chrono::milliseconds(600));
  CHECK(f(cmd(kv_op::get, "k")).status == kv_status::nil);
  CHECK(f(cmd(kv_op::set_nx_px, "k", "b", std::chrono::seconds(10))).status == kv_status::ok);

  // A sub-millisecond TTL is rounded up to 1 ms, never sent as "no expiry".
  CHECK(redis_ttl_ms(std::chrono::microseconds(500)) == 1);
  CHECK(redis_ttl_ms(std::chrono::milliseconds(7)) == 7);

  auto p = f(cmd(kv_op::pexpire, "k", {}, stack::duration{0}));
  CHECK(p.status == kv_status::ok);
  CHECK(p.integer == 1);
  CHECK(f(cmd(kv_op::get, "k")).status == kv_status::nil);
}

TEST_CASE("kv: owner-checked delete and extend act only for the owner", "[net][kv]") {
  fixture f;
  const auto ten_s = std::chrono::seconds(10);
  REQUIRE(f(cmd(kv_op::set_nx_px, "lock", "owner-a", ten_s)).status == kv_status::ok);

  auto not_owner = f(cmd(kv_op::del_if_owner, "lock", "owner-b"));
  CHECK(not_owner.status == kv_status::ok);
  CHECK(not_owner.integer == 0);
  CHECK(f(cmd(kv_op::pexpire_if_owner, "lock", "owner-b", std::chrono::seconds(60))).integer == 0);
  CHECK(f(cmd(kv_op::get, "lock")).value == "owner-a");
  CHECK(std::stoll(f.redis.admin({"PTTL", "lock"})) <= 10'000);

  auto extended = f(cmd(kv_op::pexpire_if_owner, "lock", "owner-a", std::chrono::seconds(60)));
  CHECK(extended.status == kv_status::ok);
  CHECK(extended.integer == 1);
  CHECK(std::stoll(f.redis.admin({"PTTL", "lock"})) > 50'000);

  CHECK(f(cmd(kv_op::del_if_owner, "lock", "owner-a")).integer == 1);
  CHECK(f(cmd(kv_op::get, "lock")).status == kv_status::nil);
  CHECK(f(cmd(kv_op::del_if_owner, "lock", "owner-a")).integer == 0);       // missing key
  CHECK(f(cmd(kv_op::pexpire_if_owner, "lock", "owner-a", ten_s)).integer == 0);
  CHECK(f.kv.stats().noscript_fallbacks == 0);
}

TEST_CASE("kv: after SCRIPT FLUSH the owner-checked commands still work (NOSCRIPT falls back to EVAL)", "[net][kv]") {
  fixture f;
  const auto ten_s = std::chrono::seconds(10);
  REQUIRE(f(cmd(kv_op::set_nx_px, "lock", "a", ten_s)).status == kv_status::ok);
  // The first uses are EVAL while SCRIPT LOAD is in flight; by now both SHAs are known.
  CHECK(f(cmd(kv_op::pexpire_if_owner, "lock", "a", ten_s)).integer == 1);
  CHECK(f(cmd(kv_op::del_if_owner, "lock", "b")).integer == 0);
  CHECK(f(cmd(kv_op::del_if_owner, "lock", "b")).integer == 0);  // by EVALSHA
  CHECK(f.kv.stats().noscript_fallbacks == 0);

  CHECK(f.redis.admin({"SCRIPT", "FLUSH"}) == "OK");
  CHECK(f(cmd(kv_op::pexpire_if_owner, "lock", "a", ten_s)).integer == 1);
  CHECK(f(cmd(kv_op::del_if_owner, "lock", "a")).integer == 1);
  CHECK(f.kv.stats().noscript_fallbacks == 2);
  REQUIRE(f(cmd(kv_op::set_nx_px, "lock", "c", ten_s)).status == kv_status::ok);
  CHECK(f(cmd(kv_op::del_if_owner, "lock", "c")).integer == 1);  // reloaded: no further fallback
  CHECK(f.kv.stats().noscript_fallbacks == 2);
}

TEST_CASE("kv: past its deadline a command answers timeout, and may still run on the server", "[net][kv]") {
  fixture f;
  REQUIRE(f(cmd(kv_op::get, "warm-up")).status == kv_status::nil);
  f.redis.pause_clients(std::chrono::milliseconds(1000));
  auto r = f(cmd(kv_op::set_nx_px, "k", "late", std::chrono::seconds(10)), std::chrono::milliseconds(50));
  CHECK(r.status == kv_status::timeout);
  // After the pause the SET ran: the indeterminate outcome the stack must expect.
  auto got = f(cmd(kv_op::get, "k"), std::chrono::seconds(3));
  CHECK(got.status == kv_status::ok);
  CHECK(got.value == "late");
}

TEST_CASE("kv: connection refused answers unavailable", "[net][kv]") {
  boost::asio::io_context io;
  redis_connection_config c;
  c.port = free_loopback_port();
  redis_kv kv(io, c);
  CHECK(send(io, kv, cmd(kv_op::set_nx_px, "k", "a", std::chrono::seconds(1))).status == kv_status::unavailable);
  CHECK(send(io, kv, cmd(kv_op::del_if_owner, "k", "a")).status == kv_status::unavailable);
}

TEST_CASE("kv: after a restart of the server the client reconnects", "[net][kv]") {
  fixture f;
  REQUIRE(f(cmd(kv_op::set_px, "k", "v")).status == kv_status::ok);
  f.redis.kill();
  const auto down = f(cmd(kv_op::get, "k"));
  CHECK((down.status == kv_status::unavailable || down.status == kv_status::timeout));
  f.redis.restart();
  std::optional<kv_reply> back;
  REQUIRE(run_until(f.io, [&] {
    back = f(cmd(kv_op::get, "k"));
    return back->status != kv_status::unavailable;
  }));
  CHECK(back->status == kv_status::nil);  // persistence none: the data is gone
  CHECK(f(cmd(kv_op::set_nx_px, "k", "v2", std::chrono::seconds(5))).status == kv_status::ok);
}

}  // namespace
}  // namespace squall::net::test
