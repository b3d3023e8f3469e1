// Events: names, order (as APScheduler emits them), masks, listeners.
#include <catch2/catch.hpp>

#include <atomic>
#include <chrono>
#include <set>
#include <thread>

#include "scheduler_harness.h"

using namespace apsched;
using namespace apsched::testing;

TEST_CASE("events come in APScheduler's order", "[scheduler][events]") {
  SchedulerHarness h;
  core::JobSpec spec;
  spec.id = "once";
  spec.func = "example_jobs:noop";
  spec.trigger = core::TriggerSpec::make("date", {{"run_date", "2026-01-05T12:00:05Z"}});
  h.scheduler().add_job(spec);
  h.scheduler().start();
  CHECK(h.event_names() ==
        std::vector<std::string>{"EVENT_JOBSTORE_ADDED", "EVENT_JOB_ADDED", "EVENT_SCHEDULER_STARTED"});
  h.clear_events();
  h.advance(5);
  h.pass();
  // The inline executor runs the job inside submit, as APScheduler's debug executor.
  CHECK(h.event_names() ==
        std::vector<std::string>{"EVENT_JOB_EXECUTED", "EVENT_JOB_SUBMITTED", "EVENT_JOB_REMOVED"});
  h.clear_events();
  h.scheduler().pause();
  h.scheduler().resume();
  h.scheduler().shutdown();
  CHECK(h.event_names() == std::vector<std::string>{"EVENT_SCHEDULER_PAUSED", "EVENT_SCHEDULER_RESUMED",
                                                    "EVENT_SCHEDULER_SHUTDOWN"});
}

TEST_CASE("events carry the job, its store and its run time", "[scheduler][events]") {
  SchedulerHarness h;
  h.scheduler().start();
  h.scheduler().add_job(SchedulerHarness::interval_job("a", 10));
  h.advance(10);
  h.pass();
  auto executed = h.events(core::EVENT_JOB_EXECUTED);
  REQUIRE(executed.size() == 1);
  CHECK(executed[0].job_id == "a");
  CHECK(executed[0].jobstore == "default");
  CHECK(executed[0].scheduled_run_time == kStart + 10 * kSecond);
}

TEST_CASE("a listener gets only the events in its mask and can be removed", "[scheduler][events]") {
  SchedulerHarness h;
  std::vector<std::string> seen;
  auto id = h.scheduler().add_listener([&](const core::Event& e) { seen.push_back(core::event_name(e.code)); },
                                       core::EVENT_JOB_EXECUTED | core::EVENT_JOB_ERROR);
  h.scheduler().start();
  h.scheduler().add_job(SchedulerHarness::interval_job("a", 10));
  h.advance(10);
  h.pass();
  CHECK(seen == std::vector<std::string>{"EVENT_JOB_EXECUTED"});
  h.scheduler().remove_listener(id);
  h.advance(10);
  h.pass();
  CHECK(seen.size() == 1);
}

TEST_CASE("a throwing listener does not stop the others or the scheduler", "[scheduler][events]") {
  SchedulerHarness h;
  h.scheduler().add_listener([](const core::Event&) { throw std::runtime_error("listener bug"); });
  h.scheduler().start();
  h.scheduler().add_job(SchedulerHarness::interval_job("a", 10));
  h.advance(10);
  h.pass();
  CHECK(h.events(core::EVENT_JOB_EXECUTED).size() == 1);
}

TEST_CASE("adding or changing a job wakes the event loop only when it runs before the planned wake-up",
          "[scheduler][events]") {
  SchedulerHarness h;
  h.scheduler().start();
  auto woken_by = [&](auto&& change) {
    int before = h.wakeups();
    change();
    return h.wakeups() - before;
  };
  // start() asked for a pass; until one has planned, every add with a run time wakes.
  CHECK(woken_by([&] { h.scheduler().add_job(SchedulerHarness::interval_job("a", 10)); }) == 1);
  REQUIRE(h.pass() == kStart + 10 * kSecond);

  CHECK(woken_by([&] { h.scheduler().add_job(SchedulerHarness::interval_job("later", 20)); }) == 0);
  CHECK(woken_by([&] { h.scheduler().add_job(SchedulerHarness::interval_job("same", 10)); }) == 0);
  CHECK(woken_by([&] { h.scheduler().add_job(SchedulerHarness::interval_job("sooner", 5)); }) == 1);
  REQUIRE(h.pass() == kStart + 5 * kSecond);

  CHECK(woken_by([&] { h.scheduler().pause_job("sooner"); }) == 0);
  CHECK(woken_by([&] { h.scheduler().resume_job("sooner"); }) == 0);  // 5 s again: not before
  CHECK(woken_by([&] {
          h.scheduler().reschedule_job("later", core::TriggerSpec::make("interval", {{"seconds", 1}}));
        }) == 1);
  REQUIRE(h.pass() == kStart + 1 * kSecond);

  // Any other wake-up request forgets the plan until the next pass.
  h.scheduler().wakeup();
  CHECK(woken_by([&] { h.scheduler().add_job(SchedulerHarness::interval_job("after-request", 15)); }) == 1);
  REQUIRE(h.pass() == kStart + 1 * kSecond);

  // Paused: resume() wakes the loop, adds do not.
  h.scheduler().pause();
  CHECK(woken_by([&] { h.scheduler().add_job(SchedulerHarness::interval_job("while-paused", 0.5)); }) == 0);
  CHECK(woken_by([&] { h.scheduler().resume(); }) == 1);
  CHECK(h.pass() == kStart + kSecond / 2);

  // The jobs that did not wake the loop still run when due (at 30 s every interval fires).
  h.advance(30);
  h.pass();
  std::set<std::string> ran;
  for (const auto& e : h.events(core::EVENT_JOB_EXECUTED)) ran.insert(e.job_id);
  CHECK(ran == std::set<std::string>{"a", "later", "same", "sooner", "after-request", "while-paused"});
}

