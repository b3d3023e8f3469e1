// ThreadPoolExecutor: a fixed pool of workers, FIFO queue, shutdown with and without waiting.
#include <executors/threadpool/threadpool.h>

#include <algorithm>
#include <chrono>
#include <memory>
#include <set>
#include <thread>
#include <vector>

#include "fake_host.h"
#include "fake_run.h"
#include "test_support.h"

using apsched::executors::ThreadPoolExecutor;
using apsched::sdk::Code;
using apsched::sdk::StopToken;
using apsched::sdk::Value;
using apsched::testing::error_of;
using apsched::testing::eventually;
using apsched::testing::FakeHost;
using apsched::testing::FakeRun;
using apsched::testing::Gate;
using apsched::testing::RunProbe;

namespace {

std::unique_ptr<FakeRun> run(std::string id, RunProbe& probe, FakeRun::Body body = {}) {
  return std::make_unique<FakeRun>(std::move(id), probe, std::move(body));
}

Value workers(long long n) { return Value::Map{{"type", "threadpool"}, {"max_workers", n}}; }

// A run body that blocks until `gate` opens.
FakeRun::Body waits_for(Gate& gate) {
  return [&gate](const StopToken&) { gate.wait(); };
}

}  // namespace

TEST_CASE("threadpool: max_workers defaults to 10 and must be from 1 to 10000", "[threadpool][config]") {
  FakeHost host;
  CHECK(ThreadPoolExecutor(host, Value::Map{{"type", "threadpool"}}).max_workers() == 10);
  CHECK(ThreadPoolExecutor(host, workers(3)).max_workers() == 3);

  auto e = error_of([&] { ThreadPoolExecutor(host, workers(0)); });
  CHECK(e.field() == "max_workers");
  CHECK(std::string(e.what()) == "'max_workers' in threadpool executor must be from 1 to 10000, got 0");
  e = error_of([&] { ThreadPoolExecutor(host, workers(99999999999999)); });  // was std::bad_alloc
  CHECK(std::string(e.what()) == "'max_workers' in threadpool executor must be from 1 to 10000, got 99999999999999");
  e = error_of([&] { ThreadPoolExecutor(host, Value::Map{{"max_workers", "many"}}); });
  CHECK(e.field() == "max_workers");
  e = error_of([&] { ThreadPoolExecutor(host, Value::Map{{"max_worker", 4}}); });
  CHECK(e.field() == "max_worker");
  CHECK_THAT(e.what(), Catch::Contains("did you mean 'max_workers'?"));
}

TEST_CASE("threadpool: runs every submitted run once per run time, then destroys it", "[threadpool]") {
  FakeHost host;
  RunProbe probe;
  {
    ThreadPoolExecutor pool(host, workers(4));
    REQUIRE(pool.start().ok());
    for (int i = 0; i < 100; ++i) REQUIRE(pool.submit(run("j" + std::to_string(i), probe)).ok());
    REQUIRE(pool.submit(std::make_unique<FakeRun>("multi", probe, FakeRun::Body{}, std::vector<apsched::sdk::Timestamp>{1, 2, 3})).ok());
    REQUIRE(pool.submit(std::make_unique<FakeRun>("missed", probe, FakeRun::Body{}, std::vector<apsched::sdk::Timestamp>{1}, false)).ok());
    pool.shutdown(true);
    CHECK(probe.invoked == 103);
    CHECK(probe.ended == 103);
    CHECK(probe.begun == 104);  // the missed run was asked, not run
    CHECK(probe.destroyed == 102);
  }
}

TEST_CASE("threadpool: submit before start or after shutdown is refused, the run destroyed unrun",
          "[threadpool]") {
  FakeHost host;
  RunProbe probe;
  ThreadPoolExecutor pool(host, workers(2));
  auto s = pool.submit(run("early", probe));
  CHECK(s.code == Code::unavailable);
  CHECK_THAT(s.message, Catch::Contains("not started"));
  CHECK(probe.destroyed == 1);

  REQUIRE(pool.start().ok());
  REQUIRE(pool.start().ok());  // again: no-op
  pool.shutdown(true);
  s = pool.submit(run("late", probe));
  CHECK(s.code == Code::unavailable);
  CHECK_THAT(s.message, Catch::Contains("shut down"));
  CHECK(probe.destroyed == 2);
  CHECK(probe.begun == 0);
  CHECK(pool.start().code == Code::unavailable);
}

