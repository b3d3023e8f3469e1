// Hot-add in a scheduler (manual clock, the test runs each pass; the watcher is real):
// new versions for new runs, removal makes the job wait, and a waiting job runs as soon
// as its library is back, without waiting out its parking time.
#include <catch2/catch.hpp>

#include <chrono>
#include <mutex>
#include <thread>

#include "apsched/core/scheduler.h"
#include "eventually.h"
#include "hot_add_support.h"

using namespace apsched;
using namespace apsched::testing;
using Catch::Matchers::Contains;
using namespace std::chrono_literals;
namespace fs = std::filesystem;

namespace {

constexpr core::Timestamp kSecond = sdk::kMicrosPerSecond;
constexpr core::Timestamp kStart = 1767614400LL * kSecond;

/** A watching event-loop scheduler on an SQLite file, with an inline executor. */
struct WatchingScheduler {
  std::shared_ptr<core::ManualClock> clock = std::make_shared<core::ManualClock>(kStart);
  std::mutex mutex;  // guards wakeups and results
  int wakeups = 0;
  std::vector<std::string> results;  // retval of each executed run
  std::unique_ptr<core::EventLoopScheduler> scheduler;

  WatchingScheduler(const fs::path& jobs, const fs::path& db) {
    core::SchedulerOptions options;
    options.timezone = "UTC";
    options.plugin_path = {APSCHED_PLUGIN_DIR};
    options.job_path = {jobs};
    options.watch_job_path = true;
    options.clock = clock;
    scheduler = std::make_unique<core::EventLoopScheduler>(options, [this] {
      std::lock_guard lock(mutex);
      ++wakeups;
    });
    scheduler->add_executor("default", sdk::Value::Map{{"type", "inline"}});
    scheduler->add_jobstore("default", sdk::Value::Map{{"type", "sqlite"}, {"path", db.string()}});
    scheduler->add_listener(
        [this](const core::Event& e) {
          std::lock_guard lock(mutex);
          results.push_back(e.retval.is_string() ? e.retval.as_string() : "?");
        },
        core::EVENT_JOB_EXECUTED);
  }
  int wakeup_count() {
    std::lock_guard lock(mutex);
    return wakeups;
  }
  std::vector<std::string> ran() {
    std::lock_guard lock(mutex);
    return results;
  }
  /** Installs `source` as `target` and waits until the scheduler has taken it in (it wakes the loop). */
  void install(const fs::path& source, const fs::path& target) {
    int before = wakeup_count();
    install_by_rename(source, target);
    REQUIRE(eventually([&] { return wakeup_count() > before; }));
  }
};

/** `func` every 10 s; late runs are never skipped. */
core::JobSpec every_ten_seconds(const std::string& id, const std::string& func) {
  core::JobSpec spec;
  spec.id = id;
  spec.func = func;
  spec.trigger = core::TriggerSpec::make("interval", {{"seconds", 10}});
  spec.misfire_grace_time = core::GraceTime{};
  return spec;
}

}  // namespace

TEST_CASE("hot-add: new versions serve new runs, a removed library makes the job wait, its return runs it at once",
          "[hot-add][sqlite]") {
  TempDir dir("hot-scheduler");
  fs::path library = dir.path() / "libversioned.so";
  install_by_rename(versioned_library("v1"), library);
  WatchingScheduler host(dir.path(), dir.path() / "jobs.sqlite");
  host.scheduler->add_job(every_ten_seconds("versioned", "versioned:version"));
  host.scheduler->start();

  host.clock->advance_seconds(10);
  host.scheduler->process_due_jobs();
  CHECK(host.ran() == std::vector<std::string>{"v1"});

  host.install(versioned_library("v2"), library);
  host.clock->advance_seconds(10);
  host.scheduler->process_due_jobs();
  CHECK(host.ran() == std::vector<std::string>{"v1", "v2"});

  fs::remove(library);
  REQUIRE(eventually([&] { return !host.scheduler->get_job("versioned")->problem.empty(); }));
  host.clock->advance_seconds(10);
  std::optional<core::Timestamp> wake = host.scheduler->process_due_jobs();
  CHECK(host.ran().size() == 2);
  CHECK(wake == host.clock->now() + 30 * kSecond);  // parked for its waiting time
  auto waiting = host.scheduler->get_job("versioned");
  REQUIRE(waiting);  // kept, never deleted
  CHECK_THAT(waiting->problem, Contains("job library 'versioned' not found"));

  host.install(versioned_library("v1"), library);
  host.scheduler->process_due_jobs();  // same instant: released, not after 30 s
  CHECK(host.ran() == std::vector<std::string>{"v1", "v2", "v1"});
  CHECK(host.scheduler->get_job("versioned")->problem.empty());
  host.scheduler->shutdown();
}

TEST_CASE("hot-add: a job whose function a new version lacks waits, kept, and runs when a version has it again",
          "[hot-add][sqlite]") {
  TempDir dir("hot-scheduler-function");
  fs::path library = dir.path() / "libversioned.so";
  install_by_rename(versioned_library("v2"), library);
  WatchingScheduler host(dir.path(), dir.path() / "jobs.sqlite");
  host.scheduler->add_job(every_ten_seconds("newer", "versioned:new_in_v2"));
  host.scheduler->start();
  host.clock->advance_seconds(10);
  host.scheduler->process_due_jobs();
  CHECK(host.ran() == std::vector<std::string>{"new"});

  host.install(versioned_library("v1"), library);
  host.clock->advance_seconds(10);
  host.scheduler->process_due_jobs();
  CHECK(host.ran().size() == 1);
  auto waiting = host.scheduler->get_job("newer");
  REQUIRE(waiting);
  CHECK_THAT(waiting->problem, Contains("has no function 'new_in_v2'"));

  host.install(versioned_library("v2"), library);
  host.scheduler->process_due_jobs();
  CHECK(host.ran() == std::vector<std::string>{"new", "new"});
  host.scheduler->shutdown();
}
