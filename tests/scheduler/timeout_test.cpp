// The job option `timeout`: where it comes from (job, job_defaults, config, modify_job,
// the stored job), and what the kernel makes of a run that passes it.
#include <apsched/core/config.h>

#include <catch2/catch.hpp>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <thread>

#include "eventually.h"
#include "scheduler_harness.h"
#include "temp_dir.h"

using namespace apsched;
using namespace apsched::testing;
using Catch::Matchers::Contains;

TEST_CASE("timeout comes from the job, else job_defaults, and modify_job changes it", "[scheduler][timeout]") {
  core::JobDefaults defaults;
  defaults.timeout = 30;
  SchedulerHarness h(defaults);
  h.scheduler().start();
  auto spec = SchedulerHarness::interval_job("a", 10);
  CHECK(h.scheduler().add_job(spec).timeout == 30);
  spec.id = "b";
  spec.timeout = core::Timeout{2.5};
  CHECK(h.scheduler().add_job(spec).timeout == 2.5);
  spec.id = "c";
  spec.timeout = core::Timeout{};
  CHECK_FALSE(h.scheduler().add_job(spec).timeout);

  core::JobChanges changes;
  changes.timeout = core::Timeout{4};
  CHECK(h.scheduler().modify_job("a", changes).timeout == 4);
  CHECK(h.scheduler().get_job("a")->timeout == 4);  // read back from the store

  changes.timeout = core::Timeout{0};
  try {
    h.scheduler().modify_job("a", changes);
    FAIL("timeout 0 accepted");
  } catch (const core::SchedulerError& e) {
    CHECK(e.field() == "timeout");
    CHECK_THAT(e.what(), Contains("positive number of seconds, or null"));
  }
}

TEST_CASE("timeout in the config: in a job and in job_defaults, refused where it is wrong", "[config][timeout]") {
  TempDir dir("apsched-timeout-config");
  std::ofstream(dir / "good.yaml") << "job_defaults: {timeout: 60}\n"
                                      "jobs:\n"
                                      "  - {id: a, func: \"example_jobs:tick\", trigger: {type: interval, seconds: 3},"
                                      " timeout: 1.5}\n"
                                      "  - {id: b, func: \"example_jobs:tick\", trigger: {type: interval, seconds: 3},"
                                      " timeout: null}\n";
  auto config = core::Config::load(dir / "good.yaml");
  CHECK(config.options().job_defaults.timeout == 60);
  CHECK(config.jobs()[0].spec.timeout == core::Timeout{1.5});
  REQUIRE(config.jobs()[1].spec.timeout.has_value());  // given, as "no limit"
  CHECK_FALSE(config.jobs()[1].spec.timeout->has_value());

  std::ofstream(dir / "bad.yaml") << "job_defaults: {timeout: -1}\n";
  try {
    core::Config::load(dir / "bad.yaml");
    FAIL("timeout -1 accepted");
  } catch (const core::ConfigError& e) {
    CHECK_THAT(e.what(), Contains("bad.yaml:1:25: timeout must be a positive number of seconds"));
  }
}

TEST_CASE("a run past its timeout is an error event at the limit and counts toward max_instances until it returns",
          "[scheduler][timeout][threads]") {
  TempDir gates("apsched-timeout-gate");  // before the harness: its runs wait on the gate
  auto gate = gates / "gate";
  SchedulerHarness h({}, "threadpool");
  h.scheduler().start();
  auto spec = SchedulerHarness::interval_job("stubborn", 10, "gate_jobs:hold_until_file");
  spec.args = sdk::Value::List{gate.string()};
  spec.misfire_grace_time = core::GraceTime{};
  spec.timeout = core::Timeout{0.05};
  h.scheduler().add_job(spec);
  h.advance(10);
  h.pass();

  REQUIRE(eventually([&] { return !h.events(core::EVENT_JOB_ERROR).empty(); }));
  auto errors = h.events(core::EVENT_JOB_ERROR);
  REQUIRE(errors.size() == 1);
  CHECK(errors[0].timed_out);
  CHECK(errors[0].exception_type == "TimeoutError");
  CHECK(errors[0].scheduled_run_time == kStart + 10 * kSecond);

  // Still running: the next due run is skipped for max_instances.
  h.advance(10);
  h.pass();
  CHECK(h.events(core::EVENT_JOB_MAX_INSTANCES).size() == 1);

  std::ofstream(gate).put('x');
  // Its real return is logged, not reported: no executed event; then it may run again.
  REQUIRE(eventually([&] {
    h.advance(10);
    h.pass();
    return h.events(core::EVENT_JOB_SUBMITTED).size() >= 2;
  }));
  h.scheduler().shutdown(true);
  // Every run after the first found the gate open; the first one's return was only logged.
  CHECK(h.events(core::EVENT_JOB_EXECUTED).size() == h.events(core::EVENT_JOB_SUBMITTED).size() - 1);
  CHECK(h.events(core::EVENT_JOB_ERROR).size() == 1);
}

TEST_CASE("a scheduler shut down by a timeout listener and then destroyed waits for the run still finishing",
          "[scheduler][timeout][threads]") {
  TempDir gates("apsched-destroy-gate");
  auto gate = gates / "gate";
  auto h = std::make_unique<SchedulerHarness>(core::JobDefaults{}, "threadpool");
  h->scheduler().start();
  // The "stop on error" pattern: on the watchdog thread, which the run's worker waits for.
  h->scheduler().add_listener([&](const core::Event&) { h->scheduler().shutdown(false); }, core::EVENT_JOB_ERROR);
  auto spec = SchedulerHarness::interval_job("stubborn", 10, "gate_jobs:hold_until_file");
  spec.args = sdk::Value::List{gate.string()};
  spec.misfire_grace_time = core::GraceTime{};
  spec.timeout = core::Timeout{0.05};
  h->scheduler().add_job(spec);
  h->advance(10);
  h->pass();
  REQUIRE(eventually([&] { return !h->scheduler().running(); }));

  // The job returns later; its run then reports to the scheduler (run_finished), which
  // must still be whole: a sanitizer build sees any use of destroyed members.
  std::thread opener([&] {
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
    std::ofstream(gate).put('x');
  });
  auto destroying = std::chrono::steady_clock::now();
  h.reset();
  CHECK(std::chrono::steady_clock::now() - destroying >= std::chrono::milliseconds(150));
  opener.join();
}
