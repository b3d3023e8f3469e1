// StartPolicy: which queued runs a thread pool's workers take, and whom a submit wakes;
// exact, on made-up times.
#include <executors/threadpool/start_policy.h>

#include <catch2/catch.hpp>
#include <chrono>

using apsched::executors::StartPolicy;
using Wake = StartPolicy::Wake;
using Wakes = StartPolicy::Wakes;
using namespace std::chrono_literals;

namespace {

constexpr std::size_t kWorkers = 4;
const StartPolicy::Clock::time_point t0{std::chrono::seconds(100)};

// One run at a time (a 2-CPU machine), a run counts for 1 ms, a queued run waits 2 ms at most.
StartPolicy policy() { return StartPolicy(kWorkers, 1, 1ms, 2ms); }

// `runs` (more than one) are submitted at t0 to idle workers: one is woken to take them
// and one to watch; worker 0 wakes first and takes the first run, worker 1 then watches.
void first_taken(StartPolicy& p, std::size_t runs) {
  REQUIRE(p.submitted(t0, runs, 0, kWorkers) == Wakes{1, true});
  p.woke(0, Wake::take);
  REQUIRE(p.may_take(0, t0));
  REQUIRE_FALSE(p.took(0, t0, runs - 1, kWorkers - 2));  // a watcher is on its way
  p.woke(1, Wake::watch);
  REQUIRE_FALSE(p.may_take(1, t0));
  REQUIRE(p.going_idle(1, runs - 1));
}

}  // namespace

TEST_CASE("start policy: runs at once are the CPUs but one, at least one", "[threadpool][policy]") {
  CHECK(StartPolicy::parallel_for_cpus(0) == 1);
  CHECK(StartPolicy::parallel_for_cpus(1) == 1);
  CHECK(StartPolicy::parallel_for_cpus(2) == 1);
  CHECK(StartPolicy::parallel_for_cpus(8) == 7);
}

TEST_CASE("start policy: a single run wakes one worker and no watcher", "[threadpool][policy]") {
  StartPolicy p = policy();
  CHECK(p.submitted(t0, 1, 0, kWorkers) == Wakes{1, false});
  p.woke(0, Wake::take);
  CHECK(p.may_take(0, t0));
  CHECK_FALSE(p.took(0, t0, 0, kWorkers - 1));
  CHECK_FALSE(p.going_idle(0, 0));
}

TEST_CASE("start policy: a batch wakes one worker to drain it and one to watch", "[threadpool][policy]") {
  StartPolicy p = policy();
  first_taken(p, 100);
  CHECK(p.watch_deadline(t0) == t0 + 2ms);
  // Worker 0 keeps taking runs; nobody else is woken for them.
  CHECK(p.may_take(0, t0 + 20us));
  CHECK_FALSE(p.took(0, t0 + 20us, 98, kWorkers - 2));
  CHECK(p.submitted(t0 + 30us, 100, 98, kWorkers - 2) == Wakes{});  // more while worker 0 drains: nobody
  // The first batch is taken before its runs waited 2 ms: the watcher goes on watching.
  CHECK_FALSE(p.took(0, t0 + 1900us, 99, kWorkers - 2));
  p.woke(1, Wake::none);
  CHECK_FALSE(p.watched(t0 + 2ms, t0 + 30us));
  CHECK_FALSE(p.may_take(1, t0 + 2ms));
  CHECK(p.going_idle(1, 99));
  // The queue empties: the watcher is no longer one once it wakes.
  CHECK_FALSE(p.took(0, t0 + 1500us, 0, kWorkers - 2));
  p.woke(1, Wake::none);
  CHECK_FALSE(p.watched(t0 + 2030us, std::nullopt));
  CHECK_FALSE(p.going_idle(1, 0));
}

TEST_CASE("start policy: runs one worker cannot keep up with are spread over every worker", "[threadpool][policy]") {
  StartPolicy p = policy();
  first_taken(p, 100);  // runs of a millisecond each: worker 0 takes one every millisecond
  CHECK_FALSE(p.took(0, t0 + 1ms, 98, kWorkers - 2));
  p.woke(1, Wake::none);
  CHECK(p.watched(t0 + 2ms, t0));  // the oldest queued run has waited 2 ms
  for (std::size_t slot = 1; slot < kWorkers; ++slot) CHECK(p.may_take(slot, t0 + 2ms));
}

TEST_CASE("start policy: the watcher may wake before the taker", "[threadpool][policy]") {
  StartPolicy p = policy();
  REQUIRE(p.submitted(t0, 10, 0, kWorkers) == Wakes{1, true});
  p.woke(2, Wake::watch);
  CHECK_FALSE(p.may_take(2, t0));  // the taker on its way counts
  CHECK(p.going_idle(2, 10));
  p.woke(3, Wake::take);
  REQUIRE(p.may_take(3, t0));
  CHECK_FALSE(p.took(3, t0, 9, kWorkers - 2));  // worker 2 watches
}

