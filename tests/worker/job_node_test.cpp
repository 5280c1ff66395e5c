// job_node's job flow, step by step through the scripted port: lock, idempotency, work, effect, persist, release,
// ack, and what each failure does to that order.
#include <catch2/catch.hpp>

#include "job_node_fixture.hpp"

namespace squall::stack::worker::test {
namespace {

using strings = std::vector<std::string>;

job_flow_config locked_flow(idempotency_mode mode, bool fencing = false) {
  job_flow_config c = queue_flow();
  c.lock = test_lock();
  c.lock->fencing = fencing;
  c.idempotency = mode;
  return c;
}

// Contention on every SET NX: nil at 0, 200 ms and 600 ms; the third nil exhausts the 1 s wait budget.
void contend_until_acquire_fails(node_fixture& f) {
  REQUIRE(f.port.kv.size() == 1);
  f.port.nil(0);
  f.rt.advance(199ms);
  CHECK(f.port.kv.size() == 1);  // waits its backoff
  f.rt.advance(1ms);
  REQUIRE(f.port.kv.size() == 2);
  CHECK(f.port.kv[1].command.op == kv_op::set_nx_px);
  CHECK(f.port.kv[1].sent_at == at_ms(200));
  f.port.nil(1);
  f.rt.run_until(at_ms(600));
  REQUIRE(f.port.kv.size() == 3);
  CHECK(f.port.kv[2].command.op == kv_op::set_nx_px);
  CHECK(f.port.kv[2].sent_at == at_ms(600));
  CHECK(f.port.requeues.empty());
  f.port.nil(2);  // the next attempt would start at 1400 ms, past the 1 s budget
}

TEST_CASE("job_node flow with lock and check_then_act runs lock, fence, check, work, fenced effect, persist, "
          "release, ack in order",
          "[job_node][flow]") {
  node_fixture f(locked_flow(idempotency_mode::check_then_act, true));
  f.port.push(7, 70, 700, 1);
  f.n().start();

  REQUIRE(f.port.kv.size() == 1);
  CHECK(f.port.kv[0].command.op == kv_op::set_nx_px);
  CHECK(f.port.kv[0].command.key == "lock:7");
  CHECK(f.port.kv[0].command.value == "n0-1");
  CHECK(f.port.kv[0].command.ttl == 10s);
  CHECK(f.port.kv[0].timeout == 500ms);
  CHECK(f.n().busy_slots() == 1);
  REQUIRE(f.rt.events.size() == 1);
  CHECK(f.rt.events[0].type == event_type::delivery);
  CHECK(f.rt.events[0].proc == 0);
  CHECK(f.rt.events[0].key == 7);
  CHECK(f.rt.events[0].req == 70);
  CHECK(f.rt.events[0].attempt == 1);

  f.port.ok(0);
  REQUIRE(f.port.kv.size() == 2);
  CHECK(f.port.kv[1].command.op == kv_op::incr);
  CHECK(f.port.kv[1].command.key == "lock:7:fence");
  CHECK(f.rt.of(event_type::lock_acquired).empty());  // not before the fencing token is known

  f.port.ok(1, {}, 42);
  REQUIRE(f.port.kv.size() == 3);
  CHECK(f.port.kv[2].command.op == kv_op::get);
  CHECK(f.port.kv[2].command.key == "done:7");
  CHECK(f.port.kv[2].timeout == 750ms);
  const auto acquired = f.rt.of(event_type::lock_acquired);
  REQUIRE(acquired.size() == 1);
  CHECK(acquired[0].token == 42);
  CHECK(acquired[0].value_ns == std::chrono::nanoseconds(10s).count());
  CHECK(acquired[0].key == 7);
  CHECK(f.port.works.empty());  // not before the check answers

  f.port.nil(2);
  REQUIRE(f.port.works.size() == 1);
  CHECK(f.port.works[0].j.key == 7);
  CHECK(f.port.effects.empty());  // not before the work is done

  f.rt.advance(30ms);
  f.port.finish_work(0);
  REQUIRE(f.port.effects.size() == 1);
  CHECK(f.port.effects[0].j.key == 7);
  CHECK(f.port.effects[0].worker == 0);
  CHECK(f.port.effects[0].fence == 42);
  CHECK(f.port.effects[0].resource == "lock:7");
  REQUIRE(f.port.kv.size() == 4);
  CHECK(f.port.kv[3].command.op == kv_op::set_px);
  CHECK(f.port.kv[3].command.key == "done:7");
  CHECK(f.port.kv[3].command.value == "1");
  CHECK(f.port.kv[3].command.ttl == 1h);
  CHECK(f.port.acks.empty());

  f.port.ok(3);
  REQUIRE(f.port.kv.size() == 5);
  CHECK(f.port.kv[4].command.op == kv_op::del_if_owner);
  CHECK(f.port.kv[4].command.key == "lock:7");
  CHECK(f.port.kv[4].command.value == "n0-1");
  CHECK(f.port.acks.empty());  // not before the release is answered

  f.port.ok(4, {}, 1);
  REQUIRE(f.port.acks.size() == 1);
  CHECK(f.port.acks[0].key == 7);
  CHECK(f.port.acks[0].delivery == 700);
  CHECK(f.port.requeues.empty());
  CHECK(f.port.log == strings{"set_nx_px lock:7", "incr lock:7:fence", "get done:7", "work 7", "effect 7",
                              "set_px done:7", "del_if_owner lock:7", "ack 7"});
  CHECK(f.rt.event_names() == strings{"delivery", "lock_acquired", "lock_released"});
  CHECK(f.rt.events.back().token == 42);
  CHECK(f.rt.events.back().key == 7);
  CHECK(f.stats().jobs_started == 1);
  CHECK(f.stats().jobs_acked == 1);
  CHECK(f.stats().effects_applied == 1);
  CHECK(f.stats().jobs_requeued == 0);
  CHECK(f.n().busy_slots() == 0);
  CHECK(f.port.receives.size() == 2);  // asked for the next job once this one was acked
  CHECK(f.port.unanswered() == 0);
}

TEST_CASE("job_node without fencing or idempotency: effect right after the work with fence 0, no persist",
          "[job_node][flow]") {
  node_fixture f(locked_flow(idempotency_mode::none, false));
  f.port.push(3);
  f.n().start();
  f.port.ok(0);
  REQUIRE(f.port.works.size() == 1);  // no INCR, no GET
  CHECK(f.rt.of(event_type::lock_acquired).at(0).token == 0);
  f.port.finish_work(0);
  REQUIRE(f.port.effects.size() == 1);
  CHECK(f.port.effects[0].fence == 0);
  CHECK(f.port.effects[0].resource == "lock:3");
  REQUIRE(f.port.kv.size() == 2);
  f.port.ok(1, {}, 1);
  CHECK(f.port.log == strings{"set_nx_px lock:3", "work 3", "effect 3", "del_if_owner lock:3", "ack 3"});
}

TEST_CASE("job_node without a lock: check, work, effect with no fence resource, persist, ack", "[job_node][flow]") {
  job_flow_config c = queue_flow();
  c.idempotency = idempotency_mode::check_then_act;
  node_fixture f(c, 4);
  f.port.push(9);
  f.n().start();
  REQUIRE(f.port.kv.size() == 1);
  f.port.nil(0);
  f.port.finish_work(0);
  REQUIRE(f.port.effects.size() == 1);
  CHECK(f.port.effects[0].fence == 0);
  CHECK(f.port.effects[0].resource.empty());
  CHECK(f.port.effects[0].worker == 4);
  f.port.ok(1);
  CHECK(f.port.log == strings{"get done:9", "work 9", "effect 9", "set_px done:9", "ack 9"});
  CHECK(f.rt.event_names() == strings{"delivery"});
  CHECK(f.rt.events[0].proc == 4);
}

TEST_CASE("job_node check_then_act: a done marker skips the job, releases and acks", "[job_node][idempotency]") {
  node_fixture f(locked_flow(idempotency_mode::check_then_act));
  f.port.push(7);
  f.n().start();
  f.port.ok(0);
  REQUIRE(f.port.kv.size() == 2);
  f.port.ok(1, "1");
  CHECK(f.port.works.empty());
  CHECK(f.port.effects.empty());
  REQUIRE(f.port.kv.size() == 3);
  CHECK(f.port.kv[2].command.op == kv_op::del_if_owner);
  CHECK(f.port.acks.empty());
  f.port.ok(2, {}, 1);
  CHECK(f.port.log == strings{"set_nx_px lock:7", "get done:7", "del_if_owner lock:7", "ack 7"});
  CHECK(f.rt.event_names() == strings{"delivery", "lock_acquired", "idempotency_skip", "lock_released"});
  CHECK(f.rt.of(event_type::idempotency_skip).at(0).key == 7);
  CHECK(f.rt.of(event_type::idempotency_skip).at(0).proc == 0);
  CHECK(f.stats().skipped_done == 1);
  CHECK(f.stats().jobs_acked == 1);
  CHECK(f.stats().effects_applied == 0);
}

TEST_CASE("job_node claim_first: a won claim runs the job and marks the claim done", "[job_node][idempotency]") {
  job_flow_config c = queue_flow();
  c.idempotency = idempotency_mode::claim_first;
  node_fixture f(c);
  f.port.push(5);
  f.n().start();
  REQUIRE(f.port.kv.size() == 1);
  CHECK(f.port.kv[0].command.op == kv_op::set_nx_px);
  CHECK(f.port.kv[0].command.key == "claim:5");
  CHECK_FALSE(f.port.kv[0].command.value.empty());
  CHECK(f.port.kv[0].command.ttl == 1h);
  f.port.ok(0);
  REQUIRE(f.port.works.size() == 1);
  f.port.finish_work(0);
  REQUIRE(f.port.kv.size() == 2);
  CHECK(f.port.kv[1].command.op == kv_op::set_px);
  CHECK(f.port.kv[1].command.key == "claim:5");
  CHECK(f.port.kv[1].command.value == "done");
  CHECK(f.port.kv[1].command.ttl == 1h);
  f.port.ok(1);
  CHECK(f.port.log == strings{"set_nx_px claim:5", "work 5", "effect 5", "set_px claim:5", "ack 5"});
  CHECK(f.stats().effects_applied == 1);
}

TEST_CASE("job_node claim_first: a refused claim skips without reading it back", "[job_node][idempotency]") {
  job_flow_config c = queue_flow();
  c.idempotency = idempotency_mode::claim_first;
  node_fixture f(c);
  f.port.push(5);
  f.n().start();
  f.port.nil(0);
  CHECK(f.port.kv.size() == 1);
  CHECK(f.port.works.empty());
  CHECK(f.port.log == strings{"set_nx_px claim:5", "ack 5"});
  CHECK(f.rt.event_names() == strings{"delivery", "idempotency_skip"});
  CHECK(f.stats().skipped_done == 1);
}

TEST_CASE("job_node claim_first: unavailable then nil is a refusal, not an ambiguous claim", "[job_node][idempotency]") {
  job_flow_config c = queue_flow();
  c.idempotency = idempotency_mode::claim_first;
  node_fixture f(c);
  f.port.push(5);
  f.n().start();
  f.port.unavailable(0);  // refused: it did not run
  f.rt.advance(200ms);
  REQUIRE(f.port.kv.size() == 2);
  f.port.nil(1);
  CHECK(f.port.kv.size() == 2);  // no GET
  CHECK(f.port.works.empty());
  CHECK(f.stats().skipped_done == 1);
  CHECK(f.port.acks.size() == 1);
}

TEST_CASE("job_node claim_first: a timed-out claim then nil reads the claim back and runs if it is ours",
          "[job_node][idempotency]") {
  job_flow_config c = queue_flow();
  c.idempotency = idempotency_mode::claim_first;
  node_fixture f(c);
  f.port.push(5);
  f.n().start();
  const std::string ours = f.port.kv[0].command.value;
  f.rt.advance(750ms);
  f.port.timed_out(0);
  f.rt.advance(199ms);
  CHECK(f.port.kv.size() == 1);
  f.rt.advance(1ms);
  REQUIRE(f.port.kv.size() == 2);
  CHECK(f.port.kv[1].command.op == kv_op::set_nx_px);
  CHECK(f.port.kv[1].command.value == ours);  // the retry claims with the same value
  f.port.nil(1);
  REQUIRE(f.port.kv.size() == 3);
  CHECK(f.port.kv[2].command.op == kv_op::get);
  CHECK(f.port.kv[2].command.key == "claim:5");
  CHECK(f.port.works.empty());
  f.port.ok(2, ours);
  REQUIRE(f.port.works.size() == 1);
  CHECK(f.stats().skipped_done == 0);
  f.port.finish_work(0);
  f.port.ok(3);
  CHECK(f.port.log ==
        strings{"set_nx_px claim:5", "set_nx_px claim:5", "get claim:5", "work 5", "effect 5", "set_px claim:5", "ack 5"});
}

TEST_CASE("job_node claim_first: a timed-out claim then nil that reads another value skips", "[job_node][idempotency]") {
  job_flow_config c = queue_flow();
  c.idempotency = idempotency_mode::claim_first;
  node_fixture f(c);
  f.port.push(5);
  f.n().start();
  f.port.timed_out(0);
  f.rt.advance(200ms);
  f.port.nil(1);
  REQUIRE(f.port.kv.size() == 3);
  REQUIRE(f.port.kv[2].command.op == kv_op::get);
  f.port.ok(2, f.port.kv[0].command.value + "-someone-else");
  CHECK(f.port.works.empty());
  CHECK(f.port.effects.empty());
  CHECK(f.stats().skipped_done == 1);
  CHECK(f.port.log == strings{"set_nx_px claim:5", "set_nx_px claim:5", "get claim:5", "ack 5"});
  CHECK(f.rt.event_names() == strings{"delivery", "idempotency_skip"});
}

TEST_CASE("job_node claim_first: a read-back that times out and then answers nil skips without a second read-back",
          "[job_node][idempotency]") {
  job_flow_config c = queue_flow();
  c.idempotency = idempotency_mode::claim_first;
  node_fixture f(c);
  f.port.push(5);
  f.n().start();
  f.port.timed_out(0);  // the claim may have landed
  f.rt.advance(200ms);
  f.port.nil(1);
  REQUIRE(f.port.kv.size() == 3);
  CHECK(f.port.kv[2].command.op == kv_op::get);
  f.port.timed_out(2);  // the read-back itself times out: a GET changes nothing on the store
  f.rt.advance(200ms);
  REQUIRE(f.port.kv.size() == 4);
  CHECK(f.port.kv[3].command.op == kv_op::get);
  f.port.nil(3);  // no claim at all now: not ours, nothing more to read
  CHECK(f.port.kv.size() == 4);
  CHECK(f.port.works.empty());
  CHECK(f.stats().skipped_done == 1);
  CHECK(f.port.log == strings{"set_nx_px claim:5", "set_nx_px claim:5", "get claim:5", "get claim:5", "ack 5"});
}

TEST_CASE("job_node claim_first: claim values differ between deliveries and workers", "[job_node][idempotency]") {
  job_flow_config c = queue_flow();
  c.idempotency = idempotency_mode::claim_first;
  c.concurrency = 2;
  node_fixture f(c);
  f.port.push(5);
  f.port.push(5, 51, 501, 2);
  f.n().start();
  REQUIRE(f.port.kv.size() == 2);
  CHECK(f.port.kv[0].command.value != f.port.kv[1].command.value);  // two workers
  f.port.nil(0);  // slot 0 skips and is free again
  f.port.push(5, 52, 502, 3);
  f.n().poke();
  REQUIRE(f.port.kv.size() == 3);
  CHECK(f.port.kv[2].command.value != f.port.kv[0].command.value);  // same worker, a later delivery
}

TEST_CASE("job_node store failure on the check: retried with backoff, then the lock is released and the job "
          "requeued",
          "[job_node][failure]") {
  node_fixture f(locked_flow(idempotency_mode::check_then_act));
  f.port.push(7);
  f.n().start();
  f.port.ok(0);
  REQUIRE(f.port.kv.size() == 2);
  CHECK(f.port.kv[1].sent_at == at_ms(0));
  f.port.unavailable(1);
  f.rt.advance(199ms);
  CHECK(f.port.kv.size() == 2);
  f.rt.advance(1ms);
  REQUIRE(f.port.kv.size() == 3);
  CHECK(f.port.kv[2].command.op == kv_op::get);
  CHECK(f.port.kv[2].command.key == "done:7");
  CHECK(f.port.kv[2].sent_at == at_ms(200));
  f.rt.advance(750ms);
  f.port.timed_out(2);  // at 950 ms; the next try 400 ms later
  f.rt.run_until(at_ms(1349));
  CHECK(f.port.kv.size() == 3);
  f.rt.run_until(at_ms(1350));
  REQUIRE(f.port.kv.size() == 4);
  CHECK(f.port.kv[3].command.op == kv_op::get);
  f.port.unavailable(3);  // third and last attempt
  REQUIRE(f.port.kv.size() == 5);
  CHECK(f.port.kv[4].command.op == kv_op::del_if_owner);
  CHECK(f.port.kv[4].command.key == "lock:7");
  CHECK(f.port.requeues.empty());  // released first
  f.port.ok(4, {}, 1);
  REQUIRE(f.port.requeues.size() == 1);
  CHECK(f.port.requeues[0].j.key == 7);
  CHECK(f.port.requeues[0].after == 1500ms);
  CHECK(f.port.acks.empty());
  CHECK(f.port.works.empty());
  CHECK(f.port.log ==
        strings{"set_nx_px lock:7", "get done:7", "get done:7", "get done:7", "del_if_owner lock:7", "requeue 7"});
  CHECK(f.rt.event_names() == strings{"delivery", "lock_acquired", "lock_released"});
  CHECK(f.stats().jobs_requeued == 1);
  CHECK(f.stats().jobs_acked == 0);
  CHECK(f.n().busy_slots() == 0);
}

TEST_CASE("job_node store_attempts 1: a single failed check requeues at once", "[job_node][failure]") {
  job_flow_config c = queue_flow();
  c.idempotency = idempotency_mode::check_then_act;
  c.store_attempts = 1;
  node_fixture f(c);
  f.port.push(7);
  f.n().start();
  f.port.timed_out(0);
  CHECK(f.port.log == strings{"get done:7", "requeue 7"});
  f.rt.advance(10s);
  CHECK(f.port.kv.size() == 1);
}

TEST_CASE("job_node lock contention until acquire_timeout requeues without touching the lock (owner_checked)",
          "[job_node][lock]") {
  node_fixture f(locked_flow(idempotency_mode::check_then_act));
  f.port.push(7);
  f.n().start();
  contend_until_acquire_fails(f);
  REQUIRE(f.port.requeues.size() == 1);
  CHECK(f.port.requeues[0].j.key == 7);
  CHECK(f.port.requeues[0].after == 1500ms);
  CHECK(f.port.kv.size() == 3);  // no DEL, no GET
  CHECK(f.port.acks.empty());
  CHECK(f.port.works.empty());
  CHECK(f.rt.event_names() == strings{"delivery"});
  CHECK(f.stats().jobs_requeued == 1);
  CHECK(f.stats().blind_deletes == 0);
  CHECK(f.n().busy_slots() == 0);
  f.rt.advance(20s);
  CHECK(f.port.kv.size() == 3);  // no stray lock timer sends anything
}

TEST_CASE("job_node release blind: a failed acquire also sends a plain DEL of the lock key", "[job_node][lock]") {
  job_flow_config c = locked_flow(idempotency_mode::check_then_act);
  c.lock->release = lock::release_mode::blind;
  node_fixture f(c);
  f.port.push(7);
  f.n().start();
  contend_until_acquire_fails(f);
  REQUIRE(f.port.kv.size() == 4);
  CHECK(f.port.kv[3].command.op == kv_op::del);
  CHECK(f.port.kv[3].command.key == "lock:7");
  CHECK(f.port.kv[3].timeout == 500ms);
  CHECK(f.stats().blind_deletes == 1);
  REQUIRE(f.port.requeues.size() == 1);
  CHECK(f.port.log == strings{"set_nx_px lock:7", "set_nx_px lock:7", "set_nx_px lock:7", "del lock:7", "requeue 7"});
  const auto before = f.port.log;
  f.port.ok(3, {}, 1);  // its answer is ignored
  CHECK(f.port.log == before);
  CHECK(f.n().busy_slots() == 0);
}

TEST_CASE("job_node release blind: a finished job releases with DEL", "[job_node][lock]") {
  job_flow_config c = locked_flow(idempotency_mode::none);
  c.lock->release = lock::release_mode::blind;
  node_fixture f(c);
  f.port.push(7);
  f.n().start();
  f.port.ok(0);
  f.port.finish_work(0);
  REQUIRE(f.port.kv.size() == 2);
  CHECK(f.port.kv[1].command.op == kv_op::del);
  f.port.ok(1, {}, 1);
  CHECK(f.port.acks.size() == 1);
  CHECK(f.stats().blind_deletes == 0);
}

TEST_CASE("job_node fence INCR failing until the validity ends: acquire fails, our key is cleaned up, requeue",
          "[job_node][lock]") {
  job_flow_config c = locked_flow(idempotency_mode::check_then_act, true);
  c.lock->ttl = 1s;  // validity 988 ms
  node_fixture f(c);
  f.port.push(7);
  f.n().start();
  f.port.ok(0);  // the key is ours
  f.port.unavailable(1);
  f.rt.run_until(at_ms(200));
  f.port.unavailable(2);
  f.rt.run_until(at_ms(600));
  REQUIRE(f.port.kv.size() == 4);
  f.port.timed_out(3);  // the next INCR would start at 1400 ms, after the validity
  REQUIRE(f.port.kv.size() == 5);
  CHECK(f.port.kv[4].command.op == kv_op::del_if_owner);
  CHECK(f.port.kv[4].command.key == "lock:7");
  CHECK(f.port.kv[4].command.value == "n0-1");
  REQUIRE(f.port.requeues.size() == 1);
  CHECK(f.port.log == strings{"set_nx_px lock:7", "incr lock:7:fence", "incr lock:7:fence", "incr lock:7:fence",
                              "del_if_owner lock:7", "requeue 7"});
  CHECK(f.rt.event_names() == strings{"delivery"});
  CHECK(f.stats().blind_deletes == 0);
  CHECK(f.n().busy_slots() == 0);
  f.port.ok(4, {}, 1);  // the cleanup's answer belongs to no job any more
  CHECK(f.port.log.size() == 6);
}

TEST_CASE("job_node release failure still finishes the job: acked, the lock left to its TTL", "[job_node][lock]") {
  node_fixture f(locked_flow(idempotency_mode::none));
  f.port.push(7);
  f.n().start();
  f.port.ok(0);
  f.port.finish_work(0);
  REQUIRE(f.port.kv.size() == 2);
  f.port.unavailable(1);
  CHECK(f.port.kv.size() == 2);  // a release is sent once
  REQUIRE(f.port.acks.size() == 1);
  CHECK(f.rt.event_names() == strings{"delivery", "lock_acquired", "lock_released"});
  CHECK(f.n().busy_slots() == 0);
}

TEST_CASE("job_node persist failure after all attempts still releases and acks", "[job_node][failure]") {
  node_fixture f(locked_flow(idempotency_mode::check_then_act));
  f.port.push(7);
  f.n().start();
  f.port.ok(0);
  f.port.nil(1);
  f.port.finish_work(0);
  REQUIRE(f.port.kv.size() == 3);
  CHECK(f.port.kv[2].command.op == kv_op::set_px);
  f.port.timed_out(2);
  f.rt.advance(200ms);
  REQUIRE(f.port.kv.size() == 4);
  CHECK(f.port.kv[3].command.op == kv_op::set_px);
  CHECK(f.port.kv[3].command.key == "done:7");
  f.port.unavailable(3);
  f.rt.advance(400ms);
  REQUIRE(f.port.kv.size() == 5);
  CHECK(f.port.kv[4].command.op == kv_op::set_px);
  f.port.timed_out(4);
  REQUIRE(f.port.kv.size() == 6);
  CHECK(f.port.kv[5].command.op == kv_op::del_if_owner);
  f.port.ok(5, {}, 1);
  REQUIRE(f.port.acks.size() == 1);
  CHECK(f.port.requeues.empty());
  CHECK(f.port.effects.size() == 1);
  CHECK(f.stats().effects_applied == 1);
  CHECK(f.stats().jobs_acked == 1);
  CHECK(f.stats().jobs_requeued == 0);
}

TEST_CASE("job_node stale fencing token: no persist, release, ack", "[job_node][failure]") {
  node_fixture f(locked_flow(idempotency_mode::check_then_act, true));
  f.port.effect_answer = effect_result::rejected_stale_token;
  f.port.push(7);
  f.n().start();
  f.port.ok(0);
  f.port.ok(1, {}, 3);
  f.port.nil(2);
  f.port.finish_work(0);
  REQUIRE(f.port.effects.size() == 1);
  CHECK(f.port.effects[0].fence == 3);
  REQUIRE(f.port.kv.size() == 4);
  CHECK(f.port.kv[3].command.op == kv_op::del_if_owner);
  f.port.ok(3, {}, 1);
  CHECK(f.port.log == strings{"set_nx_px lock:7", "incr lock:7:fence", "get done:7", "work 7", "effect 7",
                              "del_if_owner lock:7", "ack 7"});
  CHECK(f.stats().effects_rejected == 1);
  CHECK(f.stats().effects_applied == 0);
  CHECK(f.stats().jobs_acked == 1);
}

TEST_CASE("job_node expired lease mid-job: lock_lost, the effect still happens, release not owner still acks",
          "[job_node][lock]") {
  job_flow_config c = locked_flow(idempotency_mode::none);
  c.lock->renew = false;
  c.lock->ttl = 1s;  // validity 1 s - (10 ms + 2 ms) = 988 ms
  node_fixture f(c);
  f.port.push(7);
  f.n().start();
  f.port.ok(0);
  REQUIRE(f.port.works.size() == 1);
  f.rt.run_until(at_ms(987));
  CHECK(f.rt.of(event_type::lock_lost).empty());
  f.rt.run_until(at_ms(988));
  const auto lost = f.rt.of(event_type::lock_lost);
  REQUIRE(lost.size() == 1);
  CHECK(lost[0].value_ns == std::chrono::nanoseconds(988ms).count());
  CHECK(lost[0].t_ns == std::chrono::nanoseconds(988ms).count());
  CHECK(f.port.kv.size() == 1);  // no renewal
  f.rt.run_until(at_ms(1500));
  f.port.finish_work(0);
  CHECK(f.port.effects.size() == 1);  // the flow does not re-check the lock
  REQUIRE(f.port.kv.size() == 2);
  CHECK(f.port.kv[1].command.op == kv_op::del_if_owner);
  f.port.ok(1, {}, 0);  // someone else's key, or none
  CHECK(f.port.acks.size() == 1);
  CHECK(f.rt.event_names() == strings{"delivery", "lock_acquired", "lock_lost", "lock_released"});
}

TEST_CASE("job_node renewal during a long job, and a release that waits for the renewal in flight",
          "[job_node][lock]") {
  job_flow_config c = locked_flow(idempotency_mode::none);
  c.lock->ttl = 3s;  // renewal every 1 s
  node_fixture f(c);
  f.port.push(7);
  f.n().start();
  f.port.ok(0);
  f.rt.run_until(at_ms(999));
  CHECK(f.port.kv.size() == 1);
  f.rt.run_until(at_ms(1000));
  REQUIRE(f.port.kv.size() == 2);
  CHECK(f.port.kv[1].command.op == kv_op::pexpire_if_owner);
  CHECK(f.port.kv[1].command.key == "lock:7");
  CHECK(f.port.kv[1].command.value == "n0-1");
  f.port.ok(1, {}, 1);
  CHECK(f.rt.of(event_type::lock_renewed).size() == 1);
  f.rt.run_until(at_ms(2000));
  REQUIRE(f.port.kv.size() == 3);
  CHECK(f.port.kv[2].command.op == kv_op::pexpire_if_owner);
  f.port.finish_work(0);  // while the second renewal is unanswered
  CHECK(f.port.effects.size() == 1);
  CHECK(f.port.kv.size() == 3);  // one command at a time: the release waits
  f.port.ok(2, {}, 1);
  REQUIRE(f.port.kv.size() == 4);
  CHECK(f.port.kv[3].command.op == kv_op::del_if_owner);
  CHECK(f.port.acks.empty());
  f.port.ok(3, {}, 1);
  CHECK(f.port.acks.size() == 1);
  CHECK(f.rt.event_names() == strings{"delivery", "lock_acquired", "lock_renewed", "lock_released"});
}

}  // namespace
}  // namespace squall::stack::worker::test
