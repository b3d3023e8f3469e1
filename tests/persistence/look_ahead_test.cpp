// The look ahead: while the scheduler waits for its next wake-up, it decodes the jobs
// due then (from stores that track revisions), so that their runs start at once. The
// built-in loops do it themselves; with an event loop (here: passes by hand) the caller
// asks for it. It must never change what runs: a job changed or removed after it was
// decoded ahead runs as it is when due.
#include <catch2/catch.hpp>

#include <apsched/core/config.h>

#include <algorithm>
#include <chrono>
#include <regex>

#include "persistence_support.h"

using namespace apsched;
using namespace apsched::persistence;
using Catch::Matchers::Contains;
using apsched::testing::eventually;

namespace {

core::JobSpec once_at(const std::string& id, const fs::path& out, Timestamp when) {
  core::JobSpec spec;
  spec.id = id;
  spec.func = "example_jobs:append_line";
  spec.args = sdk::Value::List{out.string(), id};
  spec.trigger = core::TriggerSpec::make("date", {{"run_date", sdk::format_datetime(when, "UTC")}});
  return spec;
}

/**
 * Adds `jobs` one-shot jobs due 10 s from now to `host`, checks that the look ahead before
 * that decodes `decoded` of them, then runs the passes at the due time; returns the
 * lines the jobs appended to `out` (their ids).
 */
std::vector<std::string> look_ahead_and_run(ManualHost& host, const fs::path& out, int jobs, int decoded) {
  const Timestamp due = at(10);
  for (int i = 0; i < jobs; ++i) host->add_job(once_at("j" + std::to_string(i), out, due));
  {
    LogCapture log;
    CHECK(host.pass() == due);
    host->look_ahead(due);
    CHECK_THAT(log.text(), Contains("Decoded " + std::to_string(decoded) + " jobs due at"));
  }
  host.clock().set(due);
  for (int passes = 0; passes < jobs && host.pass().has_value(); ++passes) {
  }  // a pass takes a batch of them
  return lines_of(out);
}

/**
 * A started background scheduler (inline executor, memory store) with `jobs` one-shot
 * jobs "j0", "j1", ... added, each appending its id to `out` when due, 5 s from the start;
 * the log captured from before the start.
 */
struct BackgroundJobsDueSoon {
  BackgroundJobsDueSoon(const char* dir_name, int jobs) : dir(dir_name), out(dir / "out.txt") {
    scheduler.add_executor("default", sdk::Value::Map{{"type", "inline"}});
    scheduler.add_jobstore("default", sdk::Value::Map{{"type", "memory"}});
    scheduler.start();
    const auto since_epoch = std::chrono::system_clock::now().time_since_epoch();
    due = std::chrono::duration_cast<std::chrono::microseconds>(since_epoch).count() + 5 * sdk::kMicrosPerSecond;
    for (int i = 0; i < jobs; ++i) scheduler.add_job(once_at("j" + std::to_string(i), out, due));
  }

  TempDir dir;
  fs::path out;
  LogCapture log;
  core::BackgroundScheduler scheduler{test_options()};
  Timestamp due = 0;
};

}  // namespace

TEST_CASE("look ahead: jobs due at the next wake-up are decoded while waiting, and run as they are when due",
          "[persistence][look-ahead]") {
  TempDir dir("look-ahead");
  const fs::path out = dir / "out.txt";
  auto started = start_host(kStart, sdk::Value::Map{{"type", "memory"}});
  ManualHost& host = *started;
  const Timestamp due = at(10);
  for (const char* id : {"a", "b", "c"}) host->add_job(once_at(id, out, due));
  host->add_job(once_at("afterwards", out, at(11)));
  {
    LogCapture log;
    CHECK(host.pass() == due);
    CHECK_THAT(log.text(), !Contains("ahead of time"));  // a pass alone returns at once
    host->look_ahead(due);
    CHECK_THAT(log.text(), Contains("Decoded 3 jobs due at 2026-01-05T12:00:10+00:00 ahead of time"));
  }
  {
    LogCapture log;
    CHECK(host.pass() == due);
    host->look_ahead(due);  // already decoded: nothing more to do
    CHECK_THAT(log.text(), !Contains("ahead of time"));
  }

  core::JobChanges changes;
  changes.args = sdk::Value::List{out.string(), "b changed"};
  host->modify_job("b", changes);
  host->remove_job("c");
  host.clock().set(due);
  host.pass();
  CHECK(read_file(out) == "a\nb changed\n");
  CHECK(host.run_times("a") == std::vector<Timestamp>{due});
  CHECK(host.run_times("c").empty());
}

