// The database file cannot be used: a newer schema version or a file that is not an SQLite
// database is refused by the real host with a message naming the file and the cause, and
// left byte for byte unchanged; a database locked by another connection delays runs
// (reported, retried) without losing any.
#include <catch2/catch.hpp>

#include <apsched/core/config.h>
#include <apsched/core/errors.h>

#include "persistence_support.h"

using namespace apsched;
using namespace apsched::persistence;
using namespace std::chrono_literals;
using Catch::Matchers::Contains;

namespace {

using Times = std::vector<Timestamp>;

fs::path write_store_config(const TempDir& dir, const std::string& db_name) {
  fs::path config = dir / "apsched.yaml";
  write_file(config,
             "scheduler: {timezone: UTC}\n"
             "jobstores:\n"
             "  default: {type: sqlite, path: " + db_name + "}\n"
             "jobs:\n"
             "  - {id: job, func: 'example_jobs:noop', trigger: {type: interval, seconds: 1}}\n");
  return config;
}

/** `apsched jobs` and `apsched run` both refuse the file: exit 1, with `expected` in the output. */
void check_refused(const TempDir& dir, const fs::path& config, const fs::path& db, const std::string& expected) {
  const std::string bytes = read_file(db);
  {
    CommandResult jobs = run_apsched({"jobs", "-c", config.string()}, dir.path());
    INFO(jobs.output);
    CHECK(jobs.status.describe() == "exit status 1");
    CHECK_THAT(jobs.output, Contains(db.filename().string()) && Contains(expected));
  }
  {
    fs::path log = dir / "run.log";
    Child host({APSCHED_BINARY, "run", "-c", config.string()}, log);
    ExitStatus status = host.wait(20s);
    std::string text = read_file(log);
    INFO(text);
    CHECK(status.describe() == "exit status 1");
    CHECK_THAT(text, Contains(db.filename().string()) && Contains(expected));
  }
  CHECK(read_file(db) == bytes);  // left unchanged
  CHECK_FALSE(fs::exists(db.string() + "-wal"));
}

}  // namespace

TEST_CASE("a database of a newer schema version is refused naming the file, and left unchanged",
          "[persistence][errors][sqlite][binary]") {
  TempDir dir("errors-schema");
  const fs::path db = dir / "jobs.sqlite";
  {
    auto host = start_sqlite_host(db, kStart);
    (*host)->add_job(append_job("stored", dir / "out.txt", "x", 10));
  }
  {
    Database file(db);
    file.execute("UPDATE apsched_meta SET schema_version = 99");
  }
  REQUIRE_FALSE(fs::exists(db.string() + "-wal"));
  check_refused(dir, write_store_config(dir, "jobs.sqlite"), db, "schema version 99");
  Database file(db);
  CHECK(file.column("SELECT id FROM apscheduler_jobs") == std::vector<std::string>{"stored"});
}

TEST_CASE("a file that is not an SQLite database is refused naming the file and the cause, and left unchanged",
          "[persistence][errors][sqlite][binary]") {
  TempDir dir("errors-garbage");
  const fs::path db = dir / "notes.sqlite";
  std::string garbage;
  for (int i = 0; i < 200; ++i) garbage += "these are not the jobs you are looking for\n";
  write_file(db, garbage);
  check_refused(dir, write_store_config(dir, "notes.sqlite"), db, "not a database");
  CHECK(read_file(db) == garbage);
}

TEST_CASE("a database locked by another connection delays runs, reported and retried, without losing any",
          "[persistence][errors][sqlite]") {
  TempDir dir("errors-locked");
  const fs::path db = dir / "jobs.sqlite";
  const fs::path out = dir / "out.txt";
  ManualHost host(kStart);
  host->add_executor("default", sdk::Value::Map{{"type", "inline"}});
  host->add_jobstore("default", sdk::Value::Map{{"type", "sqlite"}, {"path", db.string()}, {"busy_timeout", 0.1}});
  host->start();
  auto spec = append_job("job", out, "x", 10);
  spec.coalesce = false;
  spec.misfire_grace_time = core::GraceTime{};
  host->add_job(spec);

  LogCapture log;
  Database other(db);
  other.execute("BEGIN EXCLUSIVE");
  host.clock().set(at(25));
  std::optional<Timestamp> wake = host.pass();
  {
    INFO(log.text());
    CHECK(host.events_of("job", core::EVENT_JOB_SUBMITTED).empty());
    CHECK_THAT(log.text(), Contains("Job store 'default' failed") && Contains(db.string()) && Contains("locked"));
    // Tried again soon, not in a busy loop.
    REQUIRE(wake);
    CHECK(*wake > at(25));
    CHECK(*wake <= at(35));
  }
  // A change is refused with the reason and leaves nothing half-stored...
  CHECK_THROWS_WITH(host->add_job(append_job("other", out, "y", 10)), Contains(db.string()) && Contains("locked"));
  // ...while reading still works (WAL: readers are not blocked by a writer).
  std::vector<core::Job> listed;
  CHECK_NOTHROW(listed = host->get_jobs());
  CHECK(listed.size() == 1);

  other.execute("COMMIT");
  host.clock().set(*wake);
  host.pass();
  // Every run that fell due meanwhile, in order (no coalescing, no grace limit).
  Times expected;
  for (Timestamp t = at(10); t <= *wake; t += 10 * kSecond) expected.push_back(t);
  CHECK(host.run_times("job") == expected);
  CHECK(lines_of(out).size() == expected.size());
  CHECK(stored_ids(db) == std::vector<std::string>{"job"});
}

TEST_CASE("a config job that cannot be stored at start because the database is locked is not dropped",
          "[persistence][errors][config][sqlite]") {
  // Issue 4: jobs from the config are stored, nothing is lost. If the store is busy when
  // the host starts, the job must either make start() fail (the host exits with the
  // reason) or be stored once the lock is gone; running on without it loses it silently.
  TempDir dir("errors-locked-start");
  const fs::path db = dir / "jobs.sqlite";
  const fs::path config_file = dir / "apsched.yaml";
  write_file(config_file,
             "scheduler: {timezone: UTC}\n"
             "jobstores:\n"
             "  default: {type: sqlite, path: jobs.sqlite, busy_timeout: 0.1}\n"
             "executors:\n"
             "  default: {type: inline}\n"
             "jobs:\n"
             "  - {id: report, func: 'example_jobs:noop', trigger: {type: interval, seconds: 10}}\n");
  {
    // The database exists (schema made) but holds no job yet.
    ManualHost first(kStart, test_options());
    first->add_jobstore("default", sdk::Value::Map{{"type", "sqlite"}, {"path", db.string()}});
    CHECK(first->get_jobs().empty());
  }
  core::Config config = core::Config::load(config_file);
  ManualHost host(kStart, config.options());
  REQUIRE(core::configure(host.scheduler(), config).empty());
  LogCapture log;
  bool start_refused = false;
  {
    Database other(db);
    other.execute("BEGIN EXCLUSIVE");
    try {
      host->start();
    } catch (const core::SchedulerError& e) {
      start_refused = true;
      CHECK_THAT(e.what(), Contains("locked"));
    }
    other.execute("COMMIT");
  }
  INFO(log.text());
  if (!start_refused) {
    host.clock().set(at(1));
    host.pass();
    auto job = host->get_job("report");
    CHECK(job.has_value());  // stored once the lock is gone, not dropped
    CHECK(stored_ids(db) == std::vector<std::string>{"report"});
  }
}
