// add / update / remove / get / list and their error codes, and the ordering contract.
#include <catch2/catch.hpp>
#include <sqlite3.h>

#include "sqlite_test_support.h"

using namespace apsched;
using namespace apsched::testing::sqlite;
using apsched::testing::FakeHost;

TEST_CASE("sqlite store: calls before start and after shutdown fail as unavailable", "[sqlite][crud]") {
  TempDir dir;
  FakeHost host;
  SqliteStore store(host, store_config(dir.file("jobs.sqlite")));
  sdk::Status status = store.add(job("a", 1));
  CHECK(status.code == sdk::Code::unavailable);
  CHECK_THAT(status.message, Catch::Contains("not started") && Catch::Contains(dir.file("jobs.sqlite")));

  REQUIRE(store.start().ok());
  CHECK(store.add(job("a", 1)).ok());
  store.shutdown();
  std::vector<sdk::JobRecord> records;
  CHECK(store.list(records).code == sdk::Code::unavailable);
  // Started again, it sees what it wrote.
  REQUIRE(store.start().ok());
  CHECK(store.list(records).ok());
  CHECK(ids(records) == std::vector<std::string>{"a"});
}

TEST_CASE("sqlite store: add and get round-trip documents exactly", "[sqlite][crud]") {
  TempDir dir;
  FakeHost host;
  auto store = open_store(host, dir.file("jobs.sqlite"));

  sdk::Value payload(sdk::Value::Map{
      {"args", sdk::Value::List{1, 2.5, "three \"quoted\" \\ \n ünïcödé ✓", nullptr, true}},
      {"kwargs", sdk::Value::Map{{"nested", sdk::Value::Map{{"list", sdk::Value::List{}}}}}},
      {"big", sdk::Value(static_cast<long long>(9007199254740993LL))},
      {"tiny", 1e-300}});
  sdk::JobRecord scheduled = job("scheduled", 1'700'000'000'123'456, payload);
  sdk::JobRecord paused = job("paused", std::nullopt);
  REQUIRE(store->add(scheduled).ok());
  REQUIRE(store->add(paused).ok());

  std::optional<sdk::JobRecord> got;
  REQUIRE(store->get("scheduled", got).ok());
  REQUIRE(got);
  CHECK(got->id == "scheduled");
  CHECK(got->next_run_time == scheduled.next_run_time);
  CHECK(got->document == scheduled.document);
  CHECK(got->decode_error.empty());
  CHECK(got->raw.empty());

  REQUIRE(store->get("paused", got).ok());
  REQUIRE(got);
  CHECK_FALSE(got->next_run_time.has_value());

  REQUIRE(store->get("absent", got).ok());
  CHECK_FALSE(got.has_value());
}

TEST_CASE("sqlite store: add of a taken id fails with already_exists and changes nothing", "[sqlite][crud]") {
  TempDir dir;
  FakeHost host;
  auto store = open_store(host, dir.file("jobs.sqlite"));
  REQUIRE(store->add(job("a", 10, "first")).ok());
  sdk::Status status = store->add(job("a", 5, "second"));
  CHECK(status.code == sdk::Code::already_exists);
  CHECK_THAT(status.message, Catch::Contains("'a'"));
  std::optional<sdk::JobRecord> got;
  REQUIRE(store->get("a", got).ok());
  CHECK(got->next_run_time == 10);
  CHECK(*got->document.find("payload") == sdk::Value("first"));
  // The failed add left no transaction open: the store still works.
  CHECK(store->add(job("b", 5)).ok());
}

TEST_CASE("sqlite store: update replaces time and document, and not_found when absent", "[sqlite][crud]") {
  TempDir dir;
  FakeHost host;
  auto store = open_store(host, dir.file("jobs.sqlite"));
  REQUIRE(store->add(job("a", 10, "v1")).ok());
  REQUIRE(store->update(job("a", std::nullopt, "v2")).ok());
  std::optional<sdk::JobRecord> got;
  REQUIRE(store->get("a", got).ok());
  CHECK_FALSE(got->next_run_time.has_value());
  CHECK(*got->document.find("payload") == sdk::Value("v2"));

  sdk::Status status = store->update(job("missing", 1));
  CHECK(status.code == sdk::Code::not_found);
  CHECK_THAT(status.message, Catch::Contains("'missing'"));
  REQUIRE(store->get("missing", got).ok());
  CHECK_FALSE(got.has_value());  // update never inserts
}

TEST_CASE("sqlite store: remove and remove_all", "[sqlite][crud]") {
  TempDir dir;
  FakeHost host;
  auto store = open_store(host, dir.file("jobs.sqlite"));
  for (const char* id : {"a", "b", "c"}) REQUIRE(store->add(job(id, 1)).ok());
  REQUIRE(store->remove("b").ok());
  CHECK(store->remove("b").code == sdk::Code::not_found);
  std::vector<sdk::JobRecord> records;
  REQUIRE(store->list(records).ok());
  CHECK(ids(records) == std::vector<std::string>{"a", "c"});

  REQUIRE(store->remove_all().ok());
  REQUIRE(store->list(records).ok());
  CHECK(records.empty());
  CHECK(store->remove_all().ok());  // on an empty store too
  CHECK(store->add(job("b", 1)).ok());  // a removed id can be reused
}

TEST_CASE("sqlite store: list orders by time, FIFO among equal times, paused last", "[sqlite][crud]") {
  TempDir dir;
  FakeHost host;
  auto store = open_store(host, dir.file("jobs.sqlite"));
  REQUIRE(store->add(job("p1", std::nullopt)).ok());
  REQUIRE(store->add(job("t30", 30)).ok());
  REQUIRE(store->add(job("t10-c", 10)).ok());
  REQUIRE(store->add(job("t10-a", 10)).ok());
  REQUIRE(store->add(job("p0", std::nullopt)).ok());
  REQUIRE(store->add(job("t10-b", 10)).ok());
  REQUIRE(store->add(job("neg", -5)).ok());  // before the epoch is a valid instant

  std::vector<sdk::JobRecord> records;
  REQUIRE(store->list(records).ok());
  CHECK(ids(records) == std::vector<std::string>{"neg", "t10-c", "t10-a", "t10-b", "t30", "p1", "p0"});

  // update keeps the insertion sequence: t10-c moved away and back is still first.
  REQUIRE(store->update(job("t10-c", 99)).ok());
  REQUIRE(store->update(job("t10-c", 10)).ok());
  // Pausing and resuming likewise.
  REQUIRE(store->update(job("t10-a", std::nullopt)).ok());
  REQUIRE(store->list(records).ok());
  CHECK(ids(records) == std::vector<std::string>{"neg", "t10-c", "t10-b", "t30", "p1", "t10-a", "p0"});
  REQUIRE(store->update(job("t10-a", 10)).ok());
  REQUIRE(store->list(records).ok());
  CHECK(ids(records) == std::vector<std::string>{"neg", "t10-c", "t10-a", "t10-b", "t30", "p1", "p0"});

  // A re-added job goes to the back of its tie.
  REQUIRE(store->remove("t10-c").ok());
  REQUIRE(store->add(job("t10-c", 10)).ok());
  REQUIRE(store->list(records).ok());
  CHECK(ids(records) == std::vector<std::string>{"neg", "t10-a", "t10-b", "t10-c", "t30", "p1", "p0"});
}

TEST_CASE("sqlite store: several tables in one file are independent stores", "[sqlite][crud]") {
  TempDir dir;
  FakeHost host;
  auto first = open_store(host, dir.file("jobs.sqlite"));
  auto second = open_store(host, dir.file("jobs.sqlite"), {{"table", "other_jobs"}});
  REQUIRE(first->add(job("a", 1)).ok());
  REQUIRE(second->add(job("a", 2)).ok());  // same id, different table
  REQUIRE(second->add(job("b", 2)).ok());
  std::vector<sdk::JobRecord> records;
  REQUIRE(first->list(records).ok());
  CHECK(ids(records) == std::vector<std::string>{"a"});
  REQUIRE(second->list(records).ok());
  CHECK(ids(records) == std::vector<std::string>{"a", "b"});
  REQUIRE(first->remove_all().ok());
  REQUIRE(second->list(records).ok());
  CHECK(records.size() == 2);
}

TEST_CASE("sqlite store: count and list_each see every row, one at a time, and a failing visitor ends the listing",
          "[sqlite][crud]") {
  TempDir dir;
  FakeHost host;
  auto store = open_store(host, dir.file("jobs.sqlite"));
  std::size_t count = 99;
  REQUIRE(store->count(count).ok());
  CHECK(count == 0);
  REQUIRE(store->add(job("paused", std::nullopt)).ok());
  REQUIRE(store->add(job("later", 20)).ok());
  REQUIRE(store->add(job("sooner", 10)).ok());
  REQUIRE(store->count(count).ok());
  CHECK(count == 3);

  std::vector<std::string> visited;
  REQUIRE(store->list_each([&](sdk::JobRecord& record) { visited.push_back(record.id); }).ok());
  CHECK(visited == std::vector<std::string>{"sooner", "later", "paused"});

  visited.clear();
  sdk::Status failed = store->list_each([&](sdk::JobRecord& record) {
    visited.push_back(record.id);
    throw sdk::Error("the visitor gave up");
  });
  CHECK_FALSE(failed.ok());
  CHECK_THAT(failed.message, Catch::Contains("the visitor gave up"));
  CHECK(visited == std::vector<std::string>{"sooner"});
  // The read transaction was ended: the store writes and lists as before.
  REQUIRE(store->add(job("after", 5)).ok());
  REQUIRE(store->count(count).ok());
  CHECK(count == 4);
}

TEST_CASE("sqlite store: an add asks SQLite for no large temporary allocation", "[sqlite][crud]") {
  // UPDATE ... RETURNING ran through an ephemeral table whose 64 KB page cache SQLite
  // allocated and freed on every add; glibc then grew and trimmed its heap each time.
  TempDir dir;
  FakeHost host;
  auto store = open_store(host, dir.file("jobs.sqlite"));
  REQUIRE(store->add(job("warm-up", 1)).ok());
  sqlite3_int64 current = 0;
  sqlite3_int64 largest = 0;
  REQUIRE(sqlite3_status64(SQLITE_STATUS_MALLOC_SIZE, &current, &largest, /*reset=*/1) == SQLITE_OK);
  for (int i = 0; i < 20; ++i) REQUIRE(store->add(job("job-" + std::to_string(i), 10 + i)).ok());
  REQUIRE(sqlite3_status64(SQLITE_STATUS_MALLOC_SIZE, &current, &largest, /*reset=*/0) == SQLITE_OK);
  CHECK(largest > 0);  // SQLite counts its allocations (memory statistics are on)
  CHECK(largest < 16 * 1024);
}