TEST_CASE("look ahead: a one-shot job decoded ahead is removed as it is handed over, and kept when it cannot run",
          "[persistence][look-ahead]") {
  // The memory store removes a job at hand-over when the look ahead found that the run
  // due is its last (no lease, then no release): what runs and what stays must not change.
  TempDir dir("look-ahead-last-run");
  const fs::path out = dir / "out.txt";
  core::SchedulerOptions options = test_options();
  options.waiting_retry_seconds = 5;
  ManualHost host(kStart, options);
  host->add_executor("default", sdk::Value::Map{{"type", "inline"}});
  host->add_executor("spare", sdk::Value::Map{{"type", "inline"}});
  host->add_jobstore("default", sdk::Value::Map{{"type", "memory"}});
  host->start();
  const Timestamp due = at(10);
  host->add_job(once_at("once", out, due));
  core::JobSpec on_spare = once_at("on spare", out, due);
  on_spare.executor = "spare";
  on_spare.misfire_grace_time = core::GraceTime{};  // it may run late: it waits for its executor
  host->add_job(on_spare);
  core::JobSpec tick = append_job("tick", out, "tick", 10);
  tick.trigger = core::TriggerSpec::make("interval", {{"seconds", 10}, {"start_date", sdk::format_datetime(due, "UTC")}});
  host->add_job(tick);
  {
    LogCapture log;
    CHECK(host.pass() == due);
    host->look_ahead(due);
    CHECK_THAT(log.text(), Contains("Decoded 3 jobs due at"));
  }
  host->remove_executor("spare");

  host.clock().set(due);
  {
    LogCapture log;
    CHECK(host.pass() == due + 5 * sdk::kMicrosPerSecond);  // the waiting job's retry
    CHECK_THAT(log.text(), Contains("Job 'on spare' cannot run now and waits"));
  }
  CHECK(lines_of(out) == std::vector<std::string>{"once", "tick"});
  CHECK_FALSE(host->get_job("once"));
  CHECK(host.events_of("once", core::EVENT_JOB_REMOVED).size() == 1);
  std::optional<core::Job> kept = host->get_job("tick");
  REQUIRE(kept);
  CHECK(kept->next_run_time == due + 10 * sdk::kMicrosPerSecond);
  // Handed over for its last run, which could not happen: stored again, waiting, as it was.
  std::optional<core::Job> waiting = host->get_job("on spare");
  REQUIRE(waiting);
  CHECK(waiting->next_run_time == due);
  CHECK_THAT(waiting->problem, Contains("spare"));
  CHECK(waiting->args == on_spare.args);

  host->add_executor("spare", sdk::Value::Map{{"type", "inline"}});
  host.clock().set(due + 5 * sdk::kMicrosPerSecond);
  host.pass();
  CHECK(lines_of(out) == std::vector<std::string>{"once", "tick", "on spare"});
  CHECK(host.run_times("on spare") == std::vector<Timestamp>{due});
  CHECK_FALSE(host->get_job("on spare"));
}

TEST_CASE("look ahead: a store without revisions is not looked ahead in", "[persistence][look-ahead][sqlite]") {
  TempDir dir("look-ahead-sqlite");
  auto host = start_sqlite_host(dir / "jobs.sqlite", kStart);
  const Timestamp due = at(10);
  (*host)->add_job(once_at("a", dir / "out.txt", due));
  LogCapture log;
  CHECK(host->pass() == due);
  (*host)->look_ahead(due);
  CHECK_THAT(log.text(), !Contains("ahead of time"));
  host->clock().set(due);
  host->pass();
  CHECK(read_file(dir / "out.txt") == "a\n");
}

