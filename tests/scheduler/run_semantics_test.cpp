// What a pass runs: due times, misfire_grace_time, coalesce, max_instances, removal.
#include <catch2/catch.hpp>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <map>
#include <thread>

#include "scheduler_harness.h"
#include "temp_dir.h"

using namespace apsched;
using namespace apsched::testing;

namespace {

std::vector<Timestamp> executed_times(const SchedulerHarness& h) {
  std::vector<Timestamp> times;
  for (const auto& e : h.events(core::EVENT_JOB_EXECUTED)) times.push_back(*e.scheduled_run_time);
  return times;
}

core::JobDefaults no_grace(bool coalesce) {
  core::JobDefaults d;
  d.coalesce = coalesce;
  d.misfire_grace_time = std::nullopt;
  return d;
}

}  // namespace

TEST_CASE("a job runs when due and the pass says when to wake up next", "[scheduler]") {
  SchedulerHarness h;
  h.scheduler().start();
  h.scheduler().add_job(SchedulerHarness::interval_job("a", 10));
  CHECK(h.pass() == kStart + 10 * kSecond);
  CHECK(executed_times(h).empty());
  h.advance(10);
  CHECK(h.pass() == kStart + 20 * kSecond);
  CHECK(executed_times(h) == std::vector<Timestamp>{kStart + 10 * kSecond});
  CHECK(h.scheduler().get_job("a")->next_run_time == kStart + 20 * kSecond);
}

TEST_CASE("with no jobs the loop waits for a change", "[scheduler]") {
  SchedulerHarness h;
  h.scheduler().start();
  CHECK_FALSE(h.pass());
}

TEST_CASE("a run later than misfire_grace_time is missed, not run", "[scheduler]") {
  SchedulerHarness h;  // APScheduler's default grace: 1 s
  h.scheduler().start();
  h.scheduler().add_job(SchedulerHarness::interval_job("a", 10));
  h.advance(12);
  CHECK(h.pass() == kStart + 20 * kSecond);
  CHECK(executed_times(h).empty());
  auto missed = h.events(core::EVENT_JOB_MISSED);
  REQUIRE(missed.size() == 1);
  CHECK(missed[0].job_id == "a");
  CHECK(missed[0].scheduled_run_time == kStart + 10 * kSecond);
}

TEST_CASE("a run within misfire_grace_time runs late", "[scheduler]") {
  core::JobDefaults d;
  d.misfire_grace_time = 5.0;
  SchedulerHarness h(d);
  h.scheduler().start();
  h.scheduler().add_job(SchedulerHarness::interval_job("a", 10));
  h.advance(14);
  h.pass();
  CHECK(executed_times(h) == std::vector<Timestamp>{kStart + 10 * kSecond});
  CHECK(h.events(core::EVENT_JOB_MISSED).empty());
}

TEST_CASE("misfire_grace_time null never drops a late run", "[scheduler]") {
  SchedulerHarness h(no_grace(true));
  h.scheduler().start();
  h.scheduler().add_job(SchedulerHarness::interval_job("a", 10));
  h.advance(10 + 3600);
  h.pass();
  CHECK(executed_times(h).size() == 1);
}

TEST_CASE("coalesce runs several due times once, at the latest", "[scheduler]") {
  SchedulerHarness h(no_grace(true));
  h.scheduler().start();
  h.scheduler().add_job(SchedulerHarness::interval_job("a", 10));
  h.advance(35);
  CHECK(h.pass() == kStart + 40 * kSecond);
  CHECK(executed_times(h) == std::vector<Timestamp>{kStart + 30 * kSecond});
  auto submitted = h.events(core::EVENT_JOB_SUBMITTED);
  REQUIRE(submitted.size() == 1);
  CHECK(submitted[0].scheduled_run_times == std::vector<Timestamp>{kStart + 30 * kSecond});
}

TEST_CASE("without coalesce every due time runs, in order", "[scheduler]") {
  SchedulerHarness h(no_grace(false));
  h.scheduler().start();
  h.scheduler().add_job(SchedulerHarness::interval_job("a", 10));
  h.advance(35);
  h.pass();
  CHECK(executed_times(h) ==
        std::vector<Timestamp>{kStart + 10 * kSecond, kStart + 20 * kSecond, kStart + 30 * kSecond});
  REQUIRE(h.events(core::EVENT_JOB_SUBMITTED).size() == 1);
}

