// MemoryStore: the JobStore contract of store.h, in memory.
#include <stores/memory/memory.h>

#include <algorithm>
#include <atomic>
#include <map>
#include <random>
#include <thread>
#include <vector>

#include "fake_host.h"
#include "test_support.h"

using apsched::sdk::Code;
using apsched::sdk::Held;
using apsched::sdk::JobRecord;
using apsched::sdk::Lease;
using apsched::sdk::Release;
using apsched::sdk::Status;
using apsched::sdk::Timestamp;
using apsched::sdk::Value;
using apsched::stores::MemoryStore;
using apsched::testing::error_of;
using apsched::testing::FakeHost;

namespace {

JobRecord job(std::string id, std::optional<Timestamp> next, Value document = {}) {
  JobRecord r;
  r.id = std::move(id);
  r.next_run_time = next;
  r.document = document.is_null() ? Value(Value::Map{{"id", r.id}}) : std::move(document);
  return r;
}

struct Fixture {
  FakeHost host{1000};
  MemoryStore store{host, Value::Map{{"type", "memory"}}};
  Fixture() { REQUIRE(store.start().ok()); }

  std::vector<std::string> ids() {
    std::vector<JobRecord> all;
    REQUIRE(store.list(all).ok());
    std::vector<std::string> out;
    for (auto& r : all) out.push_back(r.id);
    return out;
  }
  std::vector<std::string> acquire(Timestamp now, const std::string& owner, Timestamp expires,
                                   std::size_t limit = 100) {
    std::vector<JobRecord> got;
    REQUIRE(store.acquire_due(now, Lease{owner, expires}, limit, {}, got).ok());
    std::vector<std::string> out;
    for (auto& r : got) out.push_back(r.id);
    return out;
  }
  std::optional<Timestamp> earliest(Timestamp now, const std::string& owner = "me") {
    std::optional<Timestamp> out;
    REQUIRE(store.earliest_run_time(now, owner, out).ok());
    return out;
  }
  std::optional<Timestamp> next_of(const std::string& id) {
    std::optional<JobRecord> r;
    REQUIRE(store.get(id, r).ok());
    REQUIRE(r.has_value());
    return r->next_run_time;
  }
};

using Ids = std::vector<std::string>;

}  // namespace

TEST_CASE("memory: add, get, update, remove", "[memory]") {
  Fixture f;
  REQUIRE(f.store.add(job("a", 10, Value::Map{{"func", "example_jobs:tick"}})).ok());
  std::optional<JobRecord> got;
  REQUIRE(f.store.get("a", got).ok());
  REQUIRE(got);
  CHECK(got->id == "a");
  CHECK(got->next_run_time == 10);
  CHECK(got->document == Value(Value::Map{{"func", "example_jobs:tick"}}));
  CHECK(got->decode_error.empty());

  REQUIRE(f.store.update(job("a", std::nullopt, Value::Map{{"func", "example_jobs:noop"}})).ok());
  REQUIRE(f.store.get("a", got).ok());
  CHECK_FALSE(got->next_run_time.has_value());
  CHECK(got->document == Value(Value::Map{{"func", "example_jobs:noop"}}));

  REQUIRE(f.store.remove("a").ok());
  REQUIRE(f.store.get("a", got).ok());
  CHECK_FALSE(got.has_value());
  CHECK(f.store.size() == 0);
}

// The index's buckets start small and double as records come: every record must be found
// by its id across the growths, and updates and removals must leave the rest findable.
TEST_CASE("memory: thousands of records are each found by id while the index grows, updates and removes",
          "[memory]") {
  Fixture f;
  constexpr int kJobs = 5000;
  auto id_of = [](int i) { return "job-" + std::to_string(i); };
  for (int i = 0; i < kJobs; ++i) REQUIRE(f.store.add(job(id_of(i), i)).ok());
  CHECK(f.store.size() == kJobs);
  for (int i = 0; i < kJobs; i += 2) REQUIRE(f.store.update(job(id_of(i), kJobs + i)).ok());
  for (int i = 0; i < kJobs; i += 3) REQUIRE(f.store.remove(id_of(i)).ok());
  for (int i = 0; i < kJobs; ++i) {
    std::optional<JobRecord> got;
    REQUIRE(f.store.get(id_of(i), got).ok());
    INFO(id_of(i));
    if (i % 3 == 0) {
      CHECK_FALSE(got.has_value());
    } else {
      REQUIRE(got.has_value());
      CHECK(got->next_run_time == (i % 2 == 0 ? kJobs + i : i));
    }
  }
  CHECK(f.store.add(job(id_of(1), 1)).code == Code::already_exists);
  REQUIRE(f.store.remove_all().ok());
  CHECK(f.store.size() == 0);
  REQUIRE(f.store.add(job(id_of(1), 1)).ok());  // ids are free again
}