TEST_CASE("look ahead: many jobs due at once are decoded in chunks, each once", "[persistence][look-ahead]") {
  TempDir dir("look-ahead-many");
  auto host = start_host(kStart, sdk::Value::Map{{"type", "memory"}});
  CHECK(look_ahead_and_run(*host, dir / "out.txt", 600, 600).size() == 600);
}

TEST_CASE("look ahead: decoded_jobs_kept bounds what is decoded ahead, and the rest still run when due",
          "[persistence][look-ahead]") {
  TempDir dir("look-ahead-bounded");
  core::SchedulerOptions options = test_options();
  options.decoded_jobs_kept = core::SchedulerOptions::kFewestDecodedJobsKept;  // less a pass's batch: 1,024
  auto host = start_host(kStart, sdk::Value::Map{{"type", "memory"}}, options);
  constexpr int kJobs = 3000;
  std::vector<std::string> ran = look_ahead_and_run(*host, dir / "out.txt", kJobs, 1024);
  std::sort(ran.begin(), ran.end());
  CHECK(ran.size() == kJobs);
  CHECK(std::adjacent_find(ran.begin(), ran.end()) == ran.end());  // each once
}

TEST_CASE("decoded_jobs_kept below two passes' batches is refused", "[persistence][look-ahead]") {
  core::SchedulerOptions options = test_options();
  options.decoded_jobs_kept = 1000;
  CHECK_THROWS_WITH(core::EventLoopScheduler(options, [] {}),
                    Contains("decoded_jobs_kept must be at least 2048") && Contains("got 1000"));
}

TEST_CASE("look ahead: a background scheduler looks ahead while other threads change and remove the jobs",
          "[persistence][look-ahead][threads]") {
  // Meant for ThreadSanitizer too: the look ahead lets go of the lock between chunks.
  constexpr int kJobs = 1000;  // added and changed well within the 5 s, also under ThreadSanitizer
  BackgroundJobsDueSoon setup("look-ahead-threads", kJobs);
  auto& [dir, out, log, scheduler, due] = setup;
  // While the scheduler thread decodes them ahead: change the first 50, remove the next 50.
  std::vector<std::string> expected;
  for (int i = 0; i < kJobs; ++i) {
    const std::string id = "j" + std::to_string(i);
    if (i < 50) {
      core::JobChanges changes;
      changes.args = sdk::Value::List{out.string(), id + " changed"};
      scheduler.modify_job(id, changes);
      expected.push_back(id + " changed");
    } else if (i < 100) {
      scheduler.remove_job(id);
    } else {
      expected.push_back(id);
    }
  }
  CHECK(eventually([&] { return fs::exists(out) && lines_of(out).size() >= expected.size(); },
                   std::chrono::seconds(30)));
  scheduler.shutdown(true);
  std::vector<std::string> ran = lines_of(out);
  std::sort(ran.begin(), ran.end());
  std::sort(expected.begin(), expected.end());
  CHECK(ran == expected);
  CHECK_THAT(log.text(), Contains("ahead of time"));
}

TEST_CASE("look ahead: jobs added while a background scheduler waits are decoded before they are due, in few looks",
          "[persistence][look-ahead][threads]") {
  // Only the first add wakes the loop (nothing was planned); the others are due at the
  // wake-up it then plans, and are looked ahead at in paced rounds, not one per add.
  constexpr int kJobs = 2000;  // added well within the 5 s, also under ThreadSanitizer
  BackgroundJobsDueSoon setup("look-ahead-added", kJobs);
  auto& [dir, out, log, scheduler, due] = setup;
  CHECK(eventually([&] { return fs::exists(out) && lines_of(out).size() >= kJobs; }, std::chrono::seconds(30)));
  scheduler.shutdown(true);
  CHECK(lines_of(out).size() == kJobs);

  const std::regex decoded("Decoded ([0-9]+) jobs due at");
  const std::string text = log.text();
  int looks = 0;
  int decoded_ahead = 0;
  for (auto it = std::sregex_iterator(text.begin(), text.end(), decoded); it != std::sregex_iterator(); ++it) {
    ++looks;
    decoded_ahead += std::stoi((*it)[1]);
  }
  INFO("looks ahead: " << looks);
  CHECK(decoded_ahead == kJobs);
  CHECK(looks <= kJobs / 8);
}
