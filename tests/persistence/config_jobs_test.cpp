// Jobs from a YAML config against jobs already in the SQLite store, through
// core::Config::load and core::configure as the host does: without replace_existing the
// stored job keeps precedence (and the host says so); with it the job is updated, keeping
// its schedule when the trigger config is unchanged and rescheduled when it changed.
#include <catch2/catch.hpp>

#include <apsched/core/config.h>

#include "persistence_support.h"

using namespace apsched;
using namespace apsched::persistence;
using Catch::Matchers::Contains;

namespace {

using Times = std::vector<Timestamp>;

/** A config with a `default` sqlite store (db.sqlite beside it), an inline executor and the job `report`. */
fs::path write_config(const TempDir& dir, const std::string& job_options) {
  fs::path file = dir / "apsched.yaml";
  write_file(file,
             "scheduler: {timezone: UTC}\n"
             "jobstores:\n"
             "  default: {type: sqlite, path: db.sqlite}\n"
             "executors:\n"
             "  default: {type: inline}\n"
             "jobs:\n"
             "  - id: report\n"
             "    func: example_jobs:append_line\n" +
                 job_options);
  return file;
}

std::string args_line(const TempDir& dir, const std::string& text) {
  return "    args: ['" + (dir / "out.txt").string() + "', " + text + "]\n";
}

/** Loads the config, configures a manual-clock scheduler with it (problems must be none), starts it. */
std::unique_ptr<ManualHost> start_from_config(const fs::path& file, Timestamp now) {
  core::Config config = core::Config::load(file);
  auto host = std::make_unique<ManualHost>(now, config.options());
  std::vector<std::string> problems = core::configure(host->scheduler(), config);
  for (const auto& p : problems) FAIL_CHECK(p);
  (*host)->start();
  return host;
}

sdk::Value args_value(const TempDir& dir, const std::string& text) {
  return sdk::Value::List{(dir / "out.txt").string(), text};
}

}  // namespace

TEST_CASE("a config job whose id is stored, without replace_existing, leaves the stored job as it is",
          "[persistence][config][sqlite]") {
  TempDir dir("config-keep");
  const fs::path file = write_config(dir, args_line(dir, "v1") + "    trigger: {type: interval, seconds: 10}\n");
  {
    auto host = start_from_config(file, kStart);
    host->clock().set(at(10));
    host->pass();
    CHECK(host->run_times("report") == Times{at(10)});
  }
  // The config changes the arguments and the trigger, but does not ask to replace.
  write_config(dir, args_line(dir, "v2") + "    trigger: {type: interval, seconds: 4}\n    coalesce: false\n");
  core::Config config = core::Config::load(file);
  LogCapture log;
  ManualHost host(at(15), config.options());
  REQUIRE(core::configure(host.scheduler(), config).empty());
  // Before start (what `apsched jobs` shows), the stored job is listed once, as stored.
  auto listed = host->get_jobs();
  REQUIRE(listed.size() == 1);
  CHECK(listed[0].args == args_value(dir, "v1"));
  CHECK_FALSE(listed[0].pending);

  host->start();
  INFO(log.text());
  CHECK_THAT(log.text(), Contains("Job 'report' is already in job store 'default'; keeping the stored job"));
  auto job = host->get_job("report");
  REQUIRE(job);
  CHECK(job->args == args_value(dir, "v1"));
  CHECK(job->trigger_description == "interval[0:00:10]");
  CHECK(job->coalesce);
  CHECK(job->next_run_time == at(20));
  CHECK(host.events_of("report", core::EVENT_JOB_ADDED | core::EVENT_JOB_MODIFIED).empty());

  host.clock().set(at(20));
  host.pass();
  CHECK(host.run_times("report") == Times{at(20)});
  CHECK(lines_of(dir / "out.txt") == std::vector<std::string>{"v1", "v1"});
}

TEST_CASE("replace_existing with the same trigger updates the job and keeps its schedule",
          "[persistence][config][sqlite]") {
  TempDir dir("config-replace-same");
  const fs::path file = write_config(dir, args_line(dir, "v1") + "    trigger: {type: interval, seconds: 10}\n");
  sdk::Value stored_trigger;
  {
    auto host = start_from_config(file, kStart);
    host->clock().set(at(10));
    host->pass();
    stored_trigger = (*host)->get_job("report")->trigger;
  }
  // Same trigger config (keys in another order), new arguments and options.
  write_config(dir, args_line(dir, "v2") +
                        "    trigger: {seconds: 10, type: interval}\n"
                        "    max_instances: 2\n"
                        "    misfire_grace_time: null\n"
                        "    replace_existing: true\n");
  auto host = start_from_config(file, at(13));
  auto job = (*host)->get_job("report");
  REQUIRE(job);
  CHECK(job->args == args_value(dir, "v2"));
  CHECK(job->max_instances == 2);
  CHECK_FALSE(job->misfire_grace_time);
  // The schedule goes on from the stored state: next run +20 (started over it would be +23).
  CHECK(job->next_run_time == at(20));
  CHECK(job->trigger == stored_trigger);

  host->clock().set(at(20));
  host->pass();
  CHECK(host->run_times("report") == Times{at(20)});
  CHECK(lines_of(dir / "out.txt") == std::vector<std::string>{"v1", "v2"});

  // And it is what the file holds now.
  host.reset();
  auto again = start_sqlite_host(dir / "db.sqlite", at(21));
  CHECK((*again)->get_job("report")->args == args_value(dir, "v2"));
  CHECK((*again)->get_job("report")->next_run_time == at(30));
}

