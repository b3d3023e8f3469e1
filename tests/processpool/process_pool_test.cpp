// ProcessPoolExecutor: jobs in worker processes, crash isolation, timeouts, job output,
// bad input, and shutdown without leftover processes. Real workers, short real times.
#include <executors/processpool/process_pool.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cmath>
#include <limits>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "fake_host.h"
#include "fake_run.h"
#include "test_support.h"

using apsched::executors::ProcessPoolExecutor;
using apsched::sdk::JobOutcome;
using apsched::sdk::LogLevel;
using apsched::sdk::Value;
using apsched::testing::error_of;
using apsched::testing::eventually;
using apsched::testing::FakeHost;
using apsched::testing::FakeRun;
using apsched::testing::RunProbe;
using Catch::Matchers::Contains;

namespace {

std::vector<std::string> worker_command() {
  return {APSCHED_WORKER_PROGRAM, "--parent-pid",  std::to_string(::getpid()), "--job-path", APSCHED_FIXTURE_JOBS_DIR,
          "--job-path",           APSCHED_JOBS_DIR};
}

Value pool_config(int workers, double kill_grace = 0.2) {
  return Value::Map{{"type", "processpool"}, {"max_workers", workers}, {"kill_grace", kill_grace}};
}

std::unique_ptr<FakeRun> call(RunProbe& probe, const std::string& id, const std::string& func,
                              Value args = Value::List{}, std::vector<apsched::sdk::Timestamp> times = {1}) {
  auto run = std::make_unique<FakeRun>(id, probe, FakeRun::Body{}, std::move(times));
  run->set_call(func, std::move(args));
  return run;
}

FakeHost& with_real_workers(FakeHost& host) {
  host.set_worker_command(worker_command());
  return host;
}

std::vector<JobOutcome> outcomes(RunProbe& probe) {
  std::lock_guard lock(probe.mutex);
  return probe.outcomes;
}

/** True when this process has no child at all, not even a zombie. */
bool no_children() {
  errno = 0;
  return ::waitpid(-1, nullptr, WNOHANG) == -1 && errno == ECHILD;
}

/** A started pool whose job workers are the real program, on the fixture and example job paths. */
struct RealPool {
  explicit RealPool(int workers, double kill_grace = 0.2)
      : pool(with_real_workers(host), pool_config(workers, kill_grace)) {
    REQUIRE(pool.start().ok());
  }
  /** Submits a call of `func` (timeout 0: none) for each of `times`. */
  void submit(const std::string& id, const std::string& func, Value args = Value::List{}, double timeout = 0,
              std::vector<apsched::sdk::Timestamp> times = {1}) {
    auto run = call(probe, id, func, std::move(args), std::move(times));
    run->set_timeout(timeout);
    REQUIRE(pool.submit(std::move(run)).ok());
  }
  /** Submits a call of `func` in the library loaded from `library_file`. */
  void submit_in(const std::string& id, const std::string& func, const std::string& library_file) {
    auto run = call(probe, id, func);
    run->set_library_file(library_file);
    REQUIRE(pool.submit(std::move(run)).ok());
  }
  /** Waits until `runs` runs are over, shuts the pool down (waiting) and gives their outcomes. */
  std::vector<JobOutcome> finish(int runs) {
    REQUIRE(eventually([&] { return probe.destroyed == runs; }));
    pool.shutdown(true);
    return outcomes(probe);
  }

  FakeHost host;
  RunProbe probe;
  ProcessPoolExecutor pool;
};

bool logged(const FakeHost& host, LogLevel level, const std::string& text) {
  for (const auto& [l, message] : host.logs())
    if (l == level && message.find(text) != std::string::npos) return true;
  return false;
}

}  // namespace

TEST_CASE("processpool: max_workers defaults to 10, kill_grace to 2 s, both checked", "[processpool][config]") {
  FakeHost host;
  ProcessPoolExecutor defaults(host, Value::Map{{"type", "processpool"}});
  CHECK(defaults.max_workers() == 10);
  CHECK(defaults.kill_grace_seconds() == 2);
  CHECK(error_of([&] { ProcessPoolExecutor(host, Value::Map{{"max_workers", 0}}); }).field() == "max_workers");
  CHECK(error_of([&] { ProcessPoolExecutor(host, Value::Map{{"kill_grace", -1}}); }).field() == "kill_grace");
  auto e = error_of([&] { ProcessPoolExecutor(host, Value::Map{{"max_worker", 4}}); });
  CHECK_THAT(e.what(), Contains("did you mean 'max_workers'?"));
}

