// Job timeouts in the executors that run jobs in host threads (thread pool, inline): at
// the limit the run is reported timed out while the job still runs, its stop token is
// set, and the run lives (counting toward max_instances) until the job returns.
#include <executors/inline/inline.h>
#include <executors/threadpool/threadpool.h>

#include <chrono>
#include <memory>
#include <thread>

#include "fake_host.h"
#include "fake_run.h"
#include "test_support.h"

using apsched::executors::InlineExecutor;
using apsched::executors::ThreadPoolExecutor;
using apsched::sdk::StopToken;
using apsched::sdk::Value;
using apsched::testing::eventually;
using apsched::testing::FakeHost;
using apsched::testing::FakeRun;
using apsched::testing::Gate;
using apsched::testing::RunProbe;

namespace {

/** A run with a 0.1 s timeout that ignores its stop token until `release` opens. */
std::unique_ptr<FakeRun> stubborn_run(RunProbe& probe, Gate& release,
                                      std::vector<apsched::sdk::Timestamp> times = {1}) {
  auto run = std::make_unique<FakeRun>(
      "slow", probe, [&release](const StopToken&) { release.wait(); }, std::move(times));
  run->set_timeout(0.1);
  return run;
}

/** Checks what the first end() reported: a timeout, while the job still ran, with its stop token set. */
void check_reported_timeout(RunProbe& probe) {
  std::lock_guard lock(probe.mutex);
  REQUIRE(!probe.outcomes.empty());
  const auto& first = probe.outcomes.front();
  CHECK_FALSE(first.ok);
  CHECK(first.timed_out);
  CHECK(first.error_type == "TimeoutError");
  CHECK_THAT(first.error_message, Catch::Contains("exceeded its timeout of 0.1 s"));
}

}  // namespace

TEST_CASE("threadpool: a run past its timeout is reported at the limit and stays alive until it returns",
          "[threadpool][timeout]") {
  FakeHost host;
  RunProbe probe;
  Gate release;
  ThreadPoolExecutor pool(host, Value::Map{{"max_workers", 2}});
  REQUIRE(pool.start().ok());
  auto started = std::chrono::steady_clock::now();
  REQUIRE(pool.submit(stubborn_run(probe, release)).ok());

  REQUIRE(eventually([&] { return probe.ended == 1; }));
  CHECK(std::chrono::steady_clock::now() - started >= std::chrono::milliseconds(100));
  CHECK(probe.ended_while_invoked == 1);
  check_reported_timeout(probe);
  CHECK(probe.running == 1);    // the job still runs...
  CHECK(probe.destroyed == 0);  // ...and its run (its max_instances slot) is alive

  release.open();
  REQUIRE(eventually([&] { return probe.destroyed == 1; }));
  CHECK(probe.saw_stop == 1);  // the job's token said stop
  // The real return went to the kernel as well (it logs it, reports nothing).
  CHECK(probe.ended == 2);
  std::lock_guard lock(probe.mutex);
  CHECK(probe.outcomes.back().ok);
}

TEST_CASE("threadpool: a run within its timeout is reported once, not timed out", "[threadpool][timeout]") {
  FakeHost host;
  RunProbe probe;
  ThreadPoolExecutor pool(host, Value::Map{{"max_workers", 1}});
  REQUIRE(pool.start().ok());
  auto quick = std::make_unique<FakeRun>("quick", probe, FakeRun::Body{}, std::vector<apsched::sdk::Timestamp>{1, 2});
  quick->set_timeout(30);
  REQUIRE(pool.submit(std::move(quick)).ok());
  pool.shutdown(true);
  CHECK(probe.ended == 2);
  CHECK(probe.saw_stop == 0);
  std::lock_guard lock(probe.mutex);
  for (const auto& outcome : probe.outcomes) CHECK_FALSE(outcome.timed_out);
}

