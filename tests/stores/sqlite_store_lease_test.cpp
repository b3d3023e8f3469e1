// acquire_due / release / hold / earliest_run_time: the lease protocol, with one owner,
// two owners on one store, and two store objects (two connections) on one file.
#include <catch2/catch.hpp>

#include "sqlite_test_support.h"

using namespace apsched;
using namespace apsched::testing::sqlite;
using apsched::testing::FakeHost;

namespace {

std::vector<std::string> acquire(SqliteStore& store, sdk::Timestamp now, const std::string& owner,
                                 sdk::Timestamp expires, std::size_t limit = 100) {
  std::vector<sdk::JobRecord> out;
  sdk::Status status = store.acquire_due(now, sdk::Lease{owner, expires}, limit, {}, out);
  INFO(describe(status));
  REQUIRE(status.ok());
  return ids(out);
}

std::optional<sdk::Timestamp> earliest(SqliteStore& store, sdk::Timestamp now, const std::string& owner = "A") {
  std::optional<sdk::Timestamp> out = -1;
  sdk::Status status = store.earliest_run_time(now, owner, out);
  INFO(describe(status));
  REQUIRE(status.ok());
  return out;
}

std::optional<sdk::Timestamp> next_run_time(SqliteStore& store, const std::string& id) {
  std::optional<sdk::JobRecord> got;
  REQUIRE(store.get(id, got).ok());
  REQUIRE(got);
  return got->next_run_time;
}

using Ids = std::vector<std::string>;

}  // namespace