TEST_CASE("processpool: the job runs in a worker process with its arguments, and workers are reused", "[processpool]") {
  {
    RealPool p(2);
    Value args = Value::List{"text", 42, 2.5, true, Value(), Value::List{1, 2}, Value::Map{{"k", "v"}}};
    for (int i = 0; i < 6; ++i) p.submit("who" + std::to_string(i), "crash_jobs:whoami", args);
    std::set<std::int64_t> pids;
    for (const auto& outcome : p.finish(6)) {
      INFO(outcome.error_type << ": " << outcome.error_message);
      REQUIRE(outcome.ok);
      CHECK(outcome.retval.find("args")->to_json() == args.to_json());
      CHECK(outcome.retval.find("run_time")->as_int() == 1);
      CHECK(outcome.retval.find("job_id")->as_string().rfind("who", 0) == 0);
      pids.insert(outcome.retval.find("pid")->as_int());
    }
    CHECK(pids.size() <= 2);  // started once, reused
    CHECK_FALSE(pids.count(::getpid()));
    CHECK(p.probe.begun == 6);
    CHECK(p.probe.ended == 6);
  }
  CHECK(no_children());
}

TEST_CASE("processpool: a run that names its library file runs that version, whatever the job path holds",
          "[processpool][hot-add]") {
  const std::string versions = APSCHED_FIXTURE_VERSIONS_DIR;
  RealPool p(1);  // one worker: it must hold both versions
  p.submit_in("second", "versioned:version", versions + "/v2/libversioned.so");
  p.submit_in("first", "versioned:version", versions + "/v1/libversioned.so");
  p.submit_in("second-again", "versioned:version", versions + "/v2/libversioned.so");
  p.submit_in("gone", "versioned:version", versions + "/none/libversioned.so");
  p.submit("job-path", "versioned:version");  // no file named: the job path, which has no libversioned.so
  auto got = p.finish(5);
  REQUIRE(got.size() == 5);
  CHECK(got[0].retval == Value("v2"));
  CHECK(got[1].retval == Value("v1"));
  CHECK(got[2].retval == Value("v2"));
  CHECK_FALSE(got[3].ok);
  CHECK(got[3].error_type == "LoadError");
  CHECK_THAT(got[3].error_message, Contains("cannot load the version of job library 'versioned' that the host runs (" +
                                            versions + "/none/libversioned.so: no such file)"));
  CHECK_FALSE(got[4].ok);
  CHECK_THAT(got[4].error_message, Contains("job library 'versioned' not found"));
}

TEST_CASE("processpool: a job that dies is an error naming the signal or exit status, and the others carry on",
          "[processpool][crash]") {
  RealPool p(2);
  p.submit("segv", "example_jobs:crash");
  p.submit("abort", "crash_jobs:abort");
  p.submit("exit", "crash_jobs:exit", Value::List{3});
  p.submit("kill", "crash_jobs:kill_self");
  for (int i = 0; i < 4; ++i) p.submit("fine", "example_jobs:noop");
  std::string errors;
  int ok = 0;
  for (const auto& outcome : p.finish(8)) {
    if (outcome.ok)
      ++ok;
    else
      errors += outcome.error_type + ": " + outcome.error_message + "\n";
  }
  INFO(errors);
  CHECK(ok == 4);
  CHECK_THAT(errors, Contains("signal: the job worker (pid "));
  CHECK_THAT(errors, Contains(") running example_jobs:crash was killed by signal 11 (SIGSEGV"));
  CHECK_THAT(errors, Contains("crash_jobs:abort was killed by signal 6 (SIGABRT"));
  CHECK_THAT(errors, Contains("exit: the job worker (pid "));
  CHECK_THAT(errors, Contains("crash_jobs:exit exited with status 3; a new worker replaces it"));
  CHECK_THAT(errors, Contains("crash_jobs:kill_self was killed by signal 9 (SIGKILL"));
  CHECK(no_children());
}