TEST_CASE("memory: duplicate ids and absent ids are reported", "[memory]") {
  Fixture f;
  REQUIRE(f.store.add(job("a", 10)).ok());
  Status s = f.store.add(job("a", 20));
  CHECK(s.code == Code::already_exists);
  CHECK_THAT(s.message, Catch::Contains("'a'"));
  CHECK(f.next_of("a") == 10);  // unchanged

  s = f.store.update(job("b", 20));
  CHECK(s.code == Code::not_found);
  CHECK_THAT(s.message, Catch::Contains("'b'"));
  s = f.store.remove("b");
  CHECK(s.code == Code::not_found);
  std::optional<JobRecord> got = job("stale", 1);
  REQUIRE(f.store.get("b", got).ok());
  CHECK_FALSE(got.has_value());
}

TEST_CASE("memory: list is ordered by next_run_time, then insertion, paused last", "[memory]") {
  Fixture f;
  REQUIRE(f.store.add(job("p1", std::nullopt)).ok());
  REQUIRE(f.store.add(job("t30", 30)).ok());
  REQUIRE(f.store.add(job("t10-first", 10)).ok());
  REQUIRE(f.store.add(job("p2", std::nullopt)).ok());
  REQUIRE(f.store.add(job("t10-second", 10)).ok());
  REQUIRE(f.store.add(job("t-5", -5)).ok());
  CHECK(f.ids() == Ids{"t-5", "t10-first", "t10-second", "t30", "p1", "p2"});

  // update moves by time but keeps the insertion sequence for ties
  REQUIRE(f.store.update(job("t10-first", 30)).ok());
  REQUIRE(f.store.update(job("p2", 10)).ok());
  REQUIRE(f.store.update(job("t-5", std::nullopt)).ok());
  CHECK(f.ids() == Ids{"p2", "t10-second", "t30", "t10-first", "p1", "t-5"});
}

TEST_CASE("memory: count and list_each see every record in order, and a failing visitor ends the listing",
          "[memory]") {
  Fixture f;
  std::size_t count = 99;
  REQUIRE(f.store.count(count).ok());
  CHECK(count == 0);
  REQUIRE(f.store.add(job("paused", std::nullopt)).ok());
  REQUIRE(f.store.add(job("later", 20)).ok());
  REQUIRE(f.store.add(job("sooner", 10)).ok());
  CHECK(f.acquire(10, "me", 100) == Ids{"sooner"});
  REQUIRE(f.store.count(count).ok());
  CHECK(count == 3);

  Ids visited;
  REQUIRE(f.store.list_each([&](JobRecord& record) { visited.push_back(record.id); }).ok());
  CHECK(visited == Ids{"sooner", "later", "paused"});  // the leased one in its place

  visited.clear();
  Status failed = f.store.list_each([&](JobRecord& record) {
    visited.push_back(record.id);
    throw apsched::sdk::Error("the visitor gave up");
  });
  CHECK_FALSE(failed.ok());
  CHECK_THAT(failed.message, Catch::Contains("the visitor gave up"));
  CHECK(visited == Ids{"sooner"});
  CHECK(f.ids() == Ids{"sooner", "later", "paused"});
}

TEST_CASE("memory: remove_all empties the store, ids can be reused", "[memory]") {
  Fixture f;
  for (int i = 0; i < 10; ++i) REQUIRE(f.store.add(job("j" + std::to_string(i), i)).ok());
  REQUIRE(f.acquire(5, "me", 100).size() == 6);
  REQUIRE(f.store.remove_all().ok());
  CHECK(f.store.size() == 0);
  CHECK(f.store.leased_count() == 0);
  CHECK(f.ids().empty());
  CHECK_FALSE(f.earliest(0).has_value());
  REQUIRE(f.store.add(job("j1", 1)).ok());
  CHECK(f.ids() == Ids{"j1"});
}

TEST_CASE("memory: acquire_due takes due records in order, up to the limit", "[memory][lease]") {
  Fixture f;
  REQUIRE(f.store.add(job("c", 30)).ok());
  REQUIRE(f.store.add(job("a", 10)).ok());
  REQUIRE(f.store.add(job("b", 20)).ok());
  REQUIRE(f.store.add(job("later", 31)).ok());
  REQUIRE(f.store.add(job("paused", std::nullopt)).ok());

  std::vector<JobRecord> got;
  REQUIRE(f.store.acquire_due(30, Lease{"me", 100}, 2, {}, got).ok());
  REQUIRE(got.size() == 2);
  CHECK(got[0].id == "a");
  CHECK(got[0].next_run_time == 10);
  CHECK(got[0].document == Value(Value::Map{{"id", "a"}}));
  CHECK(got[1].id == "b");
  CHECK(f.acquire(30, "me", 100) == Ids{"a", "b", "c"});  // own leases are taken again
  CHECK(f.acquire(30, "me", 100, 0).empty());
  // list and get still see everything
  CHECK(f.ids() == Ids{"a", "b", "c", "later", "paused"});
}