TEST_CASE("sqlite store: acquire_due takes due records in order, up to the limit", "[sqlite][lease]") {
  TempDir dir;
  FakeHost host;
  auto store = open_store(host, dir.file("jobs.sqlite"));
  REQUIRE(store->add(job("later", 200)).ok());
  REQUIRE(store->add(job("b", 100)).ok());
  REQUIRE(store->add(job("a", 50)).ok());
  REQUIRE(store->add(job("c", 100)).ok());
  REQUIRE(store->add(job("paused", std::nullopt)).ok());

  CHECK(acquire(*store, 100, "A", 100'000, 0).empty());
  CHECK(acquire(*store, 100, "A", 100'000, 2) == Ids{"a", "b"});
  // Another owner sees only what A has not leased.
  CHECK(acquire(*store, 100, "B", 100'000) == Ids{"c"});
  CHECK(acquire(*store, 100, "B", 100'000) == Ids{"c"});  // its own lease it acquires again
  // A again: its own leases come back, B's do not.
  CHECK(acquire(*store, 100, "A", 100'000) == Ids{"a", "b"});
  // Paused and future records are never due.
  CHECK(acquire(*store, 10'000, "C", 20'000) == Ids{"later"});

  // The records themselves are unchanged by leasing (list sees everything).
  std::vector<sdk::JobRecord> records;
  REQUIRE(store->list(records).ok());
  CHECK(ids(records) == Ids{"a", "b", "c", "later", "paused"});
}

TEST_CASE("sqlite store: a lease ends at its expiry", "[sqlite][lease]") {
  TempDir dir;
  FakeHost host;
  auto store = open_store(host, dir.file("jobs.sqlite"));
  REQUIRE(store->add(job("a", 10)).ok());
  CHECK(acquire(*store, 100, "A", 500) == Ids{"a"});
  CHECK(acquire(*store, 499, "B", 900).empty());
  CHECK(acquire(*store, 500, "B", 900) == Ids{"a"});  // lease_expires > now is live; = now is over
  CHECK(acquire(*store, 600, "A", 1000).empty());      // now B's
  // A's late release is ignored: B holds it.
  REQUIRE(store->release("A", {sdk::Release{"a", 7777, false}}).ok());
  CHECK(next_run_time(*store, "a") == 10);
  REQUIRE(store->release("B", {sdk::Release{"a", 8888, false}}).ok());
  CHECK(next_run_time(*store, "a") == 8888);
}

TEST_CASE("sqlite store: release applies outcomes and drops leases in one call", "[sqlite][lease]") {
  TempDir dir;
  FakeHost host;
  auto store = open_store(host, dir.file("jobs.sqlite"));
  for (const char* id : {"again", "done", "pause", "modified", "removed", "foreign"})
    REQUIRE(store->add(job(id, 10)).ok());
  REQUIRE(acquire(*store, 10, "A", 1000, 5) == Ids{"again", "done", "pause", "modified", "removed"});
  REQUIRE(acquire(*store, 10, "B", 1000) == Ids{"foreign"});

  // Meanwhile the kernel modifies one job and removes another.
  REQUIRE(store->update(job("modified", 5000, "edited")).ok());
  REQUIRE(store->remove("removed").ok());

  std::vector<sdk::Release> outcomes{{"again", 20, false},       {"done", std::nullopt, true},
                                     {"pause", std::nullopt, false}, {"modified", 30, false},
                                     {"removed", 40, false},     {"foreign", 50, true},
                                     {"never-existed", 60, false}};
  REQUIRE(store->release("A", outcomes).ok());

  std::vector<sdk::JobRecord> records;
  REQUIRE(store->list(records).ok());
  CHECK(ids(records) == Ids{"foreign", "again", "modified", "pause"});
  CHECK(next_run_time(*store, "again") == 20);
  CHECK_FALSE(next_run_time(*store, "pause").has_value());
  CHECK(next_run_time(*store, "modified") == 5000);  // the modification wins
  CHECK(next_run_time(*store, "foreign") == 10);     // B's lease: untouched

  // Released records are free again for anyone.
  CHECK(acquire(*store, 20, "B", 2000) == Ids{"foreign", "again"});
  CHECK(store->release("A", {}).ok());
}

TEST_CASE("sqlite store: hold parks records under a lease", "[sqlite][lease]") {
  TempDir dir;
  FakeHost host(100);
  auto store = open_store(host, dir.file("jobs.sqlite"));
  REQUIRE(store->add(job("parked", 10)).ok());
  REQUIRE(store->add(job("other", 20)).ok());
  REQUIRE(acquire(*store, 100, "A", 150) == Ids{"parked", "other"});
  REQUIRE(store->hold({"parked", "no-such-job"}, sdk::Lease{"A", 5000}).ok());
  REQUIRE(store->release("A", {{"other", 3000, false}}).ok());

  CHECK(acquire(*store, 200, "B", 900).empty());  // parked is held until 5000
  CHECK(earliest(*store, 200) == 3000);
  CHECK(acquire(*store, 5000, "B", 9000) == Ids{"parked", "other"});

  // B's live lease cannot be taken over by A's hold.
  host.set_now(5100);
  REQUIRE(store->hold({"parked"}, sdk::Lease{"A", 99'999}).ok());
  CHECK(acquire(*store, 8000, "A", 10'000).empty());
  // Once B's lease has expired (host clock), A's hold applies.
  host.set_now(9000);
  REQUIRE(store->hold({"parked"}, sdk::Lease{"A", 99'999}).ok());
  CHECK(acquire(*store, 9000, "B", 10'000) == Ids{"other"});

  // A hold on a free record works too, and the holder can release it.
  REQUIRE(store->add(job("fresh", 1)).ok());
  REQUIRE(store->hold({"fresh"}, sdk::Lease{"C", 50'000}).ok());
  CHECK(acquire(*store, 10'000, "D", 60'000) == Ids{"other"});  // B's lease ended at 10'000
  REQUIRE(store->release("C", {{"fresh", 2, false}}).ok());
  CHECK(acquire(*store, 10'000, "D", 60'000) == Ids{"fresh", "other"});
}

TEST_CASE("sqlite store: earliest_run_time skips leased records and reports when they come back",
          "[sqlite][lease]") {
  TempDir dir;
  FakeHost host;
  auto store = open_store(host, dir.file("jobs.sqlite"));
  CHECK_FALSE(earliest(*store, 0).has_value());
  REQUIRE(store->add(job("paused", std::nullopt)).ok());
  CHECK_FALSE(earliest(*store, 0).has_value());

  REQUIRE(store->add(job("a", 100)).ok());
  REQUIRE(store->add(job("b", 300)).ok());
  CHECK(earliest(*store, 0) == 100);
  CHECK(earliest(*store, 1000) == 100);  // past-due times are reported as they are

  // Leased (by anyone, the asker included): not a candidate; its lease expiry is.
  REQUIRE(acquire(*store, 100, "A", 250) == Ids{"a"});
  CHECK(earliest(*store, 100, "A") == 250);
  CHECK(earliest(*store, 100, "B") == 250);
  // A lease expiring after the next free record: that record is earlier.
  REQUIRE(store->hold({"a"}, sdk::Lease{"A", 400}).ok());
  CHECK(earliest(*store, 100) == 300);
  // A leased record not due before its lease ends reports its own time.
  REQUIRE(store->update(job("b", 900)).ok());
  REQUIRE(store->hold({"b"}, sdk::Lease{"A", 500}).ok());
  CHECK(earliest(*store, 100) == 400);   // a: max(100, 400)
  CHECK(earliest(*store, 450) == 100);   // a's lease is over: a is due again
  REQUIRE(store->release("A", {{"a", 2000, false}}).ok());
  CHECK(earliest(*store, 450) == 900);   // b: max(900, 500)
  CHECK(earliest(*store, 600) == 900);   // b's lease is over
}

TEST_CASE("sqlite store: two store objects on one file share leases", "[sqlite][lease]") {
  TempDir dir;
  FakeHost host;
  auto first = open_store(host, dir.file("jobs.sqlite"));
  auto second = open_store(host, dir.file("jobs.sqlite"));
  for (int i = 0; i < 6; ++i) REQUIRE(first->add(job("job" + std::to_string(i), 10 + i)).ok());

  CHECK(acquire(*first, 100, "host-1", 1000, 3) == Ids{"job0", "job1", "job2"});
  CHECK(acquire(*second, 100, "host-2", 1000) == Ids{"job3", "job4", "job5"});
  CHECK(acquire(*first, 100, "host-1", 1000, 10) == Ids{"job0", "job1", "job2"});
  CHECK(earliest(*second, 100, "host-2") == 1000);

  REQUIRE(second->release("host-2", {{"job3", 5000, false}, {"job4", std::nullopt, true}}).ok());
  REQUIRE(first->release("host-1", {{"job0", 4000, false}}).ok());
  std::vector<sdk::JobRecord> records;
  REQUIRE(first->list(records).ok());
  CHECK(ids(records) == Ids{"job1", "job2", "job5", "job0", "job3"});
  CHECK(earliest(*first, 100) == 1000);
  CHECK(earliest(*first, 1000) == 11);  // the remaining leases expired
}

TEST_CASE("sqlite store: parking a job under a second owner of the same scheduler", "[sqlite][lease]") {
  // A scheduler acquires as "I" and parks jobs it cannot run as "I/waiting", so that its
  // own acquire_due skips them. hold() never takes over another owner's live lease, so
  // the parked job must first be released (unchanged) by "I"; both calls are batches.
  TempDir dir;
  FakeHost host(100);
  auto store = open_store(host, dir.file("jobs.sqlite"));
  REQUIRE(store->add(job("waits", 10)).ok());
  REQUIRE(acquire(*store, 100, "I", 60'000'000) == Ids{"waits"});

  REQUIRE(store->hold({"waits"}, sdk::Lease{"I/waiting", 5000}).ok());
  CHECK(acquire(*store, 200, "I", 60'000'000) == Ids{"waits"});  // still I's: not parked

  REQUIRE(store->release("I", {{"waits", 10, false}}).ok());
  REQUIRE(store->hold({"waits"}, sdk::Lease{"I/waiting", 5000}).ok());
  CHECK(acquire(*store, 200, "I", 60'000'000).empty());  // parked
  CHECK(earliest(*store, 200, "I") == 5000);             // retried when the parking ends
  CHECK(acquire(*store, 5000, "I", 60'000'000) == Ids{"waits"});
}