TEST_CASE("processpool: with SIGCHLD ignored, a worker that ends is still an error event, saying why its status is unknown",
          "[processpool][errors]") {
  struct sigaction ignore {}, before{};
  ignore.sa_handler = SIG_IGN;
  REQUIRE(::sigaction(SIGCHLD, &ignore, &before) == 0);
  std::vector<JobOutcome> got;
  {
    RealPool p(1);
    p.submit("exit", "crash_jobs:exit", Value::List{3});
    got = p.finish(1);
  }
  ::sigaction(SIGCHLD, &before, nullptr);
  REQUIRE(got.size() == 1);
  CHECK_FALSE(got[0].ok);
  CHECK_THAT(got[0].error_message, Contains("unknown exit status") && Contains("SIGCHLD is set to SIG_IGN"));
}

TEST_CASE("processpool: what a job prints and logs goes to the host's log, tagged with its job id",
          "[processpool][output]") {
  RealPool p(1);
  p.submit("printer", "crash_jobs:print", Value::List{"hello"});
  CHECK(p.finish(1).at(0).ok);
  CHECK(logged(p.host, LogLevel::info, "[job printer] out: hello"));
  CHECK(logged(p.host, LogLevel::warning, "[job printer] err: hello"));
  CHECK(logged(p.host, LogLevel::info, "[job printer] unterminated: hello"));
  CHECK(logged(p.host, LogLevel::info, "[job printer] log: hello"));
}

TEST_CASE("processpool: a run past its timeout is reported at the limit, its worker killed and replaced",
          "[processpool][timeout]") {
  RealPool p(1, 0.2);
  p.submit("slow", "crash_jobs:stubborn", Value::List{60.0}, 0.2);
  p.submit("after", "crash_jobs:whoami");
  auto got = p.finish(2);
  REQUIRE(got.size() == 2);
  CHECK(got[0].timed_out);
  CHECK(got[0].error_type == "TimeoutError");
  CHECK_THAT(got[0].error_message, Contains("exceeded its timeout of 0.2 s; its job worker (pid "));
  CHECK_THAT(got[0].error_message, Contains("was stopped (SIGTERM, then SIGKILL after 0.2 s) and is replaced"));
  CHECK(got[1].ok);  // on the replacement worker
  CHECK(no_children());
}

TEST_CASE("processpool: each run time of a run has its own timeout, also after an earlier one timed out",
          "[processpool][timeout]") {
  RealPool p(1);
  p.submit("slow", "crash_jobs:stubborn", Value::List{60.0}, 0.2, {1, 2});
  auto got = p.finish(1);
  REQUIRE(got.size() == 2);
  for (const auto& outcome : got) CHECK(outcome.timed_out);
  CHECK(no_children());
}

TEST_CASE("processpool: a run time that crashes after an earlier one of its run timed out is an error event",
          "[processpool][timeout]") {
  RealPool p(1);
  p.submit("slow", "crash_jobs:stubborn_then_abort", Value::List{60.0}, 0.2, {1, 2});
  auto got = p.finish(1);
  REQUIRE(got.size() == 2);
  CHECK(got[0].timed_out);
  CHECK_FALSE(got[1].timed_out);
  CHECK_FALSE(got[1].ok);
  CHECK_THAT(got[1].error_message, Contains("SIGABRT"));
  CHECK(no_children());
}

TEST_CASE("processpool: a timed-out job that honours its stop token returns, and that late outcome goes to the kernel",
          "[processpool][timeout]") {
  RealPool p(1, 5);
  p.submit("polite", "crash_jobs:polite", Value::List{60.0}, 0.1);
  auto got = p.finish(1);
  REQUIRE(got.size() == 2);
  CHECK(got[0].timed_out);
  CHECK(got[1].ok);
  CHECK(got[1].retval == Value(true));  // its JobContext said stop
}

TEST_CASE("processpool: bad input is an error event, and the pool carries on", "[processpool][errors]") {
  RealPool p(1);
  p.submit("missing", "crash_jobs:no_such_job");
  p.submit("nan-arg", "crash_jobs:whoami", Value::List{std::numeric_limits<double>::quiet_NaN()});
  p.submit("nan-result", "crash_jobs:not_a_number");
  p.submit("fine", "example_jobs:noop");
  auto got = p.finish(4);
  REQUIRE(got.size() == 4);
  CHECK(got[0].error_type == "LoadError");
  CHECK_THAT(got[0].error_message, Contains("in the job worker: job library 'crash_jobs'"));
  CHECK_THAT(got[0].error_message, Contains("has no function 'no_such_job'"));
  CHECK_THAT(got[1].error_message, Contains("the job's args cannot cross the process boundary"));
  CHECK_THAT(got[2].error_message, Contains("the job's return value cannot cross the process boundary"));
  CHECK(got[3].ok);
}