TEST_CASE("start twice and shutdown twice are errors", "[scheduler][events]") {
  SchedulerHarness h;
  CHECK_THROWS_AS(h.scheduler().shutdown(), core::SchedulerNotRunningError);
  h.scheduler().start();
  CHECK_THROWS_AS(h.scheduler().start(), core::SchedulerAlreadyRunningError);
  h.scheduler().shutdown();
  CHECK_THROWS_AS(h.scheduler().shutdown(), core::SchedulerNotRunningError);
  CHECK_FALSE(h.scheduler().running());
}

TEST_CASE("event names are APScheduler's", "[scheduler][events]") {
  CHECK(std::string(core::event_name(core::EVENT_JOB_MAX_INSTANCES)) == "EVENT_JOB_MAX_INSTANCES");
  CHECK(core::EVENT_JOB_EXECUTED == 4096);
  CHECK(core::EVENT_ALL == (1u << 17) - 1);
}

TEST_CASE("a background scheduler can be shut down from a listener on its own thread", "[scheduler][threads]") {
  auto scheduler = std::make_unique<core::BackgroundScheduler>(SchedulerHarness::test_options());
  scheduler->add_executor("default", sdk::Value::Map{{"type", "inline"}});
  std::atomic<bool> stopped{false};
  scheduler->add_listener(
      [&](const core::Event&) {
        scheduler->shutdown(false);
        stopped = true;
      },
      core::EVENT_JOB_EXECUTED);
  core::JobSpec spec = SchedulerHarness::interval_job("a", 0.05);
  scheduler->add_job(spec);
  scheduler->start();
  for (int i = 0; i < 400 && !stopped; ++i) std::this_thread::sleep_for(std::chrono::milliseconds(5));
  CHECK(stopped);
  CHECK_FALSE(scheduler->running());
  scheduler.reset();  // must neither hang nor terminate
}

TEST_CASE("a background scheduler waiting for a later job runs a sooner one added meanwhile",
          "[scheduler][threads]") {
  // The loop sleeps until its planned wake-up; only an add that runs before it wakes the
  // loop. Real time, generous bounds.
  core::BackgroundScheduler scheduler(SchedulerHarness::test_options());
  scheduler.add_executor("default", sdk::Value::Map{{"type", "inline"}});
  std::atomic<int> sooner_runs{0};
  scheduler.add_listener(
      [&](const core::Event& e) {
        if (e.job_id == "sooner") ++sooner_runs;
      },
      core::EVENT_JOB_EXECUTED);
  scheduler.start();
  scheduler.add_job(SchedulerHarness::interval_job("later", 3600));
  std::this_thread::sleep_for(std::chrono::milliseconds(50));  // the loop now waits for "later"
  scheduler.add_job(SchedulerHarness::interval_job("even-later", 7200));  // does not wake it
  scheduler.add_job(SchedulerHarness::interval_job("sooner", 0.2));
  for (int i = 0; i < 400 && sooner_runs < 2; ++i) std::this_thread::sleep_for(std::chrono::milliseconds(5));
  CHECK(sooner_runs >= 2);  // woken for its first run, then the loop plans its next ones
  scheduler.shutdown(true);
}

TEST_CASE("a run its executor refuses gets no submitted event, and the job keeps its schedule",
          "[scheduler][events]") {
  SchedulerHarness h({}, "refusing", {APSCHED_FIXTURE_PLUGIN_DIR});
  h.scheduler().add_job(SchedulerHarness::interval_job("refused", 1));
  h.scheduler().start();
  h.clear_events();
  h.advance(1);
  CHECK(h.pass() == kStart + 2 * kSecond);
  CHECK(h.events().empty());
  CHECK(h.scheduler().get_job("refused")->next_run_time == kStart + 2 * kSecond);
}
