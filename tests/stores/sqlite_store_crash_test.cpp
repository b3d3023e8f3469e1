// Crash safety: a child process adds jobs (and acquires/releases them in batches) in a
// loop and dies at a random moment, by SIGKILL or _exit; the database must then be
// intact, hold every job whose add returned, and no job half-written.
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <random>
#include <set>
#include <thread>

#include "sqlite_test_support.h"

using namespace apsched;
using namespace apsched::testing::sqlite;
using apsched::testing::FakeHost;

namespace {

std::string crash_job_id(int n) { return "job-" + std::to_string(n); }

/** Job n: due at n, with a document large enough to span several database pages now and then. */
sdk::JobRecord crash_job(int n) {
  std::string filler(static_cast<std::size_t>(100 + (n * 37) % 5000), static_cast<char>('a' + n % 26));
  return job(crash_job_id(n), n, sdk::Value::Map{{"n", n}, {"filler", filler}});
}

/** Never returns. Acknowledges each completed add by writing its number to `fd`. */
[[noreturn]] void child_main(const std::string& path, int first, int exit_after, int fd) {
  FakeHost host;
  SqliteStore store(host, store_config(path));
  if (!store.start().ok()) ::_exit(2);
  for (int n = first;; ++n) {
    if (n - first == exit_after) ::_exit(0);
    if (!store.add(crash_job(n)).ok()) ::_exit(3);
    if (::write(fd, &n, sizeof n) != sizeof n) ::_exit(4);
    if (n % 10 == 9) {  // a scheduler pass: one acquire, one release, both batches
      std::vector<sdk::JobRecord> due;
      if (!store.acquire_due(n, sdk::Lease{"child", n + 1'000'000}, 20, {}, due).ok()) ::_exit(5);
      std::vector<sdk::Release> outcomes;
      for (const auto& record : due) outcomes.push_back({record.id, *record.next_run_time + 1'000'000, false});
      if (!store.release("child", outcomes).ok()) ::_exit(6);
    }
  }
}

struct ChildResult {
  std::vector<int> acknowledged;
  int status = 0;
};

ChildResult run_child(const std::string& path, int first, int exit_after, int kill_after_ms) {
  int fds[2];
  REQUIRE(::pipe(fds) == 0);
  pid_t pid = ::fork();
  REQUIRE(pid >= 0);
  if (pid == 0) {
    ::close(fds[0]);
    child_main(path, first, exit_after, fds[1]);
  }
  ::close(fds[1]);
  std::thread killer;
  if (kill_after_ms >= 0)
    killer = std::thread([pid, kill_after_ms] {
      std::this_thread::sleep_for(std::chrono::milliseconds(kill_after_ms));
      ::kill(pid, SIGKILL);
    });
  ChildResult result;
  int n;
  while (::read(fds[0], &n, sizeof n) == sizeof n) result.acknowledged.push_back(n);
  ::close(fds[0]);
  if (killer.joinable()) killer.join();
  ::waitpid(pid, &result.status, 0);
  return result;
}

}  // namespace

TEST_CASE("sqlite store: killed at random moments, nothing committed is lost or torn", "[sqlite][crash]") {
  TempDir dir;
  const std::string path = dir.file("jobs.sqlite");
  const unsigned seed = std::random_device{}();
  INFO("seed " << seed);
  std::mt19937 random(seed);

  std::set<int> acknowledged;
  int next = 0;
  for (int round = 0; round < 16; ++round) {
    INFO("round " << round);
    const bool kill = round % 2 == 0;
    const int exit_after = kill ? -1 : std::uniform_int_distribution<int>(0, 40)(random);
    const int kill_after_ms = kill ? std::uniform_int_distribution<int>(5, 120)(random) : -1;
    ChildResult child = run_child(path, next, exit_after, kill_after_ms);
    if (kill) {
      // It may have died of its own accord only if it failed, which is checked here.
      CHECK((WIFSIGNALED(child.status) && WTERMSIG(child.status) == SIGKILL));
    } else {
      REQUIRE(WIFEXITED(child.status));
      CHECK(WEXITSTATUS(child.status) == 0);
      CHECK(child.acknowledged.size() == static_cast<std::size_t>(exit_after));
    }
    acknowledged.insert(child.acknowledged.begin(), child.acknowledged.end());

    CHECK(query_sql(path, "PRAGMA integrity_check") == "ok");
    FakeHost host;
    auto store = open_store(host, path);
    std::vector<sdk::JobRecord> records;
    REQUIRE(store->list(records).ok());
    std::set<int> present;
    for (const auto& record : records) {
      INFO(record.id);
      REQUIRE(record.decode_error.empty());
      const sdk::Value* payload = record.document.find("payload");
      REQUIRE(payload);
      const sdk::Value* number = payload->find("n");
      REQUIRE(number);
      int n = static_cast<int>(number->as_int());
      CHECK(record.id == crash_job_id(n));
      CHECK(record.document == crash_job(n).document);
      REQUIRE(record.next_run_time);
      CHECK((*record.next_run_time == n || *record.next_run_time == n + 1'000'000));
      CHECK(present.insert(n).second);
    }
    // Every acknowledged add is there; at most the one add in flight when the child
    // died is there without acknowledgement.
    for (int n : acknowledged) {
      INFO("job " << n);
      CHECK(present.count(n) == 1);
    }
    std::size_t extra = present.size() - acknowledged.size();
    CHECK(extra <= 1);
    if (extra == 1) acknowledged.insert(*present.rbegin());
    store->shutdown();
    next = present.empty() ? 0 : *present.rbegin() + 1;
  }
  CHECK(acknowledged.size() > 16);
}