TEST_CASE("memory: a live lease of another owner hides the record until it expires", "[memory][lease]") {
  Fixture f;
  REQUIRE(f.store.add(job("a", 10)).ok());
  REQUIRE(f.store.add(job("b", 20)).ok());
  CHECK(f.acquire(50, "host-1", 100) == Ids{"a", "b"});
  CHECK(f.acquire(50, "host-2", 200).empty());
  CHECK(f.acquire(99, "host-2", 200).empty());
  // At expiry the lease is no longer live (live while expires > now).
  CHECK(f.acquire(100, "host-2", 200) == Ids{"a", "b"});
  CHECK(f.acquire(150, "host-1", 300).empty());
}

TEST_CASE("memory: acquire_due merges leased and unleased records in order", "[memory][lease]") {
  Fixture f;
  for (int i = 1; i <= 6; ++i) REQUIRE(f.store.add(job("j" + std::to_string(i), i * 10)).ok());
  CHECK(f.acquire(20, "other", 1000) == Ids{"j1", "j2"});
  CHECK(f.acquire(40, "me", 50) == Ids{"j3", "j4"});
  // j1, j2 held by "other" (live), j3, j4 by "me"; j5, j6 free.
  CHECK(f.acquire(60, "me", 70) == Ids{"j3", "j4", "j5", "j6"});
  CHECK(f.acquire(1000, "me", 2000) == Ids{"j1", "j2", "j3", "j4", "j5", "j6"});
}

TEST_CASE("memory: release applies outcomes of the owner and clears the lease", "[memory][lease]") {
  Fixture f;
  REQUIRE(f.store.add(job("again", 10)).ok());
  REQUIRE(f.store.add(job("done", 10)).ok());
  REQUIRE(f.store.add(job("pause", 10)).ok());
  REQUIRE(f.acquire(10, "me", 100).size() == 3);
  REQUIRE(f.store.release("me", {Release{"again", 40, false}, Release{"done", std::nullopt, true},
                                 Release{"pause", std::nullopt, false}, Release{"ghost", 5, false}})
              .ok());
  CHECK(f.ids() == Ids{"again", "pause"});
  CHECK(f.next_of("again") == 40);
  CHECK_FALSE(f.next_of("pause").has_value());
  CHECK(f.store.leased_count() == 0);
  CHECK(f.acquire(40, "someone", 100) == Ids{"again"});
}

TEST_CASE("memory: release by another owner, or after a modification, is ignored", "[memory][lease]") {
  Fixture f;
  REQUIRE(f.store.add(job("a", 10)).ok());
  REQUIRE(f.store.add(job("b", 10)).ok());
  REQUIRE(f.store.add(job("c", 10)).ok());
  REQUIRE(f.acquire(10, "me", 100).size() == 3);

  REQUIRE(f.store.release("intruder", {Release{"a", 99, false}, Release{"b", std::nullopt, true}}).ok());
  CHECK(f.next_of("a") == 10);
  CHECK(f.ids().size() == 3);

  // The user modifies b and c while they run: the stale outcome must not win.
  REQUIRE(f.store.update(job("b", 500, Value::Map{{"modified", true}})).ok());
  REQUIRE(f.store.update(job("c", 600)).ok());
  REQUIRE(f.store.release("me", {Release{"a", 20, false}, Release{"b", 20, false}, Release{"c", std::nullopt, true}})
              .ok());
  CHECK(f.next_of("a") == 20);
  CHECK(f.next_of("b") == 500);
  CHECK(f.next_of("c") == 600);

  // Removed meanwhile: nothing to do.
  REQUIRE(f.acquire(20, "me", 100) == Ids{"a"});
  REQUIRE(f.store.remove("a").ok());
  REQUIRE(f.store.release("me", {Release{"a", 30, false}}).ok());
  CHECK(f.ids() == Ids{"b", "c"});
}

