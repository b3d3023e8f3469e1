// The look ahead: while the scheduler waits for its next wake-up, it decodes the jobs
// due then (from stores that track revisions), so that their runs start at once. The
// built-in loops do it themselves; with an event loop (here: passes by hand) the caller
// asks for it. It must never change what runs: a job changed or removed after it was
// decoded ahead runs as it is when due.
#include <catch2/catch.hpp>

#include <apsched/core/config.h>

#include <algorithm>
#include <chrono>

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
  CHECK(read_text(out) == "a\nb changed\n");
  CHECK(host.run_times("a") == std::vector<Timestamp>{due});
  CHECK(host.run_times("c").empty());
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
  CHECK(read_text(dir / "out.txt") == "a\n");
}

TEST_CASE("look ahead: many jobs due at once are decoded in chunks, each once", "[persistence][look-ahead]") {
  TempDir dir("look-ahead-many");
  const fs::path out = dir / "out.txt";
  auto started = start_host(kStart, sdk::Value::Map{{"type", "memory"}});
  ManualHost& host = *started;
  const Timestamp due = at(10);
  for (int i = 0; i < 600; ++i) host->add_job(once_at("j" + std::to_string(i), out, due));
  {
    LogCapture log;
    CHECK(host.pass() == due);
    host->look_ahead(due);
    CHECK_THAT(log.text(), Contains("Decoded 600 jobs due at"));
  }
  host.clock().set(due);
  for (int passes = 0; passes < 50 && host.pass().has_value(); ++passes) {
  }  // a pass takes a batch of them
  CHECK(lines_of(out).size() == 600);
}

TEST_CASE("look ahead: a background scheduler looks ahead while other threads change and remove the jobs",
          "[persistence][look-ahead][threads]") {
  // Meant for ThreadSanitizer too: the look ahead lets go of the lock between chunks.
  TempDir dir("look-ahead-threads");
  const fs::path out = dir / "out.txt";
  LogCapture log;
  core::BackgroundScheduler scheduler(test_options());
  scheduler.add_executor("default", sdk::Value::Map{{"type", "inline"}});
  scheduler.add_jobstore("default", sdk::Value::Map{{"type", "memory"}});
  scheduler.start();
  const auto since_epoch = std::chrono::system_clock::now().time_since_epoch();
  const Timestamp due =
      std::chrono::duration_cast<std::chrono::microseconds>(since_epoch).count() + 5 * sdk::kMicrosPerSecond;
  constexpr int kJobs = 1000;  // added and changed well within the 5 s, also under ThreadSanitizer
  for (int i = 0; i < kJobs; ++i) scheduler.add_job(once_at("j" + std::to_string(i), out, due));
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