TEST_CASE("a run keeps each job's own due times, however many, when one pass runs several jobs", "[scheduler]") {
  // A run holds up to four times inside itself and more on the heap; a pass builds each
  // job's times in one buffer that it reuses for the next job.
  SchedulerHarness h(no_grace(false));
  h.scheduler().start();
  h.scheduler().add_job(SchedulerHarness::interval_job("many", 10));
  h.scheduler().add_job(SchedulerHarness::interval_job("one", 60));
  h.scheduler().add_job(SchedulerHarness::interval_job("four", 15));
  h.advance(60);
  h.pass();
  std::map<std::string, std::vector<Timestamp>> by_job;
  for (const auto& e : h.events(core::EVENT_JOB_EXECUTED)) by_job[e.job_id].push_back(*e.scheduled_run_time);
  std::vector<Timestamp> every_ten;
  for (int s = 10; s <= 60; s += 10) every_ten.push_back(kStart + s * kSecond);
  CHECK(by_job["many"] == every_ten);
  CHECK(by_job["one"] == std::vector<Timestamp>{kStart + 60 * kSecond});
  CHECK(by_job["four"] == std::vector<Timestamp>{kStart + 15 * kSecond, kStart + 30 * kSecond,
                                                 kStart + 45 * kSecond, kStart + 60 * kSecond});
  std::map<std::string, std::vector<Timestamp>> submitted;
  for (const auto& e : h.events(core::EVENT_JOB_SUBMITTED)) submitted[e.job_id] = e.scheduled_run_times;
  CHECK(submitted == by_job);
}

TEST_CASE("without coalesce each due time is judged against the grace time on its own", "[scheduler]") {
  core::JobDefaults d;
  d.coalesce = false;
  d.misfire_grace_time = 6.0;
  SchedulerHarness h(d);
  h.scheduler().start();
  h.scheduler().add_job(SchedulerHarness::interval_job("a", 10));
  h.advance(35);
  h.pass();
  CHECK(executed_times(h) == std::vector<Timestamp>{kStart + 30 * kSecond});
  CHECK(h.events(core::EVENT_JOB_MISSED).size() == 2);
}

TEST_CASE("a job with no fire time left is removed after its last run", "[scheduler]") {
  SchedulerHarness h;
  h.scheduler().start();
  core::JobSpec spec;
  spec.id = "once";
  spec.func = "example_jobs:noop";
  spec.trigger = core::TriggerSpec::make("date", {{"run_date", "2026-01-05T12:00:05Z"}});
  h.scheduler().add_job(spec);
  h.advance(5);
  CHECK_FALSE(h.pass());
  CHECK(executed_times(h) == std::vector<Timestamp>{kStart + 5 * kSecond});
  CHECK(h.events(core::EVENT_JOB_REMOVED).size() == 1);
  CHECK_FALSE(h.scheduler().get_job("once"));
}

TEST_CASE("a job that throws is reported and the scheduler carries on", "[scheduler]") {
  SchedulerHarness h;
  h.scheduler().start();
  auto spec = SchedulerHarness::interval_job("bad", 10, "example_jobs:fail");
  spec.args = sdk::Value::List{"boom"};
  h.scheduler().add_job(spec);
  h.advance(10);
  h.pass();
  h.advance(10);
  h.pass();
  auto errors = h.events(core::EVENT_JOB_ERROR);
  REQUIRE(errors.size() == 2);
  CHECK(errors[0].exception_message == "boom");
  CHECK(errors[0].exception_type == "std::runtime_error");
  CHECK(h.scheduler().get_job("bad"));
}

TEST_CASE("the job's return value reaches the executed event", "[scheduler]") {
  SchedulerHarness h;
  h.scheduler().start();
  auto spec = SchedulerHarness::interval_job("echo", 10, "gate_jobs:echo");
  spec.args = sdk::Value::List{1, "x"};
  h.scheduler().add_job(spec);
  h.advance(10);
  h.pass();
  auto executed = h.events(core::EVENT_JOB_EXECUTED);
  REQUIRE(executed.size() == 1);
  CHECK(executed[0].retval == sdk::Value(sdk::Value::List{1, "x"}));
}

