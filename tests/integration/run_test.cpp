// `apsched run` on real configs: jobs run, failures are reported, signals shut it down
// cleanly and shutdown waits for running jobs. Few tests, generous bounds: each takes
// a couple of seconds of real time.
#include <catch2/catch.hpp>

#include <chrono>
#include <csignal>
#include <filesystem>
#include <string>

#include "refusal.h"

using apsched::test::ChildProcess;
using apsched::test::CommandResult;
using apsched::test::run_apsched;
using apsched::test::ConfigFile;
using apsched::test::count_lines;
using apsched::test::count_of;
using apsched::test::kGenerous;
using apsched::test::start_host;
using Catch::Matchers::Contains;

namespace {

const std::string kShutDown = "Scheduler has been shut down";

/** Lines of the output up to (not including) the first that contains `needle`. */
std::string before(const std::string& output, const std::string& needle) {
  auto at = output.find(needle);
  return at == std::string::npos ? output : output.substr(0, at);
}

}  // namespace

TEST_CASE("apsched run runs interval jobs and stops cleanly on SIGTERM", "[integration][run]") {
  ConfigFile config(
      "scheduler:\n"
      "  timezone: UTC\n"
      "jobs:\n"
      "  - id: writer\n"
      "    func: example_jobs:append_line\n"
      "    args: [out.txt, written by apsched]\n"
      "    trigger: {type: interval, seconds: 1}\n"
      "  - id: ticker\n"
      "    func: example_jobs:tick\n"
      "    args: [tick-tock]\n"
      "    kwargs: {n: 7}\n"
      "    trigger: {type: interval, seconds: 1}\n",
      "apsched-run");
  // The host runs in the config's directory: append_line's relative path lands there.
  auto out_file = config.dir() / "out.txt";

  auto host = start_host(config.file(), config.dir());
  REQUIRE_WITHIN(*host, [&] { return count_lines(out_file) >= 2; });
  REQUIRE_OUTPUT(*host, "tick job=ticker");
  CHECK_THAT(host->output(), Contains("args=[\"tick-tock\"]"));
  CHECK(apsched::test::read_file(out_file).substr(0, 19) == "written by apsched\n");
  CHECK(host->running());

  host->send_signal(SIGTERM);
  auto status = host->wait();
  std::string output = host->output();
  INFO(output);
  CHECK(status.describe() == "exit status 0");
  CHECK_THAT(output, Contains(kShutDown));
  CHECK_THAT(output, Contains("Job \"writer\" executed successfully"));
  // Nothing runs once the scheduler has been shut down.
  auto after = output.substr(output.find(kShutDown));
  CHECK(after.find("Running job") == std::string::npos);
  CHECK(host->err().empty());
}

TEST_CASE("apsched run stops cleanly on SIGINT", "[integration][run]") {
  ConfigFile config(
      "scheduler:\n"
      "  timezone: UTC\n"
      "jobs:\n"
      "  - id: ticker\n"
      "    func: example_jobs:tick\n"
      "    trigger: {type: interval, seconds: 1}\n",
      "apsched-run");
  auto host = start_host(config.file(), config.dir());
  REQUIRE_OUTPUT(*host, "Job \"ticker\" executed successfully");
  host->send_signal(SIGINT);
  auto status = host->wait();
  INFO(host->output());
  CHECK(status.describe() == "exit status 0");
  CHECK_THAT(host->output(), Contains(kShutDown));
}

TEST_CASE("apsched run waits for a running job before it shuts down", "[integration][run]") {
  ConfigFile config(
      "scheduler:\n"
      "  timezone: UTC\n"
      "jobs:\n"
      "  - id: sleeper\n"
      "    func: example_jobs:sleep\n"
      "    args: [3]\n"
      "    trigger: {type: interval, seconds: 1}\n",
      "apsched-run");
  auto host = start_host(config.file(), config.dir());
  REQUIRE_OUTPUT(*host, "Running job \"sleeper\"");
  auto signalled = std::chrono::steady_clock::now();
  host->send_signal(SIGTERM);
  auto status = host->wait();
  auto took = std::chrono::steady_clock::now() - signalled;
  std::string output = host->output();
  INFO(output);
  CHECK(status.describe() == "exit status 0");
  REQUIRE_THAT(output, Contains(kShutDown));
  // The job that was running when the signal came finished first, then the scheduler stopped.
  CHECK_THAT(before(output, kShutDown), Contains("Job \"sleeper\" executed successfully"));
  CHECK(took >= std::chrono::milliseconds(1000));
}

