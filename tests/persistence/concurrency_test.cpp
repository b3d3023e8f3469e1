// Concurrency: a BackgroundScheduler (system clock, thread pool, SQLite store) runs jobs
// every 0.1 s while four threads add, modify, pause, resume and remove their own jobs.
// Afterwards each thread's own record of its jobs must match what the scheduler (and the
// file) holds: no update lost to a scheduler pass releasing a job it had taken meanwhile.
// Meant to be run under ThreadSanitizer too (-DAPSCHED_SANITIZE=thread).
#include <catch2/catch.hpp>

#include <apsched/core/errors.h>

#include <atomic>
#include <map>
#include <random>
#include <thread>

#include "persistence_support.h"

using namespace apsched;
using namespace apsched::persistence;
using namespace std::chrono_literals;

namespace {

constexpr int kThreads = 4;
constexpr int kSlots = 8;  // job ids per thread
constexpr auto kDuration = 2s;

/** What a thread believes about one of its jobs. */
struct Expected {
  sdk::Value args;
  bool paused = false;
  int max_instances = 1;
};

struct Worker {
  std::map<std::string, Expected> jobs;
  std::vector<std::string> failures;  // Catch's assertions are not thread safe: collected here
  int operations = 0;
};

void work(core::Scheduler& scheduler, int index, Worker& worker) {
  std::mt19937 random(static_cast<unsigned>(1000 + index));
  const auto deadline = std::chrono::steady_clock::now() + kDuration;
  long long counter = 0;
  while (std::chrono::steady_clock::now() < deadline) {
    std::string id = "t" + std::to_string(index) + "-" + std::to_string(random() % kSlots);
    sdk::Value args = sdk::Value::List{index, ++counter};
    auto found = worker.jobs.find(id);
    try {
      if (found == worker.jobs.end()) {
        core::JobSpec spec;
        spec.id = id;
        spec.func = "example_jobs:noop";
        spec.args = args;
        spec.trigger = core::TriggerSpec::make("interval", {{"seconds", 0.1}});
        spec.misfire_grace_time = core::GraceTime{};
        scheduler.add_job(spec);
        worker.jobs[id] = Expected{args, false, 1};
      } else {
        Expected& e = found->second;
        switch (random() % 5) {
          case 0: {
            core::JobChanges changes;
            changes.args = args;
            scheduler.modify_job(id, changes);
            e.args = args;
            break;
          }
          case 1:
            scheduler.pause_job(id);
            e.paused = true;
            break;
          case 2:
            scheduler.resume_job(id);
            e.paused = false;
            break;
          case 3:
            scheduler.remove_job(id);
            worker.jobs.erase(found);
            break;
          default: {
            core::JobChanges changes;
            changes.max_instances = 1 + static_cast<int>(counter % 3);
            changes.args = args;
            scheduler.modify_job(id, changes);
            e.max_instances = *changes.max_instances;
            e.args = args;
            break;
          }
        }
      }
      ++worker.operations;
    } catch (const std::exception& ex) {
      worker.failures.push_back(id + ": " + ex.what());
    }
  }
}

/** Compares every thread's record with what `scheduler` lists. */
void check_matches(core::Scheduler& scheduler, const std::vector<Worker>& workers) {
  std::map<std::string, core::Job> listed;
  for (auto& job : scheduler.get_jobs()) listed[job.id] = job;
  std::size_t expected_total = 0;
  for (int t = 0; t < kThreads; ++t) {
    for (int slot = 0; slot < kSlots; ++slot) {
      std::string id = "t" + std::to_string(t) + "-" + std::to_string(slot);
      INFO("job " << id);
      auto want = workers[t].jobs.find(id);
      auto have = listed.find(id);
      if (want == workers[t].jobs.end()) {
        CHECK(have == listed.end());
        continue;
      }
      ++expected_total;
      REQUIRE(have != listed.end());
      CHECK(have->second.args.to_json() == want->second.args.to_json());
      CHECK(have->second.next_run_time.has_value() == !want->second.paused);
      CHECK(have->second.max_instances == want->second.max_instances);
      CHECK(have->second.problem.empty());
    }
  }
  CHECK(listed.size() == expected_total);
}

}  // namespace

TEST_CASE("jobs changed from four threads while a background scheduler runs them: no lost update",
          "[persistence][concurrency][sqlite][threads]") {
  TempDir dir("concurrency");
  const fs::path db = dir / "jobs.sqlite";
  std::atomic<int> executed{0}, failed{0}, missed{0};
  std::vector<Worker> workers(kThreads);
  {
    // Thousands of log lines: kept, shown only on failure. Installed before any thread
    // starts and removed after they have all stopped.
    LogCapture log;
    core::BackgroundScheduler scheduler(test_options());
    scheduler.add_executor("default", sdk::Value::Map{{"type", "threadpool"}, {"max_workers", 4}});
    scheduler.add_jobstore("default", sdk::Value::Map{{"type", "sqlite"}, {"path", db.string()}});
    scheduler.add_listener(
        [&](const core::Event& e) {
          if (e.code == core::EVENT_JOB_EXECUTED) ++executed;
          if (e.code == core::EVENT_JOB_ERROR) ++failed;
          if (e.code == core::EVENT_JOB_MISSED) ++missed;
        },
        core::EVENT_JOB_EXECUTED | core::EVENT_JOB_ERROR | core::EVENT_JOB_MISSED);
    scheduler.start();

    std::vector<std::thread> threads;
    for (int t = 0; t < kThreads; ++t) threads.emplace_back(work, std::ref(scheduler), t, std::ref(workers[t]));
    for (auto& thread : threads) thread.join();

    int operations = 0;
    for (const auto& w : workers) {
      operations += w.operations;
      for (const auto& f : w.failures) FAIL_CHECK(f);
    }
    INFO(operations << " operations, " << executed.load() << " runs");
    CHECK(operations > 4 * kThreads);
    CHECK(executed.load() > 0);  // the scheduler really ran jobs meanwhile
    CHECK(failed.load() == 0);
    check_matches(scheduler, workers);
    scheduler.shutdown();
    // Nothing went wrong on the way (a store failure, a job submitted to a stopped executor...).
    std::string text = log.text(), errors;
    for (std::size_t begin = 0, end = 0; begin < text.size(); begin = end + 1) {
      end = text.find('\n', begin);
      if (end == std::string::npos) end = text.size();
      std::string line = text.substr(begin, end - begin);
      if (line.rfind("error ", 0) == 0 || line.rfind("critical ", 0) == 0) errors += line + "\n";
    }
    CHECK(errors.empty());
  }
  // What the file holds, seen by a fresh scheduler.
  core::EventLoopScheduler reader(test_options(), [] {});
  reader.add_jobstore("default", sdk::Value::Map{{"type", "sqlite"}, {"path", db.string()}});
  check_matches(reader, workers);
}