TEST_CASE("processpool: a request larger than the socket takes is sent in parts, and a worker that never reads it stalls nothing",
          "[processpool][errors]") {
  const std::string big(4 << 20, 'x');  // far more than a socket buffer holds
  SECTION("a worker that reads gets all of it") {
    RealPool p(1);
    p.submit("big", "crash_jobs:whoami", Value::List{big});
    auto got = p.finish(1);
    REQUIRE(got.size() == 1);
    CHECK(got[0].ok);
    const Value* args = got[0].retval.find("args");
    REQUIRE(args != nullptr);
    CHECK(args->as_list().at(0).as_string().size() == big.size());
  }
  SECTION("a worker that never reads: the run still times out at its limit, and shutdown does not hang") {
    FakeHost host;
    host.set_worker_command({"/bin/sleep", "30"});  // never reads fd 3, never says it is ready
    RunProbe probe;
    ProcessPoolExecutor pool(host, pool_config(1));
    REQUIRE(pool.start().ok());
    auto run = call(probe, "stuck", "crash_jobs:whoami", Value::List{big});
    run->set_timeout(0.3);
    REQUIRE(pool.submit(std::move(run)).ok());
    REQUIRE(eventually([&] { return probe.ended == 1; }));
    CHECK(outcomes(probe).at(0).timed_out);
    pool.shutdown(false);
    CHECK(no_children());
  }
}

TEST_CASE("processpool: when no worker can start, each run is an error event naming why", "[processpool][errors]") {
  FakeHost host;
  RunProbe probe;
  SECTION("no worker command") {}
  SECTION("the program is missing") { host.set_worker_command({"/nonexistent/apsched-worker", "--parent-pid", "1"}); }
  SECTION("the program dies at start-up") {
    host.set_worker_command({"/bin/sh", "-c", "echo broken installation >&2; exit 2"});
  }
  ProcessPoolExecutor pool(host, pool_config(2));
  REQUIRE(pool.start().ok());
  for (int i = 0; i < 3; ++i) REQUIRE(pool.submit(call(probe, "job" + std::to_string(i), "example_jobs:noop")).ok());
  REQUIRE(eventually([&] { return probe.destroyed == 3; }));
  pool.shutdown(true);
  auto got = outcomes(probe);
  REQUIRE(got.size() == 3);
  for (const auto& outcome : got) {
    INFO(outcome.error_type << ": " << outcome.error_message);
    CHECK_FALSE(outcome.ok);
    bool named = outcome.error_message.find("FakeHost has no job worker command") != std::string::npos ||
                 outcome.error_message.find("/nonexistent/apsched-worker") != std::string::npos ||
                 outcome.error_message.find(
                     "could not start: it exited with status 2 (it said: broken installation)") != std::string::npos;
    CHECK(named);
  }
  CHECK(logged(host, LogLevel::error, "processpool executor"));
  CHECK(no_children());
}

TEST_CASE("processpool: shutdown(wait=true) waits for running and queued runs", "[processpool][shutdown]") {
  RealPool p(1);
  auto started = std::chrono::steady_clock::now();
  p.submit("a", "example_jobs:sleep", Value::List{0.3});
  p.submit("b", "example_jobs:noop");
  CHECK(std::chrono::steady_clock::now() - started < std::chrono::milliseconds(250));  // submit does not wait
  p.pool.shutdown(true);
  CHECK(p.probe.destroyed == 2);
  for (const auto& outcome : outcomes(p.probe)) CHECK(outcome.ok);
  CHECK(p.pool.submit(call(p.probe, "late", "example_jobs:noop")).code == apsched::sdk::Code::unavailable);
  CHECK(no_children());
}

TEST_CASE("processpool: shutdown(wait=false) drops queued runs and stops the workers", "[processpool][shutdown]") {
  RealPool p(1, 0.2);
  p.submit("running", "crash_jobs:stubborn", Value::List{60.0});
  p.submit("queued", "example_jobs:noop");
  REQUIRE(eventually([&] { return p.probe.begun == 1; }));
  auto started = std::chrono::steady_clock::now();
  p.pool.shutdown(false);
  CHECK(std::chrono::steady_clock::now() - started < std::chrono::seconds(10));
  CHECK(p.probe.destroyed == 2);
  auto got = outcomes(p.probe);
  REQUIRE(got.size() == 1);
  CHECK_THAT(got[0].error_message, Contains("after it was stopped"));
  CHECK(no_children());
}
