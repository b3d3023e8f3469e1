// Several job stores at once: `default` on SQLite, `volatile` in memory. Each job lands
// in the store its `jobstore` names; after a restart only the SQLite ones are back.
#include <catch2/catch.hpp>

#include <apsched/core/config.h>
#include <apsched/core/errors.h>

#include <algorithm>

#include "persistence_support.h"

using namespace apsched;
using namespace apsched::persistence;

namespace {

using Ids = std::vector<std::string>;

Ids ids_of(const std::vector<core::Job>& jobs) {
  Ids ids;
  for (const auto& j : jobs) ids.push_back(j.id);
  std::sort(ids.begin(), ids.end());
  return ids;
}

std::unique_ptr<ManualHost> start_two_store_host(const fs::path& db, Timestamp now) {
  auto host = std::make_unique<ManualHost>(now);
  (*host)->add_executor("default", sdk::Value::Map{{"type", "inline"}});
  (*host)->add_jobstore("default", sdk::Value::Map{{"type", "sqlite"}, {"path", db.string()}});
  (*host)->add_jobstore("volatile", sdk::Value::Map{{"type", "memory"}});
  (*host)->start();
  return host;
}

}  // namespace

TEST_CASE("each job lands in the store named by its jobstore, and only the sqlite ones survive a restart",
          "[persistence][stores][sqlite]") {
  TempDir dir("stores");
  const fs::path db = dir / "jobs.sqlite";
  const fs::path out = dir / "out.txt";
  {
    auto host = start_two_store_host(db, kStart);
    auto durable_a = append_job("durable-a", out, "durable-a", 10);  // jobstore left at its default
    auto fleeting_b = append_job("fleeting-b", out, "fleeting-b", 10);
    fleeting_b.jobstore = "volatile";
    auto durable_c = append_job("durable-c", out, "durable-c", 10);
    durable_c.jobstore = "default";
    auto fleeting_d = append_job("fleeting-d", out, "fleeting-d", 10);
    fleeting_d.jobstore = "volatile";
    for (const auto& spec : {durable_a, fleeting_b, durable_c, fleeting_d})
      CHECK((*host)->add_job(spec).jobstore == spec.jobstore);

    CHECK(ids_of((*host)->get_jobs("default")) == Ids{"durable-a", "durable-c"});
    CHECK(ids_of((*host)->get_jobs("volatile")) == Ids{"fleeting-b", "fleeting-d"});
    CHECK(ids_of((*host)->get_jobs()) == Ids{"durable-a", "durable-c", "fleeting-b", "fleeting-d"});
    for (const auto& j : (*host)->get_jobs()) {
      INFO(j.id);
      CHECK(j.jobstore == (j.id.rfind("durable", 0) == 0 ? "default" : "volatile"));
    }
    // The file holds exactly the `default` jobs.
    CHECK(stored_ids(db) == Ids{"durable-a", "durable-c"});

    // Looked up in the wrong store, a job is not there.
    CHECK_FALSE((*host)->get_job("fleeting-b", "default"));
    CHECK((*host)->get_job("fleeting-b", "volatile"));
    CHECK_THROWS_AS((*host)->remove_job("durable-a", "volatile"), core::JobLookupError);
    // The same id may be used in another store, as in APScheduler (conflicts are per store).
    auto twin = append_job("durable-a", out, "twin", 10);
    twin.jobstore = "volatile";
    // Running instances are counted per job id across stores, as APScheduler's executors
    // do: with the default max_instances of 1 the twin would be skipped while durable-a runs.
    twin.max_instances = 2;
    CHECK_NOTHROW((*host)->add_job(twin));
    CHECK(stored_ids(db) == Ids{"durable-a", "durable-c"});

    // All of them run, and their events name their store.
    host->clock().set(at(10));
    host->pass();
    Ids executed;
    for (const auto& e : host->events())
      if (e.code == core::EVENT_JOB_EXECUTED) executed.push_back(e.job_id + "@" + e.jobstore);
    std::sort(executed.begin(), executed.end());
    CHECK(executed ==
          Ids{"durable-a@default", "durable-a@volatile", "durable-c@default", "fleeting-b@volatile", "fleeting-d@volatile"});
    CHECK(lines_of(out).size() == 5);
    (*host)->shutdown();
  }
  {
    auto host = start_two_store_host(db, at(12));
    CHECK(ids_of((*host)->get_jobs("default")) == Ids{"durable-a", "durable-c"});
    CHECK((*host)->get_jobs("volatile").empty());
    CHECK_FALSE((*host)->get_job("fleeting-b"));
    auto a = (*host)->get_job("durable-a");
    REQUIRE(a);
    CHECK(a->jobstore == "default");
    CHECK(a->args == sdk::Value(sdk::Value::List{out.string(), "durable-a"}));  // not the volatile twin
    CHECK(a->next_run_time == at(20));
  }
}

TEST_CASE("stores and jobs from a YAML config: jobstore picks the store, restart keeps only sqlite",
          "[persistence][stores][config][sqlite]") {
  TempDir dir("stores-config");
  const fs::path out = dir / "out.txt";
  const fs::path config_file = dir / "apsched.yaml";
  write_file(config_file,
             "scheduler: {timezone: UTC}\n"
             "jobstores:\n"
             "  default: {type: sqlite, path: state/jobs.sqlite}\n"
             "  volatile: {type: memory}\n"
             "executors:\n"
             "  default: {type: inline}\n"
             "jobs:\n"
             "  - {id: kept, func: 'example_jobs:append_line', args: ['" + out.string() + "', kept],\n"
             "     trigger: {type: interval, seconds: 10}}\n"
             "  - {id: lost, func: 'example_jobs:append_line', args: ['" + out.string() + "', lost],\n"
             "     trigger: {type: interval, seconds: 10}, jobstore: volatile}\n");
  fs::create_directories(dir / "state");
  const fs::path db = dir / "state" / "jobs.sqlite";  // relative to the config file
  core::Config config = core::Config::load(config_file);
  {
    ManualHost host(kStart, config.options());
    CHECK(core::configure(host.scheduler(), config).empty());
    host->start();
    CHECK(host->get_job("kept")->jobstore == "default");
    CHECK(host->get_job("lost")->jobstore == "volatile");
    CHECK(stored_ids(db) == Ids{"kept"});
  }
  // A restart with a config that no longer lists the jobs: only the sqlite one remains.
  write_file(config_file,
             "scheduler: {timezone: UTC}\n"
             "jobstores:\n"
             "  default: {type: sqlite, path: state/jobs.sqlite}\n"
             "  volatile: {type: memory}\n"
             "executors:\n"
             "  default: {type: inline}\n");
  core::Config second = core::Config::load(config_file);
  ManualHost host(at(5), second.options());
  CHECK(core::configure(host.scheduler(), second).empty());
  host->start();
  CHECK(ids_of(host->get_jobs()) == Ids{"kept"});
  CHECK(host->get_job("kept")->next_run_time == at(10));
}