TEST_CASE("a signal during start-up shuts the host down cleanly", "[integration][run]") {
  // The signal comes while the scheduler is still starting: it must still be a clean
  // shutdown (exit 0), never a crash. Many tries of each timing, since it is a race (the
  // host that took the signal before its scheduler had started crashed about once in 20).
  ConfigFile config(
      "scheduler:\n"
      "  timezone: UTC\n"
      "jobs:\n"
      "  - id: ticker\n"
      "    func: example_jobs:tick\n"
      "    trigger: {type: interval, seconds: 1}\n",
      "apsched-run");
  SECTION("as soon as the host has taken over SIGTERM (the signal waits for its handler)") {
    for (int attempt = 0; attempt < 20; ++attempt) {
      auto host = start_host(config.file(), config.dir());
      REQUIRE_WITHIN(*host, [&] { return host->blocks_signal(SIGTERM) || !host->running(); });
      host->send_signal(SIGTERM);
      auto status = host->wait();
      INFO("attempt " << attempt << "\n" << host->output());
      REQUIRE(status.describe() == "exit status 0");
    }
  }
  SECTION("as soon as the host says it is running") {
    for (int attempt = 0; attempt < 100; ++attempt) {
      auto host = start_host(config.file(), config.dir());
      REQUIRE_OUTPUT(*host, "apsched host running", kGenerous, 1, std::chrono::microseconds(200));
      host->send_signal(attempt % 2 ? SIGINT : SIGTERM);
      auto status = host->wait();
      INFO("attempt " << attempt << "\n" << host->output());
      REQUIRE(status.describe() == "exit status 0");
      REQUIRE_THAT(host->output(), Contains(kShutDown));
    }
  }
}

TEST_CASE("a second signal exits at once, without waiting for the running job", "[integration][run]") {
  ConfigFile config(
      "scheduler:\n"
      "  timezone: UTC\n"
      "jobs:\n"
      "  - id: sleeper\n"
      "    func: example_jobs:sleep\n"
      "    args: [60]\n"
      "    trigger: {type: interval, seconds: 1}\n",
      "apsched-run");
  auto host = start_host(config.file(), config.dir());
  REQUIRE_OUTPUT(*host, "Running job \"sleeper\"");
  host->send_signal(SIGTERM);
  REQUIRE_OUTPUT(*host, "shutting down");
  auto signalled = std::chrono::steady_clock::now();
  host->send_signal(SIGTERM);
  auto status = host->wait();
  auto took = std::chrono::steady_clock::now() - signalled;
  INFO(host->output());
  CHECK(status.describe() == "exit status " + std::to_string(128 + SIGTERM));
  CHECK(took < std::chrono::seconds(15));  // not the job's 60 s
  CHECK_THAT(host->output(), !Contains("Job \"sleeper\" executed successfully"));
}

TEST_CASE("a job that throws is logged with its message and the host runs on", "[integration][run]") {
  ConfigFile config(
      "scheduler:\n"
      "  timezone: UTC\n"
      "jobs:\n"
      "  - id: boom\n"
      "    func: example_jobs:fail\n"
      "    args: [the disk is on fire]\n"
      "    trigger: {type: interval, seconds: 1}\n"
      "  - id: ticker\n"
      "    func: example_jobs:tick\n"
      "    trigger: {type: interval, seconds: 1}\n",
      "apsched-run");
  auto host = start_host(config.file(), config.dir());
  REQUIRE_OUTPUT(*host, "the disk is on fire");
  std::string first = host->output();
  CHECK_THAT(first, Contains("Job \"boom\" raised an exception"));
  // After the failure, both jobs keep running: the failing one fails again, the other ticks on.
  std::size_t ticks = count_of(first, "tick job=ticker");
  REQUIRE_OUTPUT(*host, "Job \"boom\" raised an exception", kGenerous, 2);
  REQUIRE_OUTPUT(*host, "tick job=ticker", kGenerous, ticks + 1);
  CHECK(host->running());

  host->send_signal(SIGTERM);
  auto status = host->wait();
  INFO(host->output());
  CHECK(status.describe() == "exit status 0");
  CHECK_THAT(host->output(), Contains(kShutDown));
}

