// InlineExecutor: runs each run synchronously inside submit().
#include <executors/inline/inline.h>

#include <thread>

#include "fake_host.h"
#include "fake_run.h"
#include "test_support.h"

using apsched::executors::InlineExecutor;
using apsched::sdk::Code;
using apsched::sdk::StopToken;
using apsched::sdk::Value;
using apsched::testing::error_of;
using apsched::testing::eventually;
using apsched::testing::FakeHost;
using apsched::testing::FakeRun;
using apsched::testing::Gate;
using apsched::testing::RunProbe;

TEST_CASE("inline: submit runs the run in the calling thread before returning", "[inline]") {
  FakeHost host;
  RunProbe probe;
  InlineExecutor executor(host, Value::Map{{"type", "inline"}});
  REQUIRE(executor.start().ok());
  REQUIRE(executor.submit(std::make_unique<FakeRun>("a", probe, FakeRun::Body{}, std::vector<apsched::sdk::Timestamp>{1, 2})).ok());
  CHECK(probe.invoked == 2);
  CHECK(probe.ended == 2);
  CHECK(probe.destroyed == 1);
  std::lock_guard lock(probe.mutex);
  REQUIRE(probe.threads.size() == 2);
  CHECK(probe.threads[0] == std::this_thread::get_id());
}

TEST_CASE("inline: refused before start and after shutdown", "[inline]") {
  FakeHost host;
  RunProbe probe;
  InlineExecutor executor(host, Value());
  CHECK(executor.submit(std::make_unique<FakeRun>("a", probe)).code == Code::unavailable);
  REQUIRE(executor.start().ok());
  executor.shutdown(true);
  auto s = executor.submit(std::make_unique<FakeRun>("b", probe));
  CHECK(s.code == Code::unavailable);
  CHECK_THAT(s.message, Catch::Contains("shut down"));
  CHECK(probe.begun == 0);
  CHECK(probe.destroyed == 2);
  CHECK(executor.start().code == Code::unavailable);
}

TEST_CASE("inline: shutdown(false) stops a run in progress in another thread", "[inline]") {
  FakeHost host;
  RunProbe probe;
  InlineExecutor executor(host, Value());
  REQUIRE(executor.start().ok());
  std::atomic<bool> submitted_ok{false};  // (Catch assertions are for the main thread only)
  std::thread submitter([&] {
    submitted_ok = executor
                       .submit(std::make_unique<FakeRun>("loop", probe,
                                                         [](const StopToken& stop) {
                                                           while (!stop.stop_requested())
                                                             std::this_thread::sleep_for(std::chrono::milliseconds(1));
                                                         }))
                       .ok();
  });
  REQUIRE(eventually([&] { return probe.running == 1; }));
  executor.shutdown(false);
  submitter.join();
  CHECK(submitted_ok);
  CHECK(probe.saw_stop == 1);
}

TEST_CASE("inline: shutdown(true) waits for runs in other threads", "[inline]") {
  FakeHost host;
  RunProbe probe;
  InlineExecutor executor(host, Value());
  REQUIRE(executor.start().ok());
  Gate gate;
  std::atomic<bool> submitted_ok{false};
  std::thread submitter([&] {
    submitted_ok =
        executor.submit(std::make_unique<FakeRun>("held", probe, [&](const StopToken&) { gate.wait(); })).ok();
  });
  REQUIRE(eventually([&] { return probe.running == 1; }));
  std::thread opener([&] {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
    gate.open();
  });
  executor.shutdown(true);
  CHECK(probe.ended == 1);  // it returned only after the run ended
  submitter.join();
  opener.join();
  CHECK(submitted_ok);
}

TEST_CASE("inline: a job may shut its executor down", "[inline]") {
  FakeHost host;
  RunProbe probe;
  InlineExecutor executor(host, Value());
  REQUIRE(executor.start().ok());
  REQUIRE(executor.submit(std::make_unique<FakeRun>("self", probe, [&](const StopToken&) { executor.shutdown(true); }))
              .ok());
  CHECK(probe.ended == 1);
  CHECK(executor.submit(std::make_unique<FakeRun>("after", probe)).code == Code::unavailable);
}

TEST_CASE("inline: no configuration besides type", "[inline][config]") {
  FakeHost host;
  auto e = error_of([&] { InlineExecutor(host, Value::Map{{"type", "inline"}, {"max_workers", 2}}); });
  CHECK(e.field() == "max_workers");
}