TEST_CASE("threadpool: at most max_workers runs at once, and submit does not block", "[threadpool]") {
  FakeHost host;
  RunProbe probe;
  Gate gate;
  ThreadPoolExecutor pool(host, workers(3));
  REQUIRE(pool.start().ok());
  for (int i = 0; i < 3; ++i) REQUIRE(pool.submit(run("blocker", probe, waits_for(gate))).ok());
  REQUIRE(eventually([&] { return probe.running == 3; }));

  auto before = std::chrono::steady_clock::now();
  for (int i = 0; i < 50; ++i) REQUIRE(pool.submit(run("queued", probe)).ok());
  CHECK(std::chrono::steady_clock::now() - before < std::chrono::seconds(2));
  std::this_thread::sleep_for(std::chrono::milliseconds(20));
  CHECK(probe.invoked == 3);  // every worker is busy: the rest wait in the queue

  gate.open();
  pool.shutdown(true);
  CHECK(probe.invoked == 53);
  CHECK(probe.peak_running == 3);
  {
    std::lock_guard lock(probe.mutex);
    std::set<std::thread::id> threads(probe.threads.begin(), probe.threads.end());
    CHECK(threads.size() <= 3);
    CHECK(threads.count(std::this_thread::get_id()) == 0);
  }
}

TEST_CASE("threadpool: the queue is FIFO", "[threadpool]") {
  FakeHost host;
  RunProbe probe;
  Gate gate;
  ThreadPoolExecutor pool(host, workers(1));
  REQUIRE(pool.start().ok());
  REQUIRE(pool.submit(run("first", probe, waits_for(gate))).ok());
  std::vector<std::string> expected{"first"};
  for (int i = 0; i < 20; ++i) {
    expected.push_back("q" + std::to_string(i));
    REQUIRE(pool.submit(run(expected.back(), probe)).ok());
  }
  gate.open();
  pool.shutdown(true);
  std::lock_guard lock(probe.mutex);
  CHECK(probe.order == expected);
}

TEST_CASE("threadpool: submit_all queues a batch in order, behind what is queued, and wakes enough workers",
          "[threadpool]") {
  FakeHost host;
  RunProbe probe;
  Gate gate;
  ThreadPoolExecutor pool(host, workers(1));
  std::vector<apsched::sdk::Status> statuses;
  {
    std::vector<std::unique_ptr<apsched::sdk::JobRun>> early;
    early.push_back(run("early-1", probe));
    early.push_back(run("early-2", probe));
    pool.submit_all(std::move(early), statuses);
    REQUIRE(statuses.size() == 2);
    CHECK(statuses[0].code == Code::unavailable);
    CHECK_THAT(statuses[1].message, Catch::Contains("not started"));
    CHECK(probe.destroyed == 2);  // refused runs are destroyed unrun
  }
  REQUIRE(pool.start().ok());
  REQUIRE(pool.submit(run("first", probe, waits_for(gate))).ok());
  std::vector<std::string> expected{"first"};
  std::vector<std::unique_ptr<apsched::sdk::JobRun>> batch;
  for (int i = 0; i < 30; ++i) {
    expected.push_back("b" + std::to_string(i));
    batch.push_back(run(expected.back(), probe));
  }
  pool.submit_all(std::move(batch), statuses);
  REQUIRE(statuses.size() == 30);
  CHECK(std::all_of(statuses.begin(), statuses.end(), [](const auto& s) { return s.ok(); }));
  gate.open();
  pool.shutdown(true);
  CHECK(probe.invoked == 31);
  std::lock_guard lock(probe.mutex);
  CHECK(probe.order == expected);
}

TEST_CASE("threadpool: a batch bigger than the idle workers runs on all of them", "[threadpool]") {
  FakeHost host;
  RunProbe probe;
  Gate gate;
  ThreadPoolExecutor pool(host, workers(4));
  REQUIRE(pool.start().ok());
  // Let every worker go idle (waiting for work) first: they are the ones to wake.
  for (int i = 0; i < 4; ++i) REQUIRE(pool.submit(run("warm-up", probe)).ok());
  REQUIRE(eventually([&] { return probe.destroyed == 4; }));
  std::this_thread::sleep_for(std::chrono::milliseconds(100));
  std::vector<std::unique_ptr<apsched::sdk::JobRun>> batch;
  for (int i = 0; i < 4; ++i) batch.push_back(run("blocker", probe, waits_for(gate)));
  for (int i = 0; i < 10; ++i) batch.push_back(run("quick", probe));
  std::vector<apsched::sdk::Status> statuses;
  pool.submit_all(std::move(batch), statuses);
  // Every worker was woken: all four block at once (one woken worker would run one).
  bool all_four_ran = eventually([&] { return probe.running == 4; });
  gate.open();
  CHECK(all_four_ran);
  pool.shutdown(true);
  CHECK(probe.invoked == 18);
}

