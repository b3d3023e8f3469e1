// StartPolicy: which queued runs a thread pool's workers take, and whom a submit wakes;
// exact, on made-up times.
#include <executors/threadpool/start_policy.h>

#include <catch2/catch.hpp>
#include <chrono>

using apsched::executors::StartPolicy;
using namespace std::chrono_literals;

namespace {

constexpr std::size_t kWorkers = 4;
const StartPolicy::Clock::time_point t0{std::chrono::seconds(100)};

// One run at a time (a 2-CPU machine), a run counts for 1 ms.
StartPolicy policy() { return StartPolicy(kWorkers, 1, 1ms); }

// `runs` are submitted at t0 to idle workers: one is woken and takes the first. Returns
// whether it asks for a watcher.
bool first_taken(StartPolicy& p, std::size_t runs) {
  REQUIRE(p.submitted(t0, runs, 0, kWorkers) == 1);
  p.woke(0);
  REQUIRE(p.may_take(0, t0));
  return p.took(0, t0, runs - 1, kWorkers - 1);
}

}  // namespace

TEST_CASE("start policy: runs at once are the CPUs but one, at least one", "[threadpool][policy]") {
  CHECK(StartPolicy::parallel_for_cpus(0) == 1);
  CHECK(StartPolicy::parallel_for_cpus(1) == 1);
  CHECK(StartPolicy::parallel_for_cpus(2) == 1);
  CHECK(StartPolicy::parallel_for_cpus(8) == 7);
}

TEST_CASE("start policy: a batch wakes one worker, which drains it while another watches", "[threadpool][policy]") {
  StartPolicy p = policy();
  CHECK(p.submitted(t0, 100, 0, kWorkers) == 1);
  p.woke(0);
  REQUIRE(p.may_take(0, t0));
  // Runs are left: an idle worker is to watch them.
  CHECK(p.took(0, t0, 99, kWorkers - 1));
  p.woke(1);
  CHECK_FALSE(p.may_take(1, t0 + 10us));  // worker 0's run counts: worker 1 does not take one
  CHECK(p.going_idle(1, 99));
  CHECK(p.watch_deadline() == t0 + 1ms);
  // Worker 0 keeps taking runs; no other worker is woken for them.
  CHECK(p.may_take(0, t0 + 20us));
  CHECK_FALSE(p.took(0, t0 + 20us, 98, kWorkers - 2));
  CHECK(p.watch_deadline() == t0 + 20us + 1ms);
  // More runs while worker 0 drains: nobody is woken.
  CHECK(p.submitted(t0 + 30us, 100, 98, kWorkers - 2) == 0);
  // The watcher wakes at its deadline: runs were taken meanwhile, so it goes on watching.
  p.woke(1);
  CHECK_FALSE(p.watched(t0 + 1ms, 198));
  CHECK_FALSE(p.may_take(1, t0 + 1ms));
  CHECK(p.going_idle(1, 198));
}

TEST_CASE("start policy: a run submitted next to one running for longer than settle starts at once",
          "[threadpool][policy]") {
  StartPolicy p = policy();
  CHECK_FALSE(first_taken(p, 1));
  SECTION("within settle it waits for a worker: one is woken to watch") {
    CHECK(p.submitted(t0 + 500us, 1, 0, kWorkers - 1) == 1);
    p.woke(1);
    CHECK_FALSE(p.may_take(1, t0 + 500us));
    CHECK(p.going_idle(1, 1));
    CHECK(p.watch_deadline() == t0 + 1500us);
  }
  SECTION("after settle, worker 0's run no longer counts") {
    CHECK(p.submitted(t0 + 2ms, 1, 0, kWorkers - 1) == 1);
    p.woke(1);
    CHECK(p.may_take(1, t0 + 2ms));
  }
}

TEST_CASE("start policy: runs not taken for settle are taken by every worker until the queue is empty",
          "[threadpool][policy]") {
  StartPolicy p = policy();
  REQUIRE(first_taken(p, 5));  // worker 0 blocks in its run
  p.woke(1);
  REQUIRE(p.going_idle(1, 4));
  p.woke(1);
  CHECK_FALSE(p.watched(t0 + 999us, 4));  // not yet
  CHECK(p.watched(t0 + 1ms, 4));          // stalled: wake everyone
  for (std::size_t slot = 1; slot < kWorkers; ++slot) CHECK(p.may_take(slot, t0 + 1ms));
  CHECK(p.submitted(t0 + 1ms, 2, 4, 2) == 2);  // and a submit wakes every idle worker
  CHECK_FALSE(p.took(1, t0 + 1ms, 5, 2));      // no watcher while all hands
  CHECK_FALSE(p.going_idle(2, 5));
  // Once the queue is empty, one run at a time again.
  CHECK_FALSE(p.took(3, t0 + 1100us, 0, 1));
  CHECK_FALSE(p.may_take(2, t0 + 1100us));
}

TEST_CASE("start policy: a worker woken to watch that takes a run instead asks for another watcher",
          "[threadpool][policy]") {
  StartPolicy p = policy();
  REQUIRE(first_taken(p, 3));  // asks for a watcher; worker 0 then blocks in its run
  p.woke(1);
  // Worker 1 woke late: worker 0's run no longer counts, so it takes a run instead of watching.
  REQUIRE(p.may_take(1, t0 + 1500us));
  CHECK(p.took(1, t0 + 1500us, 1, kWorkers - 2));  // runs are left: another is to watch
  p.woke(2);
  CHECK(p.going_idle(2, 1));
}

TEST_CASE("start policy: one worker watches, and only while runs are queued", "[threadpool][policy]") {
  StartPolicy p = policy();
  CHECK_FALSE(p.going_idle(0, 0));
  REQUIRE(first_taken(p, 2));
  CHECK(p.going_idle(1, 1));        // worker 1 went idle first: it watches
  p.woke(2);                        // the worker woken to watch finds a watcher
  CHECK_FALSE(p.going_idle(2, 1));
  CHECK_FALSE(p.took(0, t0 + 10us, 0, kWorkers - 2));
  p.woke(1);
  CHECK_FALSE(p.watched(t0 + 1010us, 0));
  CHECK_FALSE(p.going_idle(1, 0));  // nothing queued: it waits to be woken
}

TEST_CASE("start policy: while draining every worker takes runs", "[threadpool][policy]") {
  StartPolicy p = policy();
  REQUIRE(first_taken(p, 10));
  p.drain();
  for (std::size_t slot = 1; slot < kWorkers; ++slot) CHECK(p.may_take(slot, t0));
  CHECK_FALSE(p.going_idle(1, 9));  // no watcher: every worker is woken to drain
}
