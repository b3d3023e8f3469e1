// A stored job whose job library is missing waits, visible and never deleted, and runs
// once its library is back (here: across restarts on one SQLite file).
#include <catch2/catch.hpp>

#include <filesystem>

#include "scheduler_harness.h"
#include "temp_dir.h"

using namespace apsched;
using namespace apsched::testing;
using Catch::Matchers::Contains;
namespace fs = std::filesystem;

namespace {

struct Host {
  std::shared_ptr<core::ManualClock> clock;
  std::unique_ptr<core::EventLoopScheduler> scheduler;
  std::vector<core::Event> events;
};

std::unique_ptr<Host> start_host(const fs::path& db, std::vector<fs::path> job_path, Timestamp now) {
  auto host = std::make_unique<Host>();
  host->clock = std::make_shared<core::ManualClock>(now);
  core::SchedulerOptions options = SchedulerHarness::test_options();
  options.job_path = std::move(job_path);
  options.clock = host->clock;
  options.waiting_retry_seconds = 30;
  host->scheduler = std::make_unique<core::EventLoopScheduler>(options, [] {});
  host->scheduler->add_executor("default", sdk::Value::Map{{"type", "inline"}});
  host->scheduler->add_jobstore("default", sdk::Value::Map{{"type", "sqlite"}, {"path", db.string()}});
  host->scheduler->add_listener([h = host.get()](const core::Event& e) { h->events.push_back(e); });
  host->scheduler->start();
  return host;
}

std::size_t count(const Host& host, core::EventCode code) {
  std::size_t n = 0;
  for (const auto& e : host.events) n += e.code == code;
  return n;
}

}  // namespace

TEST_CASE("a job whose library is missing waits and runs when the library is back", "[scheduler][sqlite]") {
  TempDir dir("apsched-waiting");
  fs::create_directories(dir / "jobs");
  fs::copy_file(fs::path(APSCHED_JOBS_DIR) / "libexample_jobs.so", dir / "jobs" / "libnightly.so");
  fs::path db = dir / "jobs.sqlite";

  {
    auto first = start_host(db, {dir / "jobs"}, kStart);
    auto spec = SchedulerHarness::interval_job("nightly", 10, "nightly:noop");
    spec.misfire_grace_time = core::GraceTime{};
    first->scheduler->add_job(spec);
    first->scheduler->shutdown();
  }
  {
    // Restarted without the library on its job path.
    auto second = start_host(db, {dir / "elsewhere"}, kStart + 10 * kSecond);
    std::optional<Timestamp> wake = second->scheduler->process_due_jobs();
    CHECK(count(*second, core::EVENT_JOB_EXECUTED) == 0);
    // Parked: the loop does not spin on it but looks again after the retry period.
    REQUIRE(wake);
    CHECK(*wake == kStart + 40 * kSecond);
    auto job = second->scheduler->get_job("nightly");
    REQUIRE(job);
    CHECK_THAT(job->problem, Contains("job library 'nightly' not found"));
    CHECK_THAT(job->describe(), Contains("waiting"));
    CHECK(job->next_run_time == kStart + 10 * kSecond);
    second->scheduler->shutdown();
  }
  {
    auto third = start_host(db, {dir / "jobs"}, kStart + 45 * kSecond);
    third->scheduler->process_due_jobs();
    CHECK(count(*third, core::EVENT_JOB_EXECUTED) == 1);
    CHECK(third->scheduler->get_job("nightly")->problem.empty());
    third->scheduler->shutdown();
  }
}
