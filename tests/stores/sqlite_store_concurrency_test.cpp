// Concurrent use from several threads (run it under ThreadSanitizer too): one store
// object shared by threads, and several store objects (connections) on one file.
#include <atomic>
#include <catch2/catch.hpp>
#include <mutex>
#include <thread>

#include "sqlite_test_support.h"

using namespace apsched;
using namespace apsched::testing::sqlite;
using apsched::testing::FakeHost;

namespace {

constexpr int kWorkers = 4;
constexpr int kJobsPerWorker = 40;
constexpr sdk::Timestamp kFuture = 1'000'000'000;

std::string job_id(int worker, int n) { return "w" + std::to_string(worker) + "-" + std::to_string(n); }

/** Failures seen by the threads (Catch2's macros are for the main thread only). */
class Failures {
 public:
  void expect_ok(const sdk::Status& status) {
    if (!status.ok()) add(describe(status));
  }
  void add(const std::string& what) {
    std::lock_guard lock(mutex_);
    if (count_++ == 0) first_ = what;
  }
  int count() const {
    std::lock_guard lock(mutex_);
    return count_;
  }
  std::string first() const {
    std::lock_guard lock(mutex_);
    return first_;
  }

 private:
  mutable std::mutex mutex_;
  int count_ = 0;
  std::string first_;
};

/**
 * Each worker adds its jobs (due at once), updates each twice, removes every third, and
 * finally reschedules the rest far in the future. Meanwhile a scheduler thread keeps
 * acquiring due jobs and releasing them with a new due time, and a reader lists. Every
 * worker's last word must win: a release for a job updated meanwhile is ignored.
 */
void worker(SqliteStore& store, int w, Failures& failures) {
  auto expect_ok = [&](const sdk::Status& status) { failures.expect_ok(status); };
  for (int n = 0; n < kJobsPerWorker; ++n) expect_ok(store.add(job(job_id(w, n), n, sdk::Value::List{w, n, 0})));
  for (int version = 1; version <= 2; ++version)
    for (int n = 0; n < kJobsPerWorker; ++n)
      expect_ok(store.update(job(job_id(w, n), n, sdk::Value::List{w, n, version})));
  for (int n = 0; n < kJobsPerWorker; n += 3) expect_ok(store.remove(job_id(w, n)));
  for (int n = 0; n < kJobsPerWorker; ++n)
    if (n % 3 != 0) expect_ok(store.update(job(job_id(w, n), kFuture + n, sdk::Value::List{w, n, 3})));
}

void scheduler(SqliteStore& store, const std::string& owner, std::atomic<bool>& stop, Failures& failures) {
  sdk::Timestamp now = 1000;
  while (!stop) {
    std::vector<sdk::JobRecord> due;
    failures.expect_ok(store.acquire_due(now, sdk::Lease{owner, now + 1}, 50, {}, due));
    std::vector<sdk::Release> outcomes;
    for (const auto& record : due) outcomes.push_back({record.id, now, false});
    failures.expect_ok(store.release(owner, outcomes));
    std::optional<sdk::Timestamp> earliest;
    failures.expect_ok(store.earliest_run_time(now, owner, earliest));
    ++now;
  }
}

void reader(SqliteStore& store, std::atomic<bool>& stop, Failures& failures) {
  while (!stop) {
    std::vector<sdk::JobRecord> records;
    failures.expect_ok(store.list(records));
    for (const auto& r : records)
      if (!r.decode_error.empty()) failures.add(r.decode_error);
    std::optional<sdk::JobRecord> got;
    failures.expect_ok(store.get(job_id(0, 1), got));
  }
}

void check_final_state(SqliteStore& store) {
  std::vector<sdk::JobRecord> records;
  REQUIRE(store.list(records).ok());
  std::size_t expected = 0;
  for (int w = 0; w < kWorkers; ++w)
    for (int n = 0; n < kJobsPerWorker; ++n) {
      if (n % 3 == 0) continue;
      ++expected;
      std::optional<sdk::JobRecord> got;
      REQUIRE(store.get(job_id(w, n), got).ok());
      INFO(job_id(w, n));
      REQUIRE(got);
      CHECK(got->next_run_time == kFuture + n);
      CHECK(*got->document.find("payload") == sdk::Value(sdk::Value::List{w, n, 3}));
    }
  CHECK(records.size() == expected);
}

}  // namespace

TEST_CASE("sqlite store: one store object used from several threads loses no update", "[sqlite][threads]") {
  TempDir dir;
  FakeHost host;
  auto store = open_store(host, dir.file("jobs.sqlite"));
  std::atomic<bool> stop{false};
  Failures failures;
  std::thread scheduler_thread(scheduler, std::ref(*store), "A", std::ref(stop), std::ref(failures));
  std::thread reader_thread(reader, std::ref(*store), std::ref(stop), std::ref(failures));
  std::vector<std::thread> workers;
  for (int w = 0; w < kWorkers; ++w) workers.emplace_back(worker, std::ref(*store), w, std::ref(failures));
  for (auto& t : workers) t.join();
  stop = true;
  scheduler_thread.join();
  reader_thread.join();
  INFO(failures.first());
  CHECK(failures.count() == 0);
  check_final_state(*store);
}

TEST_CASE("sqlite store: several connections on one file from several threads", "[sqlite][threads]") {
  TempDir dir;
  FakeHost host;
  const std::string path = dir.file("jobs.sqlite");
  // One store object per worker, plus two schedulers with different owners and a reader,
  // as several processes sharing the file would be.
  std::vector<std::unique_ptr<SqliteStore>> stores;
  for (int i = 0; i < kWorkers + 3; ++i) stores.push_back(open_store(host, path, {{"busy_timeout", 30}}));
  std::atomic<bool> stop{false};
  Failures failures;
  std::thread scheduler_a(scheduler, std::ref(*stores[kWorkers]), "A", std::ref(stop), std::ref(failures));
  std::thread scheduler_b(scheduler, std::ref(*stores[kWorkers + 1]), "B", std::ref(stop), std::ref(failures));
  std::thread reader_thread(reader, std::ref(*stores[kWorkers + 2]), std::ref(stop), std::ref(failures));
  std::vector<std::thread> workers;
  for (int w = 0; w < kWorkers; ++w) workers.emplace_back(worker, std::ref(*stores[w]), w, std::ref(failures));
  for (auto& t : workers) t.join();
  stop = true;
  scheduler_a.join();
  scheduler_b.join();
  reader_thread.join();
  INFO(failures.first());
  CHECK(failures.count() == 0);
  check_final_state(*stores[0]);
}