TEST_CASE("memory: release still applies after the owner's lease expired if nobody took it", "[memory][lease]") {
  Fixture f;
  REQUIRE(f.store.add(job("slow", 10)).ok());
  REQUIRE(f.acquire(10, "me", 20) == Ids{"slow"});
  REQUIRE(f.store.release("me", {Release{"slow", 70, false}}).ok());
  CHECK(f.next_of("slow") == 70);

  // ...but not once another owner acquired it.
  REQUIRE(f.acquire(70, "me", 80) == Ids{"slow"});
  REQUIRE(f.acquire(90, "other", 200) == Ids{"slow"});
  REQUIRE(f.store.release("me", {Release{"slow", 1000, false}}).ok());
  CHECK(f.next_of("slow") == 70);
  REQUIRE(f.store.release("other", {Release{"slow", 130, false}}).ok());
  CHECK(f.next_of("slow") == 130);
}

TEST_CASE("memory: earliest_run_time of unleased records, and paused ones do not count", "[memory][earliest]") {
  Fixture f;
  CHECK_FALSE(f.earliest(0).has_value());
  REQUIRE(f.store.add(job("paused", std::nullopt)).ok());
  CHECK_FALSE(f.earliest(0).has_value());
  REQUIRE(f.store.add(job("b", 50)).ok());
  REQUIRE(f.store.add(job("a", 40)).ok());
  CHECK(f.earliest(0) == 40);
  CHECK(f.earliest(1000) == 40);  // due in the past: still reported
  REQUIRE(f.store.remove("a").ok());
  CHECK(f.earliest(0) == 50);
}

TEST_CASE("memory: earliest_run_time skips live leases of any owner and offers their expiry",
          "[memory][earliest]") {
  Fixture f;
  REQUIRE(f.store.add(job("due", 10)).ok());
  REQUIRE(f.store.add(job("later", 500)).ok());
  REQUIRE(f.acquire(10, "me", 100) == Ids{"due"});
  // Leased by the caller itself: it must not keep the caller waking; the lease's
  // expiry is when it can be acquired again.
  CHECK(f.earliest(10, "me") == 100);
  CHECK(f.earliest(10, "other") == 100);
  // Parked with hold() until 300.
  REQUIRE(f.store.hold({"due"}, Lease{"me", 300}).ok());
  CHECK(f.earliest(10, "me") == 300);
  // After the lease expired the record counts with its own run time again.
  CHECK(f.earliest(300, "me") == 10);
  // A lease expiring before the record's run time offers the run time.
  REQUIRE(f.store.release("me", {Release{"due", 700, false}}).ok());
  CHECK(f.earliest(10) == 500);
  REQUIRE(f.store.hold({"due", "later"}, Lease{"me", 600}).ok());
  CHECK(f.earliest(10) == 600);
  REQUIRE(f.store.hold({"later"}, Lease{"me", 400}).ok());
  CHECK(f.earliest(10) == 500);  // max(500, 400)
}

TEST_CASE("memory: earliest_run_time with many leased records stays exact", "[memory][earliest]") {
  Fixture f;
  std::vector<std::string> all;
  for (int i = 0; i < 50; ++i) {
    all.push_back("j" + std::to_string(i));
    REQUIRE(f.store.add(job(all.back(), i)).ok());
  }
  REQUIRE(f.store.add(job("free", 1000)).ok());
  REQUIRE(f.acquire(49, "me", 2000).size() == 50);
  CHECK(f.earliest(49) == 1000);
  // Expire a few leases at different times.
  REQUIRE(f.store.hold({"j30"}, Lease{"me", 60}).ok());
  REQUIRE(f.store.hold({"j20"}, Lease{"me", 70}).ok());
  CHECK(f.earliest(49) == 60);
  CHECK(f.earliest(65) == 30);  // j30's lease expired: its run time 30
  CHECK(f.earliest(70) == 20);  // j20's too
}

TEST_CASE("memory: hold sets leases, but not over another owner's live lease", "[memory][lease]") {
  Fixture f;  // host.now() == 1000
  REQUIRE(f.store.add(job("a", 10)).ok());
  REQUIRE(f.store.add(job("b", 10)).ok());
  REQUIRE(f.store.hold({"a", "missing"}, Lease{"me", 2000}).ok());
  CHECK(f.acquire(1000, "other", 3000) == Ids{"b"});
  REQUIRE(f.store.hold({"b"}, Lease{"me", 5000}).ok());  // b is other's: refused
  CHECK(f.acquire(1500, "me", 3000) == Ids{"a"});
  f.host.set_now(3000);  // other's lease on b has expired
  REQUIRE(f.store.hold({"b"}, Lease{"me", 5000}).ok());
  CHECK(f.acquire(3500, "other", 6000) == Ids{"a"});
  // A held record can be released by its holder.
  REQUIRE(f.store.release("me", {Release{"b", 9000, false}}).ok());
  CHECK(f.next_of("b") == 9000);
}