TEST_CASE("a paused scheduler runs nothing until resumed", "[scheduler]") {
  SchedulerHarness h;
  h.scheduler().start(/*paused=*/true);
  h.scheduler().add_job(SchedulerHarness::interval_job("a", 10));
  h.advance(10);
  CHECK_FALSE(h.pass());
  CHECK(executed_times(h).empty());
  h.scheduler().resume();
  h.pass();
  CHECK(executed_times(h).size() == 1);
  h.scheduler().pause();
  h.advance(10);
  CHECK_FALSE(h.pass());
  CHECK(executed_times(h).size() == 1);
}

TEST_CASE("jitter moves a fire time by at most the jitter", "[scheduler]") {
  SchedulerHarness h;
  h.scheduler().start();
  auto spec = SchedulerHarness::interval_job("a", 10);
  spec.trigger = core::TriggerSpec::make("interval", {{"seconds", 10}, {"jitter", 2}});
  for (int i = 0; i < 20; ++i) {
    spec.id = "j" + std::to_string(i);
    auto job = h.scheduler().add_job(spec);
    REQUIRE(job.next_run_time);
    CHECK(*job.next_run_time >= kStart + 10 * kSecond);
    CHECK(*job.next_run_time <= kStart + 12 * kSecond);
  }
}

TEST_CASE("a run that would exceed max_instances is skipped and reported", "[scheduler][threads]") {
  TempDir gates("apsched-gate");  // before the harness: its runs wait on the gate
  auto gate = gates / "gate";
  SchedulerHarness h({}, "threadpool");
  h.scheduler().start();
  auto spec = SchedulerHarness::interval_job("slow", 10, "gate_jobs:wait_for_file");
  spec.args = sdk::Value::List{gate.string()};
  spec.misfire_grace_time = core::GraceTime{};
  h.scheduler().add_job(spec);
  h.advance(10);
  h.pass();
  h.advance(10);
  h.pass();
  auto skipped = h.events(core::EVENT_JOB_MAX_INSTANCES);
  REQUIRE(skipped.size() == 1);
  CHECK(skipped[0].scheduled_run_times == std::vector<Timestamp>{kStart + 20 * kSecond});
  // The schedule moves on even when a run is skipped.
  CHECK(h.scheduler().get_job("slow")->next_run_time == kStart + 30 * kSecond);

  std::ofstream(gate).put('x');
  // Real time from here: the blocked run finishes in its worker thread.
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (h.events(core::EVENT_JOB_SUBMITTED).size() < 2 && std::chrono::steady_clock::now() < deadline) {
    h.advance(10);
    h.pass();
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  CHECK(h.events(core::EVENT_JOB_SUBMITTED).size() == 2);
  h.scheduler().shutdown(true);
  CHECK(h.events(core::EVENT_JOB_EXECUTED).size() == 2);
}

TEST_CASE("a pass started by a listener during a pass runs on working arrays of its own", "[scheduler]") {
  // A pass keeps its working arrays per thread between passes; with the inline executor
  // the runs, and the listeners of their events, happen inside the pass's hand-over.
  SchedulerHarness h(no_grace(true));
  h.scheduler().start();
  auto once_at = [](const std::string& id, Timestamp when) {
    core::JobSpec spec;
    spec.id = id;
    spec.func = "example_jobs:noop";
    spec.trigger = core::TriggerSpec::make("date", {{"run_date", sdk::format_datetime(when, "UTC")}});
    return spec;
  };
  h.scheduler().add_job(once_at("first", kStart + 10 * kSecond));
  h.scheduler().add_job(once_at("second", kStart + 11 * kSecond));
  bool nested_ran = false;
  std::optional<Timestamp> nested_wakeup = kStart;
  h.scheduler().add_listener(
      [&](const core::Event& e) {
        if (e.job_id != "first" || nested_ran) return;
        nested_ran = true;
        h.advance(1);
        nested_wakeup = h.pass();
      },
      core::EVENT_JOB_EXECUTED);
  h.advance(10);
  h.pass();  // says to wake up at "second"'s time, as it was when the pass planned it
  CHECK(nested_ran);
  CHECK(nested_wakeup == std::nullopt);
  std::vector<std::string> executed;
  for (const auto& e : h.events(core::EVENT_JOB_EXECUTED)) executed.push_back(e.job_id);
  CHECK(executed == std::vector<std::string>{"first", "second"});
  CHECK(h.events(core::EVENT_JOB_SUBMITTED).size() == 2);
  CHECK(h.scheduler().get_jobs().empty());
}
