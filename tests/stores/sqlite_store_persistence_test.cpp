// What survives closing and reopening the file, and the schema version rules.
#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "sqlite_test_support.h"

using namespace apsched;
using namespace apsched::testing::sqlite;
using apsched::testing::FakeHost;

namespace {

std::string file_contents(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

}  // namespace

TEST_CASE("sqlite store: jobs, order and leases survive closing and reopening", "[sqlite][persistence]") {
  TempDir dir;
  FakeHost host;
  const std::string path = dir.file("jobs.sqlite");
  {
    auto store = open_store(host, path);
    REQUIRE(store->add(job("paused", std::nullopt, "p")).ok());
    REQUIRE(store->add(job("second", 20, sdk::Value::List{1, 2})).ok());
    REQUIRE(store->add(job("first", 10)).ok());
    REQUIRE(store->add(job("tie", 20)).ok());
    REQUIRE(store->add(job("gone", 5)).ok());
    REQUIRE(store->remove("gone").ok());
    std::vector<sdk::JobRecord> acquired;
    REQUIRE(store->acquire_due(10, sdk::Lease{"A", 1000}, 10, {}, acquired).ok());
    store->shutdown();
  }
  // The WAL was checkpointed and removed by the last close.
  CHECK_FALSE(std::filesystem::exists(path + "-wal"));

  auto store = open_store(host, path);
  std::vector<sdk::JobRecord> records;
  REQUIRE(store->list(records).ok());
  CHECK(ids(records) == std::vector<std::string>{"first", "second", "tie", "paused"});
  CHECK(records[1].document == job("second", 20, sdk::Value::List{1, 2}).document);
  // first is still leased by A.
  std::vector<sdk::JobRecord> acquired;
  REQUIRE(store->acquire_due(10, sdk::Lease{"B", 2000}, 10, {}, acquired).ok());
  CHECK(acquired.empty());
  // Insertion order continues after the stored jobs.
  REQUIRE(store->add(job("late-tie", 20)).ok());
  REQUIRE(store->list(records).ok());
  CHECK(ids(records) == std::vector<std::string>{"first", "second", "tie", "late-tie", "paused"});
}

TEST_CASE("sqlite store: a file of a newer schema version is refused and left unchanged",
          "[sqlite][persistence][schema]") {
  TempDir dir;
  FakeHost host;
  const std::string path = dir.file("jobs.sqlite");
  {
    auto store = open_store(host, path);
    REQUIRE(store->add(job("a", 1)).ok());
    store->shutdown();
  }
  execute_sql(path, "UPDATE apsched_meta SET schema_version = 7 WHERE table_name = 'apscheduler_jobs'");
  execute_sql(path, "PRAGMA wal_checkpoint(TRUNCATE)");
  const std::string before = file_contents(path);

  SqliteStore store(host, store_config(path));
  sdk::Status status = store.start();
  CHECK(status.code == sdk::Code::unavailable);
  CHECK(status.field == "path");
  CHECK_THAT(status.message, Catch::Contains(path) && Catch::Contains("schema version 7") &&
                                 Catch::Contains("supports schema version 1") && Catch::Contains("newer apsched"));
  CHECK(file_contents(path) == before);
  CHECK(store.add(job("b", 1)).code == sdk::Code::unavailable);  // not started

  // Another table in the same file is unaffected.
  auto other = open_store(host, path, {{"table", "other_jobs"}});
  CHECK(other->add(job("b", 1)).ok());
}

TEST_CASE("sqlite store: a table apsched did not create is refused", "[sqlite][persistence][schema]") {
  TempDir dir;
  FakeHost host;
  const std::string path = dir.file("apscheduler.sqlite");
  // What APScheduler's SQLAlchemyJobStore creates.
  execute_sql(path,
              "CREATE TABLE apscheduler_jobs (id VARCHAR(191) NOT NULL PRIMARY KEY, next_run_time FLOAT, "
              "job_state BLOB NOT NULL); INSERT INTO apscheduler_jobs VALUES ('x', 1.5, x'00')");
  SqliteStore store(host, store_config(path));
  sdk::Status status = store.start();
  CHECK(status.code == sdk::Code::unavailable);
  CHECK(status.field == "table");
  CHECK_THAT(status.message, Catch::Contains(path) && Catch::Contains("not created by apsched"));
  CHECK(query_sql(path, "SELECT count(*) FROM apscheduler_jobs") == "1");
}

TEST_CASE("sqlite store: a table recorded but missing is created again", "[sqlite][persistence][schema]") {
  TempDir dir;
  FakeHost host;
  const std::string path = dir.file("jobs.sqlite");
  open_store(host, path)->shutdown();
  execute_sql(path, "DROP TABLE apscheduler_jobs");
  auto store = open_store(host, path);
  CHECK(store->add(job("a", 1)).ok());
}

TEST_CASE("sqlite store: the file is created with the documented layout", "[sqlite][persistence][schema]") {
  TempDir dir;
  FakeHost host;
  const std::string path = dir.file("jobs.sqlite");
  auto store = open_store(host, path, {{"table", "my_jobs"}});
  REQUIRE(store->add(job("a", 123)).ok());
  CHECK(query_sql(path, "SELECT group_concat(name || ':' || type, ',') FROM pragma_table_info('my_jobs')") ==
        "id:TEXT,next_run_time:INTEGER,seq:INTEGER,document:TEXT,lease_owner:TEXT,lease_expires:INTEGER");
  CHECK(query_sql(path, "SELECT group_concat(name, ',') FROM pragma_index_info('my_jobs_next_run_time')") ==
        "next_run_time,seq");
  CHECK(query_sql(path, "SELECT document FROM my_jobs WHERE id = 'a'") == R"({"id":"a","payload":null})");
  CHECK(query_sql(path, "SELECT typeof(next_run_time) || next_run_time FROM my_jobs") == "integer123");
  // The due-jobs query walks the index instead of sorting the table.
  std::string plan;
  for (const std::string& step :
       query_column(path, "EXPLAIN QUERY PLAN SELECT id FROM my_jobs WHERE next_run_time <= 5 AND (lease_expires "
                          "IS NULL OR lease_expires <= 5 OR lease_owner = 'x') ORDER BY next_run_time, seq LIMIT 10",
                    3))
    plan += step + "; ";
  CHECK_THAT(plan, Catch::Contains("my_jobs_next_run_time") && !Catch::Contains("TEMP B-TREE"));
}
