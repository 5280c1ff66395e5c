// job_node's sources of jobs and its lifecycle: queue polling and concurrency, cron firings by the node's own
// clock (flock, clock jumps), crash and restart.
#include <catch2/catch.hpp>

#include "job_node_fixture.hpp"

namespace squall::stack::worker::test {
namespace {

using strings = std::vector<std::string>;

std::vector<std::uint64_t> work_keys(const scripted_port& port) {
  std::vector<std::uint64_t> out;
  for (const auto& w : port.works) out.push_back(w.j.key);
  return out;
}

// --- queue -----------------------------------------------------------------------------------------------------

TEST_CASE("job_node concurrency 2 holds two jobs at once and takes a third only after one finishes",
          "[job_node][queue]") {
  job_flow_config c = queue_flow();
  c.concurrency = 2;
  node_fixture f(c, 10);
  f.port.push(1);
  f.port.push(2);
  f.port.push(3);
  f.n().start();
  CHECK(f.port.receives == std::vector<std::uint32_t>{10, 11});
  REQUIRE(f.port.works.size() == 2);
  CHECK(work_keys(f.port) == std::vector<std::uint64_t>{1, 2});
  CHECK(f.n().busy_slots() == 2);
  CHECK(f.port.visible.size() == 1);  // the third waits
  f.n().poke();
  CHECK(f.port.works.size() == 2);
  CHECK(f.port.receives.size() == 2);  // no free slot: not even asked

  f.port.finish_work(1);  // job 2, worker 11
  REQUIRE(f.port.effects.size() == 1);
  CHECK(f.port.effects[0].worker == 11);
  REQUIRE(f.port.acks.size() == 1);
  CHECK(f.port.acks[0].key == 2);
  REQUIRE(f.port.works.size() == 3);
  CHECK(f.port.works[2].j.key == 3);
  CHECK(f.port.receives == std::vector<std::uint32_t>{10, 11, 11});
  CHECK(f.n().busy_slots() == 2);
  const auto deliveries = f.rt.of(event_type::delivery);
  REQUIRE(deliveries.size() == 3);
  CHECK(deliveries[0].proc == 10);
  CHECK(deliveries[1].proc == 11);
  CHECK(deliveries[2].proc == 11);
  CHECK(deliveries[2].key == 3);

  f.port.finish_work(0);
  f.port.finish_work(2);
  CHECK(f.port.acks.size() == 3);
  CHECK(f.n().busy_slots() == 0);
  CHECK(f.stats().jobs_started == 3);
  CHECK(f.stats().jobs_acked == 3);
}

TEST_CASE("job_node queue: with nothing visible it polls at next_job_at, and poke takes new arrivals",
          "[job_node][queue]") {
  node_fixture f(queue_flow());
  f.port.next_visible = at_ms(500);
  f.n().start();
  CHECK(f.port.receives.size() == 1);
  f.rt.run_until(at_ms(499));
  CHECK(f.port.receives.size() == 1);
  f.port.push(4);
  f.port.next_visible.reset();
  f.rt.run_until(at_ms(500));
  CHECK(f.port.receives.size() == 2);
  REQUIRE(f.port.works.size() == 1);
  CHECK(f.port.works[0].j.key == 4);
  f.port.finish_work(0);
  CHECK(f.port.acks.size() == 1);
  const std::size_t asked = f.port.receives.size();
  f.rt.advance(10s);
  CHECK(f.port.receives.size() == asked);  // nothing queued: no poll armed
  f.port.push(5);
  f.n().poke();
  REQUIRE(f.port.works.size() == 2);
  CHECK(f.port.works[1].j.key == 5);
}

TEST_CASE("job_node poke before start takes nothing", "[job_node][queue]") {
  node_fixture f(queue_flow());
  f.port.push(1);
  f.n().poke();
  CHECK(f.port.receives.empty());
  f.n().start();
  CHECK(f.port.works.size() == 1);
}

TEST_CASE("job_node redelivery round is the delivery event's attempt", "[job_node][queue]") {
  node_fixture f(queue_flow());
  f.port.push(8, 80, 800, 3);
  f.n().start();
  const auto d = f.rt.of(event_type::delivery);
  REQUIRE(d.size() == 1);
  CHECK(d[0].attempt == 3);
  CHECK(d[0].req == 80);
}

// --- crash and restart -----------------------------------------------------------------------------------------

TEST_CASE("job_node crash: nothing more is sent or acked, late replies, work and timers are ignored, restart "
          "takes jobs again",
          "[job_node][crash]") {
  job_flow_config c = queue_flow();
  c.concurrency = 3;
  c.idempotency = idempotency_mode::check_then_act;
  node_fixture f(c);
  f.port.push(1);
  f.port.push(2);
  f.port.push(3);
  f.n().start();
  REQUIRE(f.port.kv.size() == 3);  // GET done:1, done:2, done:3
  f.port.nil(1);                   // job 2 works
  REQUIRE(f.port.works.size() == 1);
  f.port.unavailable(2);  // job 3 waits 200 ms to retry its check
  const std::size_t events_before = f.rt.events.size();
  const strings log_before = f.port.log;

  f.rt.advance(10ms);
  f.n().crash();
  // One worker_crash marker for each of the three workers that lost a job; nothing after that.
  CHECK(f.rt.events.size() == events_before + 3);
  CHECK(f.rt.event_names().back() == "worker_crash");
  const std::size_t events_at_crash = f.rt.events.size();
  CHECK(f.n().down());
  CHECK(f.n().busy_slots() == 0);
  CHECK(f.stats().crashes == 1);

  f.port.nil(0);          // job 1's check answers after the crash
  f.port.finish_work(0);  // job 2's work ends after the crash
  f.rt.advance(5s);       // job 3's retry timer fires
  f.port.push(4);
  f.n().poke();  // down: takes nothing
  CHECK(f.port.log == log_before);
  CHECK(f.port.effects.empty());
  CHECK(f.port.acks.empty());
  CHECK(f.port.requeues.empty());
  CHECK(f.rt.events.size() == events_at_crash);
  CHECK(f.port.receives.size() == 3);
  f.n().crash();  // already down: no-op
  CHECK(f.stats().crashes == 1);

  f.n().restart();
  CHECK_FALSE(f.n().down());
  REQUIRE(f.port.kv.size() == 4);
  CHECK(f.port.kv[3].command.key == "done:4");
  CHECK(f.n().busy_slots() == 1);
  CHECK(f.rt.events.back().type == event_type::delivery);
  CHECK(f.rt.events.back().key == 4);
  f.port.nil(3);
  REQUIRE(f.port.works.size() == 2);
  f.port.finish_work(1);
  f.port.ok(4);
  REQUIRE(f.port.acks.size() == 1);
  CHECK(f.port.acks[0].key == 4);
}

TEST_CASE("job_node crash then restart: a reply meant for the slot's old job is not taken for its new job",
          "[job_node][crash]") {
  job_flow_config c = queue_flow();
  c.idempotency = idempotency_mode::check_then_act;
  node_fixture f(c);
  f.port.push(1);
  f.n().start();
  REQUIRE(f.port.kv.size() == 1);  // GET done:1 from slot 0
  f.n().crash();
  f.port.push(2);
  f.n().restart();
  REQUIRE(f.port.kv.size() == 2);  // GET done:2, slot 0 again
  f.port.nil(0);                   // the old job's answer arrives now
  CHECK(f.port.works.empty());
  f.port.ok(1, "1");  // job 2 is done already
  CHECK(f.port.works.empty());
  CHECK(f.stats().skipped_done == 1);
  REQUIRE(f.port.acks.size() == 1);
  CHECK(f.port.acks[0].key == 2);
}

TEST_CASE("job_node crash while holding a lock: no release, no renewal, no effect", "[job_node][crash]") {
  job_flow_config c = queue_flow();
  c.lock = test_lock();
  node_fixture f(c);
  f.port.push(7);
  f.n().start();
  f.port.ok(0);
  REQUIRE(f.port.works.size() == 1);
  f.rt.advance(100ms);
  f.n().crash();
  f.rt.advance(30s);  // renewals would be due every 3.3 s
  f.port.finish_work(0);
  CHECK(f.port.kv.size() == 1);
  CHECK(f.port.effects.empty());
  CHECK(f.port.acks.empty());
  CHECK(f.rt.event_names() == strings{"delivery", "lock_acquired", "worker_crash"});
  f.n().restart();
  CHECK(f.port.receives.size() == 2);
}

TEST_CASE("job_node crash during acquisition: the late SET NX reply is ignored after restart", "[job_node][crash]") {
  job_flow_config c = queue_flow();
  c.lock = test_lock();
  node_fixture f(c);
  f.port.push(7);
  f.n().start();
  f.n().crash();
  f.port.push(8);
  f.n().restart();
  REQUIRE(f.port.kv.size() == 2);
  CHECK(f.port.kv[1].command.key == "lock:8");
  CHECK(f.port.kv[1].command.value == "n0-2");
  f.port.ok(0);  // job 7's lock, answered late
  CHECK(f.rt.of(event_type::lock_acquired).empty());
  CHECK(f.port.works.empty());
  CHECK(f.port.kv.size() == 2);
  f.port.ok(1);
  REQUIRE(f.port.works.size() == 1);
  CHECK(f.port.works[0].j.key == 8);
}

// --- cron ------------------------------------------------------------------------------------------------------

TEST_CASE("job_node cron fires when its clock passes each multiple of cron_every, key = slot number",
          "[job_node][cron]") {
  node_fixture f(cron_flow(10s));
  f.n().start();
  CHECK(f.port.receives.empty());  // cron does not read the queue
  f.rt.run_until(at_ms(9'999));
  CHECK(f.port.works.empty());
  f.rt.run_until(at_ms(10'000));
  REQUIRE(f.port.works.size() == 1);
  CHECK(f.port.works[0].j.key == 1);
  CHECK(f.port.works[0].j.message == 0);
  CHECK(f.port.works[0].j.round == 1);
  CHECK(f.port.works[0].started_at == at_ms(10'000));
  const auto d = f.rt.of(event_type::delivery);
  REQUIRE(d.size() == 1);
  CHECK(d[0].key == 1);
  CHECK(d[0].t_ns == std::chrono::nanoseconds(10s).count());
  f.rt.advance(2s);
  f.port.finish_work(0);
  CHECK(f.port.effects.size() == 1);
  CHECK(f.port.acks.empty());  // nothing to ack
  CHECK(f.n().busy_slots() == 0);
  f.rt.run_until(at_ms(19'999));
  CHECK(f.port.works.size() == 1);
  f.rt.run_until(at_ms(20'000));
  REQUIRE(f.port.works.size() == 2);
  CHECK(f.port.works[1].j.key == 2);
  f.port.finish_work(1);
  f.rt.run_until(at_ms(30'000));
  CHECK(work_keys(f.port) == std::vector<std::uint64_t>{1, 2, 3});
  CHECK(f.stats().jobs_started == 3);
  CHECK(f.stats().jobs_acked == 0);
  CHECK(f.stats().cron_skipped == 0);
}

TEST_CASE("job_node cron flock skips a firing while the previous run is still going", "[job_node][cron]") {
  job_flow_config c = cron_flow(10s);
  c.concurrency = 2;
  c.flock = true;
  node_fixture f(c);
  f.n().start();
  f.rt.run_until(at_ms(10'000));
  REQUIRE(f.port.works.size() == 1);
  f.rt.run_until(at_ms(20'000));
  CHECK(f.port.works.size() == 1);  // a free slot, but flock is held
  CHECK(f.stats().cron_skipped == 1);
  f.port.finish_work(0);
  f.rt.run_until(at_ms(30'000));
  CHECK(work_keys(f.port) == std::vector<std::uint64_t>{1, 3});
  CHECK(f.stats().jobs_started == 2);
}

TEST_CASE("job_node cron without flock overlaps runs in free slots and skips when every slot is busy",
          "[job_node][cron]") {
  job_flow_config c = cron_flow(10s);
  c.concurrency = 2;
  node_fixture f(c, 20);
  f.n().start();
  f.rt.run_until(at_ms(20'000));
  REQUIRE(f.port.works.size() == 2);
  CHECK(work_keys(f.port) == std::vector<std::uint64_t>{1, 2});
  CHECK(f.n().busy_slots() == 2);
  CHECK(f.rt.of(event_type::delivery).at(1).proc == 21);
  f.rt.run_until(at_ms(30'000));
  CHECK(f.port.works.size() == 2);
  CHECK(f.stats().cron_skipped == 1);
  f.port.finish_work(0);
  f.rt.run_until(at_ms(40'000));
  CHECK(work_keys(f.port) == std::vector<std::uint64_t>{1, 2, 4});
  CHECK(f.rt.of(event_type::delivery).at(2).proc == 20);
}

TEST_CASE("job_node cron: a backward clock jump does not fire a slot twice", "[job_node][cron]") {
  node_fixture f(cron_flow(10s));
  f.n().start();
  f.rt.run_until(at_ms(10'000));
  REQUIRE(f.port.works.size() == 1);
  f.port.finish_work(0);
  f.rt.run_until(at_ms(15'000));
  f.rt.jump(-8s);  // the node reads 7 s; its next firing was armed for 20 s when the clock read 10 s
  CHECK(f.rt.now() == at_ms(7'000));
  f.rt.run_until(at_ms(20'000));  // the timer wakes the node while its clock reads 12 s: slot 1 again
  CHECK(f.port.works.size() == 1);
  f.rt.run_until(at_ms(27'999));  // node clock 19.999 s
  CHECK(f.port.works.size() == 1);
  f.rt.run_until(at_ms(28'000));  // node clock 20 s
  REQUIRE(f.port.works.size() == 2);
  CHECK(f.port.works[1].j.key == 2);
  CHECK(f.stats().jobs_started == 2);
  CHECK(f.stats().cron_skipped == 0);
}

TEST_CASE("job_node cron: a forward clock jump skips the slots it passes over", "[job_node][cron]") {
  node_fixture f(cron_flow(10s));
  f.n().start();
  f.rt.run_until(at_ms(10'000));
  f.port.finish_work(0);
  f.rt.run_until(at_ms(12'000));
  f.rt.jump(25s);                 // the node reads 37 s
  f.rt.run_until(at_ms(20'000));  // the timer armed for 20 s fires while the clock reads 45 s
  REQUIRE(f.port.works.size() == 2);
  CHECK(f.port.works[1].j.key == 4);
  f.port.finish_work(1);
  f.rt.run_until(at_ms(25'000));  // node clock 50 s
  CHECK(work_keys(f.port) == std::vector<std::uint64_t>{1, 4, 5});
}

TEST_CASE("job_node cron with a lock: one lock per job name, contention ends the firing without ack or requeue",
          "[job_node][cron]") {
  job_flow_config c = cron_flow(10s);
  c.lock = test_lock();
  node_fixture f(c);
  f.n().start();
  f.rt.run_until(at_ms(10'000));
  REQUIRE(f.port.kv.size() == 1);
  CHECK(f.port.kv[0].command.op == kv_op::set_nx_px);
  CHECK(f.port.kv[0].command.key == "lock");
  CHECK(f.port.kv[0].command.value == "n0-1");
  f.port.nil(0);
  f.rt.run_until(at_ms(10'200));
  f.port.nil(1);
  f.rt.run_until(at_ms(10'600));
  REQUIRE(f.port.kv.size() == 3);
  f.port.nil(2);  // acquire fails
  CHECK(f.port.requeues.empty());
  CHECK(f.port.acks.empty());
  CHECK(f.port.works.empty());
  CHECK(f.n().busy_slots() == 0);
  f.rt.run_until(at_ms(20'000));
  REQUIRE(f.port.kv.size() == 4);
  CHECK(f.port.kv[3].command.key == "lock");
  CHECK(f.port.kv[3].command.value == "n0-2");
  f.port.ok(3);
  REQUIRE(f.port.works.size() == 1);
  CHECK(f.port.works[0].j.key == 2);
  f.port.finish_work(0);
  CHECK(f.port.effects.at(0).resource == "lock");
  REQUIRE(f.port.kv.size() == 5);
  CHECK(f.port.kv[4].command.op == kv_op::del_if_owner);
  CHECK(f.port.kv[4].command.key == "lock");
  f.port.ok(4, {}, 1);
  CHECK(f.port.acks.empty());
  CHECK(f.n().busy_slots() == 0);
}

TEST_CASE("job_node cron crash and restart: no firing while down, the schedule resumes after", "[job_node][cron]") {
  node_fixture f(cron_flow(10s));
  f.n().start();
  f.rt.run_until(at_ms(10'000));
  REQUIRE(f.port.works.size() == 1);
  f.rt.run_until(at_ms(12'000));
  f.n().crash();
  f.port.finish_work(0);
  f.rt.run_until(at_ms(35'000));
  CHECK(f.port.works.size() == 1);
  CHECK(f.port.effects.empty());
  f.n().restart();
  f.rt.run_until(at_ms(39'999));
  CHECK(f.port.works.size() == 1);
  f.rt.run_until(at_ms(40'000));
  CHECK(work_keys(f.port) == std::vector<std::uint64_t>{1, 4});
}

}  // namespace
}  // namespace squall::stack::worker::test