TEST_CASE("memory: paused records are never due, also when leased", "[memory][lease]") {
  Fixture f;
  REQUIRE(f.store.add(job("p", std::nullopt)).ok());
  REQUIRE(f.store.hold({"p"}, Lease{"me", 2000}).ok());
  CHECK(f.acquire(std::numeric_limits<Timestamp>::max(), "me", 0).empty());
  CHECK_FALSE(f.earliest(0).has_value());
  REQUIRE(f.store.remove("p").ok());
  CHECK(f.store.leased_count() == 0);
}

TEST_CASE("memory: configuration other than type is refused", "[memory][config]") {
  FakeHost host;
  auto e = error_of([&] { MemoryStore(host, Value::Map{{"type", "memory"}, {"path", "x.db"}}); });
  CHECK(e.field() == "path");
  CHECK_THAT(e.what(), Catch::Contains("unknown key 'path' in memory job store"));
  CHECK_NOTHROW(MemoryStore(host, Value()));
}

// A random sequence of operations against a simple model of the contract.
TEST_CASE("memory: random operations match a reference model", "[memory][model]") {
  struct ModelJob {
    std::string id;
    std::optional<Timestamp> next;
    std::uint64_t seq;
    std::string owner;  // empty: no lease
    Timestamp expires = 0;
  };
  std::vector<ModelJob> model;
  std::uint64_t seq = 0;
  auto find = [&](const std::string& id) {
    return std::find_if(model.begin(), model.end(), [&](auto& j) { return j.id == id; });
  };
  auto ordered = [&] {
    std::vector<ModelJob> sorted = model;
    std::sort(sorted.begin(), sorted.end(), [](auto& a, auto& b) {
      if (a.next.has_value() != b.next.has_value()) return a.next.has_value();
      if (a.next != b.next) return *a.next < *b.next;
      return a.seq < b.seq;
    });
    return sorted;
  };

  Fixture f;
  std::mt19937 rng(12345);
  auto pick = [&](int n) { return static_cast<int>(rng() % static_cast<unsigned>(n)); };
  const std::string owners[] = {"h1", "h2"};
  for (int step = 0; step < 4000; ++step) {
    std::string id = "j" + std::to_string(pick(40));
    std::optional<Timestamp> next;
    if (pick(6) != 0) next = pick(100);
    Timestamp now = pick(120);
    const std::string& owner = owners[pick(2)];
    INFO("step " << step);
    switch (pick(8)) {
      case 0: {
        Status s = f.store.add(job(id, next));
        if (find(id) == model.end()) {
          REQUIRE(s.ok());
          model.push_back({id, next, seq++, "", 0});
        } else {
          REQUIRE(s.code == Code::already_exists);
        }
        break;
      }
      case 1: {
        Status s = f.store.update(job(id, next));
        auto it = find(id);
        if (it == model.end()) {
          REQUIRE(s.code == Code::not_found);
        } else {
          REQUIRE(s.ok());
          it->next = next;
          it->owner.clear();
        }
        break;
      }
      case 2: {
        Status s = f.store.remove(id);
        auto it = find(id);
        REQUIRE(s.ok() == (it != model.end()));
        if (it != model.end()) model.erase(it);
        break;
      }
      case 3: {
        std::size_t limit = static_cast<std::size_t>(pick(5));
        Timestamp expires = now + pick(50);
        Ids expected;
        for (auto& j : ordered()) {
          if (expected.size() >= limit) break;
          if (!j.next || *j.next > now) continue;
          if (!j.owner.empty() && j.expires > now && j.owner != owner) continue;
          expected.push_back(j.id);
        }
        for (auto& e : expected) {
          auto it = find(e);
          it->owner = owner;
          it->expires = expires;
        }
        REQUIRE(f.acquire(now, owner, expires, limit) == expected);
        break;
      }
      case 4: {
        bool remove = pick(4) == 0;
        REQUIRE(f.store.release(owner, {Release{id, next, remove}}).ok());
        auto it = find(id);
        if (it != model.end() && it->owner == owner) {
          if (remove) {
            model.erase(it);
          } else {
            it->next = next;
            it->owner.clear();
          }
        }
        break;
      }
      case 5: {
        // Several ids, in any order, repeats and absent ones included.
        f.host.set_now(now);
        Timestamp expires = now + pick(50);
        std::vector<std::string> ids{id};
        for (int extra = pick(4); extra > 0; --extra) ids.push_back("j" + std::to_string(pick(40)));
        REQUIRE(f.store.hold(ids, Lease{owner, expires}).ok());
        for (const auto& held : ids) {
          auto it = find(held);
          if (it != model.end() && !(!it->owner.empty() && it->expires > now && it->owner != owner)) {
            it->owner = owner;
            it->expires = expires;
          }
        }
        break;
      }
      case 6: {
        std::optional<Timestamp> expected;
        for (auto& j : model) {
          if (!j.next) continue;
          Timestamp t = (!j.owner.empty() && j.expires > now) ? std::max(*j.next, j.expires) : *j.next;
          if (!expected || t < *expected) expected = t;
        }
        REQUIRE(f.earliest(now, owner) == expected);
        break;
      }
      default: {
        Ids expected;
        for (auto& j : ordered()) expected.push_back(j.id);
        REQUIRE(f.ids() == expected);
        std::optional<JobRecord> got;
        REQUIRE(f.store.get(id, got).ok());
        auto it = find(id);
        REQUIRE(got.has_value() == (it != model.end()));
        if (got) REQUIRE(got->next_run_time == it->next);
        break;
      }
    }
    REQUIRE(f.store.size() == model.size());
    REQUIRE(f.store.leased_count() ==
            static_cast<std::size_t>(std::count_if(model.begin(), model.end(), [](auto& j) { return !j.owner.empty(); })));
  }
}

