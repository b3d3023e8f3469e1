// Changing, pausing, rescheduling and removing jobs.
#include <catch2/catch.hpp>

#include "scheduler_harness.h"

using namespace apsched;
using namespace apsched::testing;
using Catch::Matchers::Contains;

TEST_CASE("modify_job changes the job's options and arguments", "[scheduler]") {
  SchedulerHarness h;
  h.scheduler().start();
  h.scheduler().add_job(SchedulerHarness::interval_job("a", 10, "gate_jobs:echo"));
  core::JobChanges changes;
  changes.args = sdk::Value::List{"new"};
  changes.name = "renamed";
  changes.max_instances = 3;
  auto job = h.scheduler().modify_job("a", changes);
  CHECK(job.name == "renamed");
  CHECK(job.max_instances == 3);
  CHECK(h.events(core::EVENT_JOB_MODIFIED).size() == 1);
  h.advance(10);
  h.pass();
  auto executed = h.events(core::EVENT_JOB_EXECUTED);
  REQUIRE(executed.size() == 1);
  CHECK(executed[0].retval == sdk::Value(sdk::Value::List{"new"}));
  CHECK(h.scheduler().get_job("a")->name == "renamed");
}

TEST_CASE("a job that ran and then changed runs as changed (the kernel keeps decoded jobs only while unchanged)",
          "[scheduler]") {
  SchedulerHarness h;
  h.scheduler().start();
  h.scheduler().add_job(SchedulerHarness::interval_job("a", 10, "gate_jobs:echo"));
  auto run = [&] {
    h.clear_events();
    h.pass();
    auto executed = h.events(core::EVENT_JOB_EXECUTED);
    REQUIRE(executed.size() == 1);
    return executed[0].retval;
  };
  h.advance(10);
  CHECK(run() == sdk::Value(sdk::Value::List{}));
  h.advance(10);
  CHECK(run() == sdk::Value(sdk::Value::List{}));  // the same job again

  core::JobChanges changes;
  changes.args = sdk::Value::List{"changed"};
  h.scheduler().modify_job("a", changes);
  h.advance(10);
  CHECK(run() == sdk::Value(sdk::Value::List{"changed"}));

  h.scheduler().reschedule_job("a", core::TriggerSpec::from_yaml("{type: interval, seconds: 3}"));
  h.advance(3);
  CHECK(run() == sdk::Value(sdk::Value::List{"changed"}));
  CHECK(h.scheduler().get_job("a")->next_run_time == kStart + 36 * kSecond);  // the new trigger's step

  h.scheduler().remove_job("a");
  h.scheduler().add_job(SchedulerHarness::interval_job("a", 5, "gate_jobs:echo"));  // same id, new job
  h.advance(5);
  CHECK(run() == sdk::Value(sdk::Value::List{}));
  CHECK(h.scheduler().get_job("a")->next_run_time == kStart + 43 * kSecond);
}

TEST_CASE("modify_job refuses what add_job refuses", "[scheduler]") {
  SchedulerHarness h;
  h.scheduler().start();
  h.scheduler().add_job(SchedulerHarness::interval_job("a", 10));
  core::JobChanges bad_func;
  bad_func.func = "example_jobs:nope";
  CHECK_THROWS_AS(h.scheduler().modify_job("a", bad_func), core::LoadError);
  core::JobChanges bad_instances;
  bad_instances.max_instances = 0;
  CHECK_THROWS_WITH(h.scheduler().modify_job("a", bad_instances), Contains("max_instances"));
  CHECK_THROWS_AS(h.scheduler().modify_job("missing", {}), core::JobLookupError);
}

TEST_CASE("modify_job works on pending jobs", "[scheduler]") {
  SchedulerHarness h;
  h.scheduler().add_job(SchedulerHarness::interval_job("a", 10));
  core::JobChanges changes;
  changes.coalesce = false;
  CHECK_FALSE(h.scheduler().modify_job("a", changes).coalesce);
  h.scheduler().start();
  CHECK_FALSE(h.scheduler().get_job("a")->coalesce);
}

TEST_CASE("reschedule_job replaces the trigger and computes the next run from now", "[scheduler]") {
  SchedulerHarness h;
  h.scheduler().start();
  h.scheduler().add_job(SchedulerHarness::interval_job("a", 10));
  h.advance(5);
  auto job = h.scheduler().reschedule_job("a", core::TriggerSpec::from_yaml("{type: interval, minutes: 1}"));
  CHECK(job.trigger_description == "interval[0:01:00]");
  CHECK(job.next_run_time == kStart + 65 * kSecond);
  CHECK(h.pass() == kStart + 65 * kSecond);
  CHECK_THROWS_AS(h.scheduler().reschedule_job("a", core::TriggerSpec::make("interval", {{"seconds", -1}})),
                  core::SchedulerError);
}

TEST_CASE("a paused job does not run, and resume_job recomputes its next run from now", "[scheduler]") {
  SchedulerHarness h;
  h.scheduler().start();
  h.scheduler().add_job(SchedulerHarness::interval_job("a", 10));
  auto paused = h.scheduler().pause_job("a");
  CHECK_FALSE(paused.next_run_time);
  h.advance(95);
  CHECK_FALSE(h.pass());
  CHECK(h.events(core::EVENT_JOB_EXECUTED).empty());
  auto resumed = h.scheduler().resume_job("a");
  CHECK(resumed.next_run_time == kStart + 100 * kSecond);
}

TEST_CASE("remove_job and remove_all_jobs", "[scheduler]") {
  SchedulerHarness h;
  h.scheduler().start();
  h.scheduler().add_job(SchedulerHarness::interval_job("a", 10));
  h.scheduler().add_job(SchedulerHarness::interval_job("b", 10));
  h.scheduler().remove_job("a");
  CHECK_FALSE(h.scheduler().get_job("a"));
  CHECK_THROWS_AS(h.scheduler().remove_job("a"), core::JobLookupError);
  CHECK(h.events(core::EVENT_JOB_REMOVED).size() == 1);
  h.scheduler().remove_all_jobs();
  CHECK(h.scheduler().get_jobs().empty());
  CHECK(h.events(core::EVENT_ALL_JOBS_REMOVED).size() == 1);
  h.advance(10);
  CHECK_FALSE(h.pass());
}

TEST_CASE("jobs can be changed from inside a running job's thread", "[scheduler][threads]") {
  SchedulerHarness h;
  h.scheduler().start();
  h.scheduler().add_job(SchedulerHarness::interval_job("a", 10));
  h.scheduler().add_listener(
      [&](const core::Event& e) {
        // Listeners run outside the scheduler's locks: calling back in must not deadlock.
        h.scheduler().pause_job(e.job_id);
      },
      core::EVENT_JOB_EXECUTED);
  h.advance(10);
  h.pass();
  CHECK_FALSE(h.scheduler().get_job("a")->next_run_time);
}