TEST_CASE("threadpool: each run time of a run has its own timeout", "[threadpool][timeout]") {
  FakeHost host;
  RunProbe probe;
  Gate release;
  release.open();  // each run time waits for its stop token instead
  ThreadPoolExecutor pool(host, Value::Map{{"max_workers", 1}});
  REQUIRE(pool.start().ok());
  auto run = std::make_unique<FakeRun>(
      "two", probe,
      [](const StopToken& stop) {
        while (!stop.stop_requested()) std::this_thread::sleep_for(std::chrono::milliseconds(5));
      },
      std::vector<apsched::sdk::Timestamp>{1, 2});
  run->set_timeout(0.05);
  REQUIRE(pool.submit(std::move(run)).ok());
  pool.shutdown(true);
  CHECK(probe.invoked == 2);
  CHECK(probe.saw_stop == 2);
  CHECK(probe.ended == 4);  // per run time: the timeout, then the late return
  std::lock_guard lock(probe.mutex);
  CHECK(probe.outcomes[0].timed_out);
  CHECK_FALSE(probe.outcomes[1].timed_out);
  CHECK(probe.outcomes[2].timed_out);
}

TEST_CASE("inline: a run past its timeout is reported at the limit, submit returns with the job", "[inline][timeout]") {
  FakeHost host;
  RunProbe probe;
  Gate release;
  InlineExecutor executor(host, Value::Map{{"type", "inline"}});
  REQUIRE(executor.start().ok());
  std::thread submitter([&] { REQUIRE(executor.submit(stubborn_run(probe, release)).ok()); });

  REQUIRE(eventually([&] { return probe.ended == 1; }));
  check_reported_timeout(probe);
  CHECK(probe.ended_while_invoked == 1);
  CHECK(probe.destroyed == 0);
  release.open();
  submitter.join();
  CHECK(probe.destroyed == 1);
  CHECK(probe.saw_stop == 1);
  CHECK(probe.ended == 2);
}

namespace {

/** A run with a 0.1 s timeout that returns once asked to stop; its timeout report calls `on_timeout`. */
std::unique_ptr<FakeRun> stop_on_timeout_run(RunProbe& probe, std::function<void()> on_timeout) {
  auto run = std::make_unique<FakeRun>("listener", probe, [](const StopToken& stop) {
    while (!stop.stop_requested()) std::this_thread::sleep_for(std::chrono::milliseconds(5));
  });
  run->set_timeout(0.1);
  run->set_on_end([on_timeout = std::move(on_timeout)](const apsched::sdk::JobOutcome& outcome) {
    if (outcome.timed_out) on_timeout();
  });
  return run;
}

/** Like a listener calling scheduler.shutdown(wait) on a timeout: the call returns and the run
 *  finishes. On failure the executor (and what its threads use) is leaked, as it may be deadlocked. */
template <typename Executor>
void check_shutdown_from_timeout_report(bool wait, Executor* executor, FakeHost* host) {
  auto* probe = new RunProbe;
  std::atomic<bool> returned{false};
  REQUIRE(executor->start().ok());
  std::thread submitter([&] {
    CHECK(executor->submit(stop_on_timeout_run(*probe, [executor, wait, &returned] {
                                executor->shutdown(wait);
                                returned = true;
                              })).ok());
  });
  bool finished = eventually([&] { return returned && probe->destroyed == 1; });
  if (!finished) {
    submitter.detach();
    FAIL("shutdown(" << wait << ") from the timeout report did not return, or the run never finished");
  }
  submitter.join();
  CHECK(probe->saw_stop == 1);
  CHECK(probe->ended == 2);  // the timeout, then the late return
  delete executor;
  delete probe;
  delete host;
}

}  // namespace

TEST_CASE("threadpool: shutdown(true) from a timeout report (the watchdog thread) returns, the run finishes",
          "[threadpool][timeout]") {
  auto* host = new FakeHost;
  check_shutdown_from_timeout_report(true, new ThreadPoolExecutor(*host, Value::Map{{"max_workers", 1}}), host);
}

TEST_CASE("threadpool: shutdown(false) from a timeout report (the watchdog thread) returns, the run finishes",
          "[threadpool][timeout]") {
  auto* host = new FakeHost;
  check_shutdown_from_timeout_report(false, new ThreadPoolExecutor(*host, Value::Map{{"max_workers", 1}}), host);
}

TEST_CASE("inline: shutdown(true) from a timeout report (the watchdog thread) returns, the run finishes",
          "[inline][timeout]") {
  auto* host = new FakeHost;
  check_shutdown_from_timeout_report(true, new InlineExecutor(*host, Value::Map{}), host);
}