TEST_CASE("memory: concurrent callers are safe (internally locked)", "[memory][threads]") {
  Fixture f;
  constexpr int kThreads = 4;
  constexpr int kJobs = 300;
  std::vector<std::thread> threads;
  std::atomic<int> acquired{0};
  std::atomic<int> failures{0};  // (Catch assertions are for the main thread only)
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      std::string owner = "owner" + std::to_string(t);
      for (int i = 0; i < kJobs; ++i) {
        std::string id = owner + "-" + std::to_string(i);
        if (!f.store.add(job(id, i)).ok()) ++failures;
        std::vector<JobRecord> got;
        if (!f.store.acquire_due(i, Lease{owner, 1'000'000}, 10, {}, got).ok()) ++failures;
        acquired += static_cast<int>(got.size());
        std::vector<Release> releases;
        for (auto& r : got)
          if (r.id.rfind(owner, 0) == 0) releases.push_back(Release{r.id, std::nullopt, false});
        if (!f.store.release(owner, releases).ok()) ++failures;
        std::optional<Timestamp> earliest;
        if (!f.store.earliest_run_time(i, owner, earliest).ok()) ++failures;
      }
    });
  }
  for (auto& t : threads) t.join();
  CHECK(failures == 0);
  CHECK(f.store.size() == kThreads * kJobs);
  CHECK(acquired.load() > 0);
  std::vector<JobRecord> all;
  REQUIRE(f.store.list(all).ok());
  CHECK(all.size() == kThreads * kJobs);
}

TEST_CASE("memory: a revision is new on every add and update, and kept by leases and releases", "[memory]") {
  Fixture f;
  auto revision_of = [&](const std::string& id) {
    std::optional<JobRecord> r;
    REQUIRE(f.store.get(id, r).ok());
    REQUIRE(r);
    return r->revision;
  };
  REQUIRE(f.store.add(job("a", 10)).ok());
  REQUIRE(f.store.add(job("b", 20)).ok());
  const std::uint64_t a1 = revision_of("a");
  CHECK(a1 != 0);
  CHECK(revision_of("b") != a1);

  std::vector<JobRecord> due;
  REQUIRE(f.store.acquire_due(15, Lease{"me", 100}, 10, {}, due).ok());
  REQUIRE(due.size() == 1);
  CHECK(due[0].revision == a1);
  REQUIRE(f.store.release("me", {Release{"a", 30, false}}).ok());
  CHECK(revision_of("a") == a1);  // a new run time is not a new document
  REQUIRE(f.store.hold({"a"}, Lease{"me", 50}).ok());
  CHECK(revision_of("a") == a1);

  REQUIRE(f.store.update(job("a", 30)).ok());  // the same document again is still an update
  const std::uint64_t a2 = revision_of("a");
  CHECK(a2 != a1);
  REQUIRE(f.store.remove("a").ok());
  REQUIRE(f.store.add(job("a", 30)).ok());
  CHECK(revision_of("a") != a2);
  CHECK(revision_of("a") != a1);
}