// Short runs are taken by fewer workers than the pool has (StartPolicy); runs that block
// must not wait for each other all the same.
TEST_CASE("threadpool: runs that block, submitted one after another, all run at once", "[threadpool]") {
  FakeHost host;
  RunProbe probe;
  Gate gate;
  ThreadPoolExecutor pool(host, workers(8));
  REQUIRE(pool.start().ok());
  for (int i = 0; i < 6; ++i) REQUIRE(pool.submit(run("blocker", probe, waits_for(gate))).ok());
  bool all_six_ran = eventually([&] { return probe.running == 6; });
  gate.open();
  CHECK(all_six_ran);
  pool.shutdown(true);
  CHECK(probe.invoked == 6);
}

TEST_CASE("threadpool: a run submitted while another blocks starts without waiting for it", "[threadpool]") {
  FakeHost host;
  RunProbe probe;
  Gate gate;
  ThreadPoolExecutor pool(host, workers(2));
  REQUIRE(pool.start().ok());
  REQUIRE(pool.submit(run("blocker", probe, waits_for(gate))).ok());
  REQUIRE(eventually([&] { return probe.running == 1; }));
  std::this_thread::sleep_for(std::chrono::milliseconds(20));
  REQUIRE(pool.submit(run("quick", probe)).ok());
  bool quick_ran = eventually([&] { return probe.invoked == 2; });
  gate.open();
  CHECK(quick_ran);
  pool.shutdown(true);
}

TEST_CASE("threadpool: runs too long for one worker to keep up with are spread over several", "[threadpool]") {
  FakeHost host;
  RunProbe probe;
  ThreadPoolExecutor pool(host, workers(8));
  REQUIRE(pool.start().ok());
  // Shorter than the time a run counts as holding a CPU: only the queue's wait can spread them.
  auto busy_half_millisecond = [](const StopToken&) {
    const auto until = std::chrono::steady_clock::now() + std::chrono::microseconds(500);
    while (std::chrono::steady_clock::now() < until) {
    }
  };
  std::vector<std::unique_ptr<apsched::sdk::JobRun>> batch;
  for (int i = 0; i < 100; ++i) batch.push_back(run("busy", probe, busy_half_millisecond));
  std::vector<apsched::sdk::Status> statuses;
  pool.submit_all(std::move(batch), statuses);
  REQUIRE(eventually([&] { return probe.destroyed == 100; }));  // before shutdown, which drains with every worker
  CHECK(probe.peak_running >= 2);  // not one after the other on a single worker
  pool.shutdown(true);
}

// As a scheduler pass hands over due jobs: batches back to back while the workers drain
// the earlier ones. The pool once lost count of the workers it had woken (one condition
// variable for all of them) until every worker waited with thousands of runs queued.
TEST_CASE("threadpool: batches submitted back to back all run without waiting for shutdown", "[threadpool]") {
  FakeHost host;
  RunProbe probe;
  ThreadPoolExecutor pool(host, workers(20));
  REQUIRE(pool.start().ok());
  constexpr int kBatches = 1500;
  constexpr int kRunsPerBatch = 256;
  std::vector<apsched::sdk::Status> statuses;
  for (int b = 0; b < kBatches; ++b) {
    std::vector<std::unique_ptr<apsched::sdk::JobRun>> batch;
    for (int i = 0; i < kRunsPerBatch; ++i) batch.push_back(run("quick", probe));
    // About as long as a pass takes to prepare such a batch.
    const auto until = std::chrono::steady_clock::now() + std::chrono::microseconds(300);
    while (std::chrono::steady_clock::now() < until) {
    }
    pool.submit_all(std::move(batch), statuses);
    REQUIRE(std::all_of(statuses.begin(), statuses.end(), [](const auto& s) { return s.ok(); }));
  }
  CHECK(eventually([&] { return probe.destroyed == kBatches * kRunsPerBatch; }));
  pool.shutdown(true);
}