TEST_CASE("start policy: counts stay exact over many submits and wake-ups in any order", "[threadpool][policy]") {
  // With one shared condition variable the pool could not tell whom a notification woke:
  // its count of takers on their way drifted up until no worker took runs any more.
  StartPolicy p = policy();
  StartPolicy::Clock::time_point now = t0;
  for (int round = 0; round < 1000; ++round) {
    now += 5ms;  // every earlier run is past settle
    const Wakes wakes = p.submitted(now, 4, 0, kWorkers);
    REQUIRE(wakes == Wakes{1, true});
    if (round % 2 == 0) {
      p.woke(1, Wake::watch);
      p.woke(0, Wake::take);
    } else {
      p.woke(0, Wake::take);
      p.woke(1, Wake::watch);
    }
    REQUIRE(p.may_take(0, now));
    CHECK_FALSE(p.took(0, now, 3, kWorkers - 2));
    for (std::size_t left = 3; left > 0; --left) CHECK_FALSE(p.took(0, now, left - 1, kWorkers - 2));
    CHECK_FALSE(p.going_idle(1, 0));  // the queue is empty: the watcher stops watching
    CHECK_FALSE(p.going_idle(0, 0));
  }
}

TEST_CASE("start policy: a run submitted next to one running for longer than settle starts at once",
          "[threadpool][policy]") {
  StartPolicy p = policy();
  REQUIRE(p.submitted(t0, 1, 0, kWorkers) == Wakes{1, false});
  p.woke(0, Wake::take);
  REQUIRE(p.may_take(0, t0));
  CHECK_FALSE(p.took(0, t0, 0, kWorkers - 1));
  SECTION("within settle it waits for a worker: one is woken to watch") {
    CHECK(p.submitted(t0 + 500us, 1, 0, kWorkers - 1) == Wakes{0, true});
    p.woke(1, Wake::watch);
    CHECK_FALSE(p.may_take(1, t0 + 500us));
    CHECK(p.going_idle(1, 1));
    p.woke(1, Wake::none);  // at the run's deadline worker 0's run no longer counts
    CHECK(p.may_take(1, t0 + 1ms));
  }
  SECTION("after settle, worker 0's run no longer counts") {
    CHECK(p.submitted(t0 + 2ms, 1, 0, kWorkers - 1) == Wakes{1, false});
    p.woke(1, Wake::take);
    CHECK(p.may_take(1, t0 + 2ms));
  }
}

TEST_CASE("start policy: runs not taken for settle are taken by every worker until the queue is empty",
          "[threadpool][policy]") {
  StartPolicy p = policy();
  first_taken(p, 5);  // worker 0 blocks in its run
  p.woke(1, Wake::none);
  CHECK_FALSE(p.watched(t0 + 1999us, t0));  // not yet
  CHECK(p.watched(t0 + 2ms, t0));           // the oldest has waited 2 ms: wake everyone
  for (std::size_t slot = 1; slot < kWorkers; ++slot) CHECK(p.may_take(slot, t0 + 2ms));
  CHECK(p.submitted(t0 + 2ms, 2, 4, 2) == Wakes{2, false});  // and a submit wakes every idle worker
  CHECK_FALSE(p.took(1, t0 + 2ms, 5, 2));      // no watcher while all hands
  CHECK_FALSE(p.going_idle(2, 5));
  // Once the queue is empty, one run at a time again.
  CHECK_FALSE(p.took(3, t0 + 2100us, 0, 1));
  CHECK_FALSE(p.may_take(2, t0 + 2100us));
}

TEST_CASE("start policy: a watcher that takes a run instead asks for another", "[threadpool][policy]") {
  StartPolicy p = policy();
  first_taken(p, 3);  // worker 0 then blocks in its run
  p.woke(1, Wake::none);
  // Worker 0's run no longer counts: the watcher takes a run; runs are left, so another is to watch.
  REQUIRE(p.may_take(1, t0 + 1500us));
  CHECK(p.took(1, t0 + 1500us, 1, kWorkers - 2));
  p.woke(2, Wake::watch);
  CHECK_FALSE(p.may_take(2, t0 + 1500us));
  CHECK(p.going_idle(2, 1));
}

TEST_CASE("start policy: one worker watches at a time", "[threadpool][policy]") {
  StartPolicy p = policy();
  first_taken(p, 3);
  // Worker 2, awake for another reason, finds a watcher.
  CHECK_FALSE(p.may_take(2, t0 + 10us));
  CHECK_FALSE(p.going_idle(2, 2));
}

TEST_CASE("start policy: while draining every worker takes runs", "[threadpool][policy]") {
  StartPolicy p = policy();
  first_taken(p, 10);
  p.drain();
  for (std::size_t slot = 1; slot < kWorkers; ++slot) CHECK(p.may_take(slot, t0));
  CHECK_FALSE(p.going_idle(2, 9));  // no watcher: every worker is woken to drain
}