TEST_CASE("memory: documents of every shape come back exactly, through every way out", "[memory]") {
  Fixture f;
  Value document = Value::Map{
      {"args", Value::List{1, -2.5, "three", Value(), true, Value::List{Value::Map{{"deep", "x"}}}}},
      {"kwargs", Value::Map{{"text", std::string("a\0b", 3)}, {"big", 9007199254740993LL}}},
      {"trigger", Value::Map{{"type", "cron"}, {"minute", "*/5"}}},
  };
  REQUIRE(f.store.add(job("rich", 10, document)).ok());
  REQUIRE(f.store.add(job("paused", std::nullopt, Value::Map{{"args", Value::List{"p"}}})).ok());
  std::optional<JobRecord> got;
  REQUIRE(f.store.get("rich", got).ok());
  CHECK(got->document == document);
  std::vector<JobRecord> all;
  REQUIRE(f.store.list(all).ok());
  REQUIRE(all.size() == 2);
  CHECK(all[0].document == document);
  CHECK(all[1].document == Value(Value::Map{{"args", Value::List{"p"}}}));
  std::vector<JobRecord> due;
  REQUIRE(f.store.acquire_due(10, Lease{"me", 100}, 10, {}, due).ok());
  REQUIRE(due.size() == 1);
  CHECK(due[0].document == document);
  Value changed = document;
  changed.as_map()["kwargs"] = Value::Map{{"new key", Value::List{}}};
  REQUIRE(f.store.update(job("rich", 20, changed)).ok());
  REQUIRE(f.store.get("rich", got).ok());
  CHECK(got->document == changed);
  CHECK(got->next_run_time == 20);
}

TEST_CASE("memory: acquire_due leaves out the documents the caller says it holds at that revision",
          "[memory][lease]") {
  Fixture f;
  REQUIRE(f.store.add(job("a", 10, Value::Map{{"func", "lib:a"}})).ok());
  REQUIRE(f.store.add(job("b", 10, Value::Map{{"func", "lib:b"}})).ok());
  std::optional<JobRecord> a;
  REQUIRE(f.store.get("a", a).ok());
  std::vector<std::pair<std::string, std::uint64_t>> asked;
  apsched::sdk::KnownRevision known = [&](std::string_view id, std::uint64_t revision, std::optional<Timestamp> due_at) {
    asked.emplace_back(std::string(id), revision);
    CHECK(due_at == Timestamp{10});
    return id == "a" && revision == a->revision ? Held::decoded : Held::nothing;
  };
  std::vector<JobRecord> due;
  REQUIRE(f.store.acquire_due(10, Lease{"me", 100}, 10, known, due).ok());
  REQUIRE(due.size() == 2);
  CHECK(asked.size() == 2);
  CHECK(due[0].id == "a");
  CHECK(due[0].document.is_null());
  CHECK(due[0].revision == a->revision);
  CHECK(due[1].id == "b");
  CHECK(due[1].document == Value(Value::Map{{"func", "lib:b"}}));
  CHECK_FALSE(due[0].taken);
  CHECK(f.store.leased_count() == 2);

  // Once "a" changes, the revision the caller holds is stale: the document comes again.
  REQUIRE(f.store.update(job("a", 10, Value::Map{{"func", "lib:changed"}})).ok());
  REQUIRE(f.store.acquire_due(10, Lease{"me", 100}, 10, known, due).ok());
  REQUIRE(due.size() == 2);
  CHECK(due[0].document == Value(Value::Map{{"func", "lib:changed"}}));
}

TEST_CASE("memory: peek_due shows what will be due, in order, without leasing it", "[memory][peek]") {
  Fixture f;
  REQUIRE(f.store.add(job("late", 50)).ok());
  REQUIRE(f.store.add(job("soon", 20, Value::Map{{"func", "lib:soon"}})).ok());
  REQUIRE(f.store.add(job("now", 10)).ok());
  REQUIRE(f.store.add(job("paused", std::nullopt)).ok());
  REQUIRE(f.store.add(job("later", 60)).ok());
  auto peek = [&](Timestamp now, Timestamp until, std::size_t limit = 100, apsched::sdk::KnownRevision known = {},
                  std::string after = {}) {
    std::vector<JobRecord> got;
    REQUIRE(f.store.peek_due(now, until, after, limit, known, got).ok());
    Ids out;
    for (auto& r : got) {
      CHECK(r.revision != 0);
      CHECK_FALSE(r.document.is_null());
      out.push_back(r.id);
    }
    return out;
  };
  CHECK(peek(5, 50) == Ids{"now", "soon", "late"});
  CHECK(peek(5, 50, 2) == Ids{"now", "soon"});
  CHECK(peek(5, 9).empty());
  // Continued after the last record shown; from the first if that record is gone.
  CHECK(peek(5, 50, 2, {}, "soon") == Ids{"late"});
  CHECK(peek(5, 60, 2, {}, "now") == Ids{"soon", "late"});
  CHECK(peek(5, 50, 2, {}, "gone") == Ids{"now", "soon"});
  // Nothing was leased: all of them can be acquired.
  CHECK(f.store.leased_count() == 0);
  CHECK(f.acquire(50, "me", 100) == Ids{"now", "soon", "late"});

  // Held by a live lease (any owner) at `now`: left out; once the lease expired, shown.
  REQUIRE(f.store.release("me", {Release{"now", 10, false}, Release{"soon", 20, false}, Release{"late", 50, false}})
              .ok());
  REQUIRE(f.store.hold({"soon"}, Lease{"me", 30}).ok());
  CHECK(peek(5, 50) == Ids{"now", "late"});
  CHECK(peek(30, 50) == Ids{"now", "soon", "late"});

  // What the caller says it holds is left out and does not count against the limit.
  std::optional<JobRecord> now_record;
  REQUIRE(f.store.get("now", now_record).ok());
  apsched::sdk::KnownRevision known = [&](std::string_view id, std::uint64_t revision, std::optional<Timestamp>) {
    return id == "now" && revision == now_record->revision ? Held::decoded : Held::nothing;
  };
  CHECK(peek(30, 50, 1, known) == Ids{"soon"});
  REQUIRE(f.store.update(job("now", 10)).ok());  // a new revision: shown again
  CHECK(peek(30, 50, 1, known) == Ids{"now"});
}