TEST_CASE("replace_existing with a changed trigger reschedules the job", "[persistence][config][sqlite]") {
  TempDir dir("config-replace-changed");
  const fs::path file = write_config(dir, args_line(dir, "v1") + "    trigger: {type: interval, seconds: 10}\n");
  {
    auto host = start_from_config(file, kStart);
    host->clock().set(at(10));
    host->pass();
  }
  write_config(dir, args_line(dir, "v2") +
                        "    trigger: {type: interval, seconds: 7}\n"
                        "    replace_existing: true\n");
  auto host = start_from_config(file, at(14));
  auto job = (*host)->get_job("report");
  REQUIRE(job);
  CHECK(job->args == args_value(dir, "v2"));
  CHECK(job->trigger_description == "interval[0:00:07]");
  // A new schedule from the restart: +14 + 7 (the stored one would have said +20).
  CHECK(job->next_run_time == at(21));
  host->clock().set(at(20));
  host->pass();
  CHECK(host->events_of("report", core::EVENT_JOB_SUBMITTED).empty());
  host->clock().set(at(21));
  host->pass();
  CHECK(host->run_times("report") == Times{at(21)});
  CHECK(lines_of(dir / "out.txt") == std::vector<std::string>{"v1", "v2"});
}

TEST_CASE("a config job over an unrestorable stored row: kept as is without replace_existing, fixed with it",
          "[persistence][config][corrupt][sqlite]") {
  TempDir dir("config-corrupt");
  const fs::path file = write_config(dir, args_line(dir, "v1") + "    trigger: {type: interval, seconds: 10}\n");
  start_from_config(file, kStart);
  const fs::path db = dir / "db.sqlite";
  {
    Database database(db);
    database.execute("UPDATE apscheduler_jobs SET document = 'not json' WHERE id = 'report'");
  }
  auto row = [&] {
    Database database(db);
    return database.column("SELECT quote(next_run_time) || '|' || quote(document) FROM apscheduler_jobs");
  };
  const auto corrupt = row();

  // Without replace_existing the unreadable stored row keeps precedence and is not touched.
  write_config(dir, args_line(dir, "v2") + "    trigger: {type: interval, seconds: 10}\n");
  {
    LogCapture log;
    auto host = start_from_config(file, at(13));
    INFO(log.text());
    CHECK_THAT(log.text(), Contains("keeping the stored job"));
    CHECK_THAT((*host)->get_job("report")->problem, Catch::Matchers::StartsWith("cannot be restored"));
    host->clock().set(at(20));
    host->pass();
    CHECK(host->events_of("report", core::EVENT_JOB_SUBMITTED).empty());
  }
  CHECK(row() == corrupt);

  // With replace_existing the config's definition replaces it: the job is whole again and runs.
  write_config(dir, args_line(dir, "v2") + "    trigger: {type: interval, seconds: 10}\n    replace_existing: true\n");
  auto host = start_from_config(file, at(21));
  auto job = (*host)->get_job("report");
  REQUIRE(job);
  CHECK(job->problem.empty());
  CHECK(job->args == args_value(dir, "v2"));
  REQUIRE(job->next_run_time);
  CHECK(*job->next_run_time > at(21));
  CHECK(*job->next_run_time <= at(31));
  host->clock().set(*job->next_run_time);
  host->pass();
  CHECK(host->events_of("report", core::EVENT_JOB_EXECUTED).size() == 1);
  CHECK(lines_of(dir / "out.txt") == std::vector<std::string>{"v2"});
}

TEST_CASE("a job whose trigger has no fire time left is stored paused, with a warning naming it",
          "[persistence][config]") {
  LogCapture log;
  auto host = start_host(at(0), sdk::Value::Map{{"type", "memory"}});
  core::JobSpec spec;
  spec.id = "never";
  spec.func = "example_jobs:noop";
  spec.trigger = core::TriggerSpec::make(
      "interval", {{"seconds", 10}, {"start_date", "2000-01-01T00:00:00Z"}, {"end_date", "2000-01-02T00:00:00Z"}});
  (*host)->add_job(spec);
  auto job = (*host)->get_job("never");
  REQUIRE(job);
  CHECK_FALSE(job->next_run_time);
  INFO(log.text());
  CHECK_THAT(log.text(), Contains("Job \"never\" has no fire time from now on (interval[0:00:10]): it is stored paused"));
}
