// Errors name the database path and the cause: missing directory, permissions, not a
// database, locked.
#include <sys/stat.h>

#include <catch2/catch.hpp>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <sqlite3.h>

#include "sqlite_test_support.h"

using namespace apsched;
using namespace apsched::testing::sqlite;
using apsched::testing::FakeHost;

namespace {

/** Starts a store on `path` and returns the start error ("" on success). */
std::string start_error(const std::string& path) {
  FakeHost host;
  SqliteStore store(host, store_config(path));
  sdk::Status status = store.start();
  return status.ok() ? std::string() : status.message;
}

}  // namespace

TEST_CASE("sqlite store errors: a missing parent directory is named", "[sqlite][errors]") {
  TempDir dir;
  FakeHost host;
  const std::string path = dir.file("no/such/dir/jobs.sqlite");
  SqliteStore store(host, store_config(path));
  sdk::Status status = store.start();
  CHECK(status.code == sdk::Code::unavailable);
  CHECK_THAT(status.message, Catch::Contains(path) && Catch::Contains("directory '" + dir.file("no/such/dir") +
                                                                     "' does not exist"));
  CHECK_FALSE(std::filesystem::exists(dir.file("no")));
}

TEST_CASE("sqlite store errors: a file that is not a database is refused", "[sqlite][errors]") {
  TempDir dir;
  const std::string path = dir.file("notes.txt");
  {
    std::ofstream out(path);
    for (int i = 0; i < 200; ++i) out << "these are not the jobs you are looking for\n";
  }
  const auto size = std::filesystem::file_size(path);
  std::string error = start_error(path);
  CHECK_THAT(error, Catch::Contains(path) && Catch::Contains("file is not a database"));
  CHECK(std::filesystem::file_size(path) == size);  // left as it was
}

TEST_CASE("sqlite store errors: a directory where the file should be", "[sqlite][errors]") {
  TempDir dir;
  std::filesystem::create_directory(dir.file("jobs.sqlite"));
  std::string error = start_error(dir.file("jobs.sqlite"));
  CHECK_THAT(error, Catch::Contains(dir.file("jobs.sqlite")) && Catch::Contains("is a directory"));
}

TEST_CASE("sqlite store errors: an unwritable directory", "[sqlite][errors]") {
  TempDir dir;
  const std::string path = dir.file("readonly/jobs.sqlite");
  std::filesystem::create_directory(dir.file("readonly"));
  ::chmod(dir.file("readonly").c_str(), 0555);
  std::string error = run_unprivileged([&] { return start_error(path); });
  CHECK_THAT(error, Catch::Contains(path) && Catch::Contains("unable to open database file") &&
                        Catch::Contains("directory '" + dir.file("readonly") + "' is not writable"));
}

TEST_CASE("sqlite store errors: an existing database in an unwritable directory", "[sqlite][errors]") {
  TempDir dir;
  std::filesystem::create_directory(dir.file("sealed"));
  const std::string path = dir.file("sealed/jobs.sqlite");
  {
    FakeHost host;
    open_store(host, path)->shutdown();  // leaves no -wal/-shm behind
  }
  ::chmod(path.c_str(), 0666);
  ::chmod(dir.file("sealed").c_str(), 0555);
  std::string error = run_unprivileged([&] { return start_error(path); });
  CHECK_THAT(error, Catch::Contains(path) && Catch::Contains("-wal") && Catch::Contains("not writable"));
}

TEST_CASE("sqlite store errors: an unreadable or read-only file", "[sqlite][errors]") {
  TempDir dir;
  const std::string path = dir.file("jobs.sqlite");
  {
    FakeHost host;
    open_store(host, path)->shutdown();
  }
  ::chmod(dir.path().c_str(), 0777);  // the directory is not the problem here

  ::chmod(path.c_str(), 0000);
  std::string error = run_unprivileged([&] { return start_error(path); });
  CHECK_THAT(error, Catch::Contains(path) && Catch::Contains("not readable"));

  ::chmod(path.c_str(), 0444);
  error = run_unprivileged([&] { return start_error(path); });
  CHECK_THAT(error, Catch::Contains(path) && Catch::Contains("read-only") && Catch::Contains("not writable"));
}

TEST_CASE("sqlite store errors: locked beyond the busy timeout", "[sqlite][errors]") {
  TempDir dir;
  FakeHost host;
  const std::string path = dir.file("jobs.sqlite");
  auto store = open_store(host, path, {{"busy_timeout", 0.2}});
  REQUIRE(store->add(job("a", 1)).ok());

  // Another connection takes the write lock and keeps it.
  sqlite3* other = nullptr;
  REQUIRE(sqlite3_open(path.c_str(), &other) == SQLITE_OK);
  REQUIRE(sqlite3_exec(other, "BEGIN IMMEDIATE", nullptr, nullptr, nullptr) == SQLITE_OK);

  auto started = std::chrono::steady_clock::now();
  sdk::Status status = store->add(job("b", 1));
  auto waited = std::chrono::steady_clock::now() - started;
  CHECK(status.code == sdk::Code::unavailable);
  CHECK_THAT(status.message, Catch::Contains(path) && Catch::Contains("cannot add job 'b'") &&
                                 Catch::Contains("database is locked") && Catch::Contains("busy timeout (200 ms)"));
  CHECK(waited >= std::chrono::milliseconds(150));

  std::vector<sdk::JobRecord> acquired;
  status = store->acquire_due(10, sdk::Lease{"A", 100}, 10, {}, acquired);
  CHECK_THAT(status.message, Catch::Contains("cannot acquire due jobs") && Catch::Contains("locked"));
  // Readers are not blocked by a writer in WAL mode.
  std::vector<sdk::JobRecord> records;
  CHECK(store->list(records).ok());

  REQUIRE(sqlite3_exec(other, "COMMIT", nullptr, nullptr, nullptr) == SQLITE_OK);
  sqlite3_close(other);
  CHECK(store->add(job("b", 1)).ok());
  REQUIRE(store->list(records).ok());
  CHECK(ids(records) == std::vector<std::string>{"a", "b"});
}
