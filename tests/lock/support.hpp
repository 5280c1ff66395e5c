#pragma once
// A tiny in-test Redis stand-in and a driver for lease_lock: the store judges TTLs by its own clock (the test
// clock plus a skew the test can jump), commands run at once, replies come back at the driver's `now`.
#include <catch2/catch.hpp>

#include <cstdint>
#include <initializer_list>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "stack/core/kv.hpp"
#include "stack/core/time.hpp"
#include "stack/lock/lease_lock.hpp"

namespace squall::stack::lock::test {

inline instant at_ms(std::int64_t ms) { return instant_from_ns(ms * 1'000'000); }
inline duration ms(std::int64_t v) { return duration{v * 1'000'000}; }

struct fake_store {
  struct entry {
    std::string value;
    std::optional<instant> expires;  // on the store's clock
  };
  struct logged {
    instant at;  // test clock
    kv_command cmd;
  };

  instant now{};          // the test clock, advanced by the driver
  duration skew{0};       // the store's clock = now + skew (a Redis wall-clock jump is skew += x)
  bool down = false;      // refuse everything (restart, partition)
  std::map<std::string, entry> data;
  std::vector<logged> log;

  instant clock() const { return now + skew; }

  kv_reply apply(const kv_command& c) {
    log.push_back({now, c});
    if (down) return reply(kv_status::unavailable);
    purge(c.key);
    auto it = data.find(c.key);
    switch (c.op) {
      case kv_op::set_nx_px:
        if (it != data.end()) return reply(kv_status::nil);
        data[c.key] = {c.value, clock() + c.ttl};
        return reply(kv_status::ok);
      case kv_op::set_px:
        data[c.key] = {c.value, c.ttl.count() > 0 ? std::optional<instant>(clock() + c.ttl) : std::nullopt};
        return reply(kv_status::ok);
      case kv_op::get:
        if (it == data.end()) return reply(kv_status::nil);
        return reply(kv_status::ok, it->second.value);
      case kv_op::del:
        if (it == data.end()) return reply(kv_status::ok, {}, 0);
        data.erase(it);
        return reply(kv_status::ok, {}, 1);
      case kv_op::pexpire:
        if (it == data.end()) return reply(kv_status::ok, {}, 0);
        it->second.expires = clock() + c.ttl;
        return reply(kv_status::ok, {}, 1);
      case kv_op::incr: {
        const std::int64_t v = it == data.end() ? 1 : std::stoll(it->second.value) + 1;
        data[c.key].value = std::to_string(v);
        return reply(kv_status::ok, {}, v);
      }
      case kv_op::del_if_owner:
        if (it == data.end() || it->second.value != c.value) return reply(kv_status::ok, {}, 0);
        data.erase(it);
        return reply(kv_status::ok, {}, 1);
      case kv_op::pexpire_if_owner:
        if (it == data.end() || it->second.value != c.value) return reply(kv_status::ok, {}, 0);
        it->second.expires = clock() + c.ttl;
        return reply(kv_status::ok, {}, 1);
    }
    FAIL("unknown kv op");
    return reply(kv_status::unavailable);
  }

  std::optional<std::string> value(const std::string& key) {
    purge(key);
    auto it = data.find(key);
    if (it == data.end()) return std::nullopt;
    return it->second.value;
  }
  std::optional<instant> expires(const std::string& key) {
    purge(key);
    auto it = data.find(key);
    if (it == data.end()) return std::nullopt;
    return it->second.expires;
  }
  std::size_t count(kv_op op) const {
    std::size_t n = 0;
    for (const auto& l : log) n += l.cmd.op == op ? 1 : 0;
    return n;
  }

 private:
  static kv_reply reply(kv_status s, std::string value = {}, std::int64_t integer = 0) {
    kv_reply r;
    r.status = s;
    r.value = std::move(value);
    r.integer = integer;
    return r;
  }
  void purge(const std::string& key) {
    auto it = data.find(key);
    if (it != data.end() && it->second.expires && clock() >= *it->second.expires) data.erase(it);
  }
};

// Jitter draws replayed from a list (the last one repeats), so every backoff is known in advance.
struct scripted_uniform {
  std::vector<double> draws{0.5};
  std::size_t next = 0;
  static double draw(void* self) {
    auto* s = static_cast<scripted_uniform*>(self);
    const double u = s->draws[std::min(s->next, s->draws.size() - 1)];
    ++s->next;
    return u;
  }
};

// One lock client and everything it said.
struct client {
  scripted_uniform uniform;
  lease_lock lock;
  std::vector<lock_event> events;

  explicit client(const lock_config& c, std::vector<double> draws = {0.5})
      : uniform{std::move(draws)}, lock(c, uniform_source{&scripted_uniform::draw, &uniform}) {}
  client(const client&) = delete;
  client& operator=(const client&) = delete;

  void collect() {
    while (auto e = lock.poll_event()) events.push_back(std::move(*e));
  }
  std::vector<lock_event> of(lock_event_kind k) const {
    std::vector<lock_event> out;
    for (const auto& e : events)
      if (e.kind == k) out.push_back(e);
    return out;
  }
  std::size_t count(lock_event_kind k) const { return of(k).size(); }
};

// Sends the client's queued commands to the store and feeds each reply back at the store's test clock
// (zero latency), then records its events.
inline void exchange(client& c, fake_store& s) {
  for (int i = 0; i < 100; ++i) {
    auto cmd = c.lock.poll_command();
    if (!cmd) break;
    c.lock.handle_reply(s.now, s.apply(*cmd));
  }
  REQUIRE_FALSE(c.lock.poll_command());
  c.collect();
}

// Runs the clients to `until` on the test clock (every client's clock equals it), firing their timers in order.
inline void run_until(fake_store& s, std::initializer_list<client*> clients, instant until) {
  for (int steps = 0;; ++steps) {
    REQUIRE(steps < 100'000);
    for (auto* c : clients) exchange(*c, s);
    std::optional<instant> next;
    for (auto* c : clients)
      if (auto t = c->lock.poll_timer(); t && (!next || *t < *next)) next = t;
    if (!next || *next > until) break;
    if (*next > s.now) s.now = *next;
    for (auto* c : clients)
      if (auto t = c->lock.poll_timer(); t && *t <= s.now) c->lock.handle_timer(s.now);
  }
  if (until > s.now) s.now = until;
  for (auto* c : clients) exchange(*c, s);
}

// Starts an acquisition at the store's test clock and answers its first command(s) at once.
inline void acquire_now(client& c, fake_store& s, std::string token) {
  c.lock.start_acquire(s.now, std::move(token));
  exchange(c, s);
}

// A base config for the tests: 10 s TTL, no margin, no renewal, owner-checked release, 100 ms..1 s full jitter.
inline lock_config base_config() {
  lock_config c;
  c.key = "job:1";
  c.ttl = ms(10'000);
  c.renew = false;
  c.clock_drift_margin = duration{0};
  c.acquire_timeout = ms(5'000);
  c.backoff = {resilience::backoff_kind::full_jitter, ms(100), ms(1'000)};
  c.command_timeout = ms(500);
  return c;
}

}  // namespace squall::stack::lock::test
