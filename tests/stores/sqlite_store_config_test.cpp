// Configuration of the sqlite store: keys, validation, path resolution, and that
// constructing a store touches no file.
#include <catch2/catch.hpp>
#include <filesystem>

#include "sqlite_test_support.h"

using namespace apsched;
using namespace apsched::testing::sqlite;
using apsched::testing::FakeHost;

namespace {

std::string construction_error(FakeHost& host, const sdk::Value& config, std::string* field = nullptr) {
  try {
    SqliteStore store(host, config);
  } catch (const sdk::Error& e) {
    if (field) *field = e.field();
    return e.what();
  }
  return {};
}

}  // namespace

TEST_CASE("sqlite store config: path is required", "[sqlite][config]") {
  FakeHost host;
  std::string field;
  std::string error = construction_error(host, sdk::Value(sdk::Value::Map{{"type", "sqlite"}}), &field);
  CHECK(field == "path");
  CHECK_THAT(error, Catch::Contains("needs 'path'"));
  error = construction_error(host, sdk::Value(sdk::Value::Map{{"type", "sqlite"}, {"path", 42}}), &field);
  CHECK(field == "path");
  CHECK_THAT(error, Catch::Contains("must be a string"));
}

TEST_CASE("sqlite store config: table must be a plain identifier", "[sqlite][config]") {
  FakeHost host;
  for (const char* bad : {"jobs; DROP TABLE x", "1jobs", "sqlite_jobs", "apsched_meta", "my-jobs", "j\"obs", ""}) {
    INFO(bad);
    std::string field;
    std::string error = construction_error(host, store_config("/tmp/x.sqlite", {{"table", bad}}), &field);
    CHECK(field == "table");
    CHECK_THAT(error, Catch::Contains("'table'"));
  }
  for (const char* good : {"jobs", "My_Jobs2", "_private"}) {
    INFO(good);
    CHECK(construction_error(host, store_config("/tmp/x.sqlite", {{"table", good}})).empty());
  }
}

TEST_CASE("sqlite store config: unknown keys are refused with a suggestion", "[sqlite][config]") {
  FakeHost host;
  std::string field;
  std::string error = construction_error(host, store_config("/tmp/x.sqlite", {{"tabel", "jobs"}}), &field);
  CHECK(field == "tabel");
  CHECK_THAT(error, Catch::Contains("did you mean 'table'"));
}

TEST_CASE("sqlite store config: busy_timeout is validated", "[sqlite][config]") {
  FakeHost host;
  std::string field;
  construction_error(host, store_config("/tmp/x.sqlite", {{"busy_timeout", -1}}), &field);
  CHECK(field == "busy_timeout");
  SqliteStore store(host, store_config("/tmp/x.sqlite", {{"busy_timeout", 0.25}}));
  CHECK(store.options().busy_timeout_ms == 250);
  SqliteStore defaults(host, store_config("/tmp/x.sqlite"));
  CHECK(defaults.options().busy_timeout_ms == 5000);
  CHECK(defaults.options().table == "apscheduler_jobs");
}

TEST_CASE("sqlite store config: relative paths are relative to the host's base directory", "[sqlite][config]") {
  FakeHost host;
  host.set_base_directory("/etc/apsched/configs");
  SqliteStore relative(host, store_config("data/../jobs.sqlite"));
  CHECK(relative.options().path == "/etc/apsched/configs/jobs.sqlite");
  SqliteStore absolute(host, store_config("/var/lib/apsched/jobs.sqlite"));
  CHECK(absolute.options().path == "/var/lib/apsched/jobs.sqlite");
}

TEST_CASE("sqlite store config: construction does not open the database, and start does", "[sqlite][config]") {
  TempDir dir;
  FakeHost host;
  host.set_base_directory(dir.path());
  SqliteStore store(host, store_config("jobs.sqlite"));
  CHECK_FALSE(std::filesystem::exists(dir.file("jobs.sqlite")));
  sdk::Status status = store.start();
  INFO(describe(status));
  REQUIRE(status.ok());
  CHECK(std::filesystem::exists(dir.file("jobs.sqlite")));
  CHECK(query_sql(dir.file("jobs.sqlite"), "PRAGMA journal_mode") == "wal");
  CHECK(query_sql(dir.file("jobs.sqlite"), "SELECT schema_version FROM apsched_meta WHERE table_name = "
                                           "'apscheduler_jobs'") == "1");
  // A second start is harmless.
  CHECK(store.start().ok());
}