TEST_CASE("apsched run without -c runs configs/default.yaml", "[integration][run]") {
  const std::filesystem::path source = APSCHED_SOURCE_DIR;
  REQUIRE(std::filesystem::exists(source / "configs/default.yaml"));
  CommandResult check = run_apsched({"check", "-c", (source / "configs/default.yaml").string()});
  INFO(check.output());
  CHECK(check.status.describe() == "exit status 0");

  // `run` without -c reads configs/default.yaml of the working directory. A copy of it, in a
  // directory of its own, so that nothing it may create (a job store file) lands in the sources.
  apsched::test::TempDir work("apsched-default");
  std::filesystem::create_directories(work / "configs");
  std::filesystem::copy_file(source / "configs/default.yaml", work / "configs/default.yaml");
  ChildProcess host({APSCHED_BINARY, "run"}, work / "output", work.path());
  REQUIRE_OUTPUT(host, "configs/default.yaml");
  REQUIRE_OUTPUT(host, "tick job=every3s");
  host.send_signal(SIGINT);
  auto status = host.wait();
  INFO(host.output());
  CHECK(status.describe() == "exit status 0");
  CHECK_THAT(host.output(), Contains(kShutDown));
}

TEST_CASE("a host at the user's process limit still shuts down cleanly on SIGINT", "[integration][run]") {
  // As nobody (root is not held to RLIMIT_NPROC), with a process pool larger than the limit:
  // its workers take every process the user may have, so no thread can be started after them.
  ConfigFile config(
      "executors: {default: {type: processpool, max_workers: 10000}}\n"
      "jobs:\n"
      "  - {id: t, func: 'example_jobs:noop', trigger: {type: interval, seconds: 1}}\n",
      "apsched-nproc");
  namespace fs = std::filesystem;
  fs::permissions(config.dir(), fs::perms::owner_all | fs::perms::group_read | fs::perms::group_exec |
                                    fs::perms::others_read | fs::perms::others_exec);
  fs::permissions(config.file(), fs::perms::owner_read | fs::perms::owner_write | fs::perms::group_read |
                                     fs::perms::others_read);
  const std::string setpriv = "/usr/bin/setpriv";
  const std::vector<std::string> nobody = {"--reuid=65534", "--regid=65534", "--clear-groups"};
  std::vector<std::string> probe = nobody;
  probe.insert(probe.end(), {APSCHED_BINARY, "--help"});
  CommandResult can_run = run_apsched(probe, kGenerous, setpriv);
  if (can_run.status.describe() != "exit status 0") {
    WARN("not run: nobody cannot run " << APSCHED_BINARY << " here: " << can_run.output());
    return;
  }

  std::vector<std::string> argv = {setpriv};
  argv.insert(argv.end(), nobody.begin(), nobody.end());
  argv.insert(argv.end(), {"/bin/bash", "-c",
                           "ulimit -u 120 && exec '" + std::string(APSCHED_BINARY) + "' run -c '" +
                               config.file().string() + "'"});
  ChildProcess host(argv, config.dir(), config.dir());
  REQUIRE_OUTPUT(host, "cannot start a job worker");
  host.send_signal(SIGINT);
  auto status = host.wait();
  INFO(host.output());
  CHECK(status.describe() == "exit status 0");
  CHECK_THAT(host.output(), !Contains("terminate called"));
  CHECK_THAT(host.output(), Contains("ulimit -u, is reached: lower max_workers or raise the limit"));
  CHECK_THAT(host.output(), Contains(kShutDown));
}