TEST_CASE("memory: acquire_due removes a record whose due run the caller says is its last, instead of leasing it",
          "[memory][lease]") {
  Fixture f;
  REQUIRE(f.store.add(job("once", 10, Value::Map{{"func", "lib:once"}})).ok());
  REQUIRE(f.store.add(job("again", 10, Value::Map{{"func", "lib:again"}})).ok());
  REQUIRE(f.store.add(job("parked", 10)).ok());
  REQUIRE(f.store.hold({"parked"}, Lease{"me", 5}).ok());  // a lease of the caller's, expired by 10
  REQUIRE(f.store.add(job("later", 50)).ok());
  std::map<std::string, std::uint64_t> revision;
  for (const char* id : {"once", "again", "parked"}) {
    std::optional<JobRecord> r;
    REQUIRE(f.store.get(id, r).ok());
    revision[id] = r->revision;
  }
  apsched::sdk::KnownRevision known = [&](std::string_view id, std::uint64_t rev, std::optional<Timestamp> due_at) {
    std::string name(id);
    if (!revision.count(name) || revision[name] != rev) return Held::nothing;
    return name == "again" || due_at != Timestamp{10} ? Held::decoded : Held::last_run;
  };
  std::vector<JobRecord> due;
  REQUIRE(f.store.acquire_due(10, Lease{"me", 100}, 10, known, due).ok());
  REQUIRE(due.size() == 3);
  CHECK(due[0].id == "once");
  CHECK(due[0].taken);
  CHECK(due[0].document.is_null());
  CHECK(due[0].next_run_time == Timestamp{10});
  CHECK(due[1].id == "again");
  CHECK_FALSE(due[1].taken);
  CHECK(due[2].id == "parked");
  CHECK(due[2].taken);

  // Taken: gone from the store, with its lease; "again" is leased as before.
  CHECK(f.store.size() == 2);
  CHECK(f.store.leased_count() == 1);
  std::optional<JobRecord> gone;
  REQUIRE(f.store.get("once", gone).ok());
  CHECK_FALSE(gone);
  CHECK(f.ids() == Ids{"again", "later"});
  // A release naming a taken record changes nothing.
  REQUIRE(f.store.release("me", {Release{"once", std::nullopt, true}, Release{"again", 20, false}}).ok());
  CHECK(f.store.size() == 2);
  std::optional<Timestamp> earliest;
  REQUIRE(f.store.earliest_run_time(10, "me", earliest).ok());
  CHECK(earliest == Timestamp{20});

  // All taken: the call's lease group is not left behind (earliest_run_time reads every group).
  Fixture g;
  REQUIRE(g.store.add(job("last", 60)).ok());
  std::optional<JobRecord> last;
  REQUIRE(g.store.get("last", last).ok());
  apsched::sdk::KnownRevision all_last = [&](std::string_view id, std::uint64_t rev, std::optional<Timestamp>) {
    return id == "last" && rev == last->revision ? Held::last_run : Held::nothing;
  };
  REQUIRE(g.store.acquire_due(65, Lease{"me", 100}, 10, all_last, due).ok());
  REQUIRE(due.size() == 1);
  CHECK(due[0].taken);
  CHECK(g.store.size() == 0);
  REQUIRE(g.store.earliest_run_time(65, "me", earliest).ok());
  CHECK_FALSE(earliest);
}
