// Measurements, not assertions: hidden tests (tag [.bench]) that print the add rate and
// the time to open a store and list 100,000 jobs. Run with
//   sqlite_store_tests "[.bench]"
// They use a directory in the build tree, i.e. a real disk where fsync costs what it costs.
#include <catch2/catch.hpp>
#include <chrono>
#include <ctime>
#include <iostream>
#include <sqlite3.h>

#include "sqlite_test_support.h"

using namespace apsched;
using namespace apsched::testing::sqlite;
using apsched::testing::FakeHost;

namespace {

using Clock = std::chrono::steady_clock;

double seconds_since(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

/** Process CPU time: less sensitive than wall time to other load on the machine. */
double cpu_seconds_since(std::clock_t start) { return static_cast<double>(std::clock() - start) / CLOCKS_PER_SEC; }

/** A document shaped like a real job's: func, args, trigger and options. */
sdk::JobRecord realistic_job(int n) {
  sdk::JobRecord record;
  record.id = "job-" + std::to_string(n);
  record.next_run_time = 1'800'000'000'000'000 + static_cast<sdk::Timestamp>(n) * 1'000'000;
  record.document = sdk::Value::Map{
      {"id", record.id},
      {"name", "benchmark job " + std::to_string(n)},
      {"func", "example_jobs:noop"},
      {"args", sdk::Value::List{n, "argument"}},
      {"kwargs", sdk::Value::Map{{"key", "value"}}},
      {"trigger", sdk::Value::Map{{"type", "interval"}, {"seconds", 60}, {"start_date", "2027-01-15T08:00:00+00:00"},
                                  {"timezone", "UTC"}}},
      {"executor", "default"},
      {"coalesce", false},
      {"max_instances", 3},
      {"misfire_grace_time", 30},
      {"next_run_time", *record.next_run_time}};
  return record;
}

}  // namespace

TEST_CASE("sqlite store bench: 10,000 adds", "[.bench][sqlite]") {
  TempDir dir("apsched-sqlite-bench", APSCHED_TEST_BINARY_DIR);
  FakeHost host;
  auto store = open_store(host, dir.file("bench.sqlite"));
  constexpr int kJobs = 10'000;
  std::vector<sdk::JobRecord> jobs;
  for (int n = 0; n < kJobs; ++n) jobs.push_back(realistic_job(n));
  auto start = Clock::now();
  for (const auto& j : jobs) REQUIRE(store->add(j).ok());
  double elapsed = seconds_since(start);
  std::cout << "sqlite store: " << kJobs << " adds in " << elapsed << " s = " << kJobs / elapsed
            << " adds/s (each one durable transaction, synchronous=FULL)\n";

  // A scheduler pass over 100 due jobs: one acquire, one release.
  start = Clock::now();
  std::vector<sdk::JobRecord> due;
  REQUIRE(store->acquire_due(1'900'000'000'000'000, sdk::Lease{"bench", 1'900'000'060'000'000}, 100, {}, due).ok());
  std::vector<sdk::Release> outcomes;
  for (const auto& r : due) outcomes.push_back({r.id, *r.next_run_time + 60'000'000, false});
  REQUIRE(store->release("bench", outcomes).ok());
  std::cout << "sqlite store: acquire_due + release of " << due.size() << " jobs in " << seconds_since(start) * 1000
            << " ms\n";
}

TEST_CASE("sqlite store bench: open and list 100,000 jobs", "[.bench][sqlite]") {
  TempDir dir("apsched-sqlite-bench", APSCHED_TEST_BINARY_DIR);
  FakeHost host;
  const std::string path = dir.file("bench.sqlite");
  constexpr int kJobs = 100'000;
  {
    // Fill through the store's own schema, in one transaction, directly.
    open_store(host, path)->shutdown();
    sqlite3* db = nullptr;
    REQUIRE(sqlite3_open(path.c_str(), &db) == SQLITE_OK);
    REQUIRE(sqlite3_exec(db, "BEGIN", nullptr, nullptr, nullptr) == SQLITE_OK);
    sqlite3_stmt* insert = nullptr;
    REQUIRE(sqlite3_prepare_v2(db, "INSERT INTO apscheduler_jobs (id, next_run_time, seq, document) VALUES (?, ?, ?, ?)",
                               -1, &insert, nullptr) == SQLITE_OK);
    for (int n = 0; n < kJobs; ++n) {
      sdk::JobRecord record = realistic_job(n);
      std::string document = record.document.to_json();
      sqlite3_bind_text(insert, 1, record.id.c_str(), -1, SQLITE_TRANSIENT);
      sqlite3_bind_int64(insert, 2, *record.next_run_time);
      sqlite3_bind_int64(insert, 3, n + 1);
      sqlite3_bind_text(insert, 4, document.c_str(), -1, SQLITE_TRANSIENT);
      REQUIRE(sqlite3_step(insert) == SQLITE_DONE);
      sqlite3_reset(insert);
    }
    sqlite3_finalize(insert);
    REQUIRE(sqlite3_exec(db, "UPDATE apsched_meta SET next_seq = 100001; COMMIT", nullptr, nullptr, nullptr) ==
            SQLITE_OK);
    sqlite3_close(db);
  }

  auto start = Clock::now();
  std::clock_t cpu_start = std::clock();
  SqliteStore store(host, store_config(path));
  REQUIRE(store.start().ok());
  double opened = seconds_since(start);
  std::vector<sdk::JobRecord> records;
  REQUIRE(store.list(records).ok());
  double listed = seconds_since(start);
  double listed_cpu = cpu_seconds_since(cpu_start);
  REQUIRE(records.size() == kJobs);
  std::cout << "sqlite store: open " << opened * 1000 << " ms; open + list (decode) of " << kJobs << " jobs "
            << listed * 1000 << " ms wall, " << listed_cpu * 1000 << " ms CPU\n";

  // The share of SQLite alone: the same rows, read without decoding.
  sqlite3* db = nullptr;
  REQUIRE(sqlite3_open(path.c_str(), &db) == SQLITE_OK);
  sqlite3_stmt* scan = nullptr;
  REQUIRE(sqlite3_prepare_v2(db, "SELECT id, next_run_time, document FROM apscheduler_jobs WHERE next_run_time "
                                 "IS NOT NULL ORDER BY next_run_time, seq", -1, &scan, nullptr) == SQLITE_OK);
  start = Clock::now();
  std::size_t bytes = 0;
  while (sqlite3_step(scan) == SQLITE_ROW) bytes += static_cast<std::size_t>(sqlite3_column_bytes(scan, 2));
  std::cout << "sqlite store: SQLite reading the same rows alone " << seconds_since(start) * 1000 << " ms ("
            << bytes / 1'000'000 << " MB of documents)\n";
  sqlite3_finalize(scan);
  sqlite3_close(db);

  start = Clock::now();
  std::optional<sdk::Timestamp> earliest;
  REQUIRE(store.earliest_run_time(0, "bench", earliest).ok());
  std::cout << "sqlite store: earliest_run_time over " << kJobs << " jobs " << seconds_since(start) * 1e6 << " us\n";
}