TEST_CASE("threadpool: shutdown(wait=true) finishes running and queued runs", "[threadpool]") {
  FakeHost host;
  RunProbe probe;
  ThreadPoolExecutor pool(host, workers(2));
  REQUIRE(pool.start().ok());
  auto slow = [](const StopToken&) { std::this_thread::sleep_for(std::chrono::milliseconds(30)); };
  for (int i = 0; i < 6; ++i) REQUIRE(pool.submit(run("slow", probe, slow)).ok());
  pool.shutdown(true);
  CHECK(probe.invoked == 6);
  CHECK(probe.ended == 6);
  CHECK(probe.destroyed == 6);
  CHECK(probe.saw_stop == 0);
  pool.shutdown(true);  // again: nothing to do
  pool.shutdown(false);
}

TEST_CASE("threadpool: shutdown(wait=false) drops queued runs and stops running ones", "[threadpool]") {
  FakeHost host;
  RunProbe probe;
  ThreadPoolExecutor pool(host, workers(2));
  REQUIRE(pool.start().ok());
  auto until_stopped = [](const StopToken& stop) {
    while (!stop.stop_requested()) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  };
  REQUIRE(pool.submit(run("a", probe, until_stopped)).ok());
  REQUIRE(pool.submit(run("b", probe, until_stopped)).ok());
  REQUIRE(eventually([&] { return probe.running == 2; }));
  for (int i = 0; i < 10; ++i) REQUIRE(pool.submit(run("queued", probe)).ok());

  pool.shutdown(false);  // returns once a and b noticed the stop request
  CHECK(probe.invoked == 2);
  CHECK(probe.saw_stop == 2);
  CHECK(probe.ended == 2);
  CHECK(probe.begun == 2);  // queued runs were never begun...
  CHECK(probe.destroyed == 12);  // ...but destroyed, which releases their instance counts
  auto logs = host.logs();
  REQUIRE(logs.size() == 1);
  CHECK_THAT(logs[0].second, Catch::Contains("dropped 10 queued run(s)"));
}

TEST_CASE("threadpool: concurrent submitters", "[threadpool]") {
  FakeHost host;
  RunProbe probe;
  ThreadPoolExecutor pool(host, workers(3));
  REQUIRE(pool.start().ok());
  std::atomic<int> refused{0};  // (Catch assertions are for the main thread only)
  std::vector<std::thread> submitters;
  for (int t = 0; t < 4; ++t)
    submitters.emplace_back([&] {
      for (int i = 0; i < 250; ++i)
        if (!pool.submit(run("c", probe)).ok()) ++refused;
    });
  for (auto& t : submitters) t.join();
  pool.shutdown(true);
  CHECK(refused == 0);
  CHECK(probe.invoked == 1000);
  CHECK(probe.destroyed == 1000);
}

TEST_CASE("threadpool: submit racing with shutdown either runs the run or refuses it", "[threadpool]") {
  FakeHost host;
  RunProbe probe;
  std::atomic<int> accepted{0};
  {
    ThreadPoolExecutor pool(host, workers(2));
    REQUIRE(pool.start().ok());
    std::thread submitter([&] {
      for (int i = 0; i < 2000; ++i)
        if (pool.submit(run("r", probe)).ok()) ++accepted;
    });
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
    pool.shutdown(true);
    submitter.join();
  }
  CHECK(probe.invoked == accepted.load());
  CHECK(probe.destroyed == 2000);
}

TEST_CASE("threadpool: a job may shut its own pool down", "[threadpool]") {
  FakeHost host;
  RunProbe probe;
  auto pool = std::make_unique<ThreadPoolExecutor>(host, workers(2));
  REQUIRE(pool->start().ok());
  Gate done;
  REQUIRE(pool->submit(run("self", probe, [&](const StopToken&) {
                pool->shutdown(false);
                done.open();
              })).ok());
  done.wait();
  REQUIRE(eventually([&] { return probe.ended == 1; }));
  CHECK(probe.saw_stop == 1);  // its own stop token was set
  CHECK(pool->submit(run("after", probe)).code == Code::unavailable);
  pool.reset();  // joins the worker that ran "self"
  CHECK(probe.invoked == 1);
  CHECK(probe.destroyed == 2);
}

TEST_CASE("threadpool: destroying a started pool waits for its runs", "[threadpool]") {
  FakeHost host;
  RunProbe probe;
  {
    ThreadPoolExecutor pool(host, workers(2));
    REQUIRE(pool.start().ok());
    for (int i = 0; i < 10; ++i)
      REQUIRE(pool.submit(run("d", probe, [](const StopToken&) {
                    std::this_thread::sleep_for(std::chrono::milliseconds(2));
                  })).ok());
  }
  CHECK(probe.invoked == 10);
  CHECK(probe.destroyed == 10);
}
