// The processpool executor in the real host: jobs that die in every way are errors and
// the host carries on, what jobs print is logged with their job id, a timeout kills the
// run, a missing worker program is an error per run, and no worker outlives the host,
// even one killed with SIGKILL. Worker processes are found by their command line
// (`apsched-worker --parent-pid <host pid>`).
#include <catch2/catch.hpp>

#include <csignal>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "install_by_rename.h"
#include "refusal.h"

namespace fs = std::filesystem;
using apsched::test::ConfigFile;
using apsched::test::count_of;
using apsched::test::start_host;
using apsched::testing::install_by_rename;
using Catch::Matchers::Contains;

namespace {

/** Pids of live (not zombie) job workers started by `host`. */
std::vector<pid_t> workers_of(pid_t host) {
  std::vector<pid_t> pids;
  const std::string parent = std::string("--parent-pid") + '\0' + std::to_string(host) + '\0';
  for (const auto& entry : fs::directory_iterator("/proc")) {
    const std::string name = entry.path().filename();
    if (name.find_first_not_of("0123456789") != std::string::npos) continue;
    std::ifstream cmdline(entry.path() / "cmdline");
    std::string args((std::istreambuf_iterator<char>(cmdline)), std::istreambuf_iterator<char>());
    if (args.find("apsched-worker") == std::string::npos || args.find(parent) == std::string::npos) continue;
    std::ifstream stat(entry.path() / "stat");
    std::string line;
    std::getline(stat, line);
    auto close = line.rfind(')');
    if (close != std::string::npos && close + 2 < line.size() && line[close + 2] == 'Z') continue;  // dead, unreaped
    pids.push_back(static_cast<pid_t>(std::stol(name)));
  }
  return pids;
}

std::string pool_config(const std::string& jobs, int workers = 2) {
  return "scheduler:\n"
         "  timezone: UTC\n"
         "  job_path: [" APSCHED_FIXTURE_JOBS_DIR "]\n"
         "executors:\n"
         "  default: {type: threadpool}\n"
         "  processpool: {type: processpool, max_workers: " +
         std::to_string(workers) + ", kill_grace: 0.5}\n"
                                   "job_defaults: {misfire_grace_time: null}\n"
                                   "jobs:\n" +
         jobs;
}

std::string job(const std::string& id, const std::string& func, const std::string& extra = "") {
  return "  - {id: " + id + ", func: \"" + func + "\", executor: processpool, trigger: {type: interval, seconds: 1}" +
         extra + "}\n";
}

}  // namespace

TEST_CASE("apsched run: jobs that die in a worker are errors naming how, and everything else runs on",
          "[integration][processpool]") {
  ConfigFile config(pool_config(job("segv", "example_jobs:crash") + job("abort", "crash_jobs:abort") +
                                job("exit", "crash_jobs:exit", ", args: [3]") +
                                job("kill", "crash_jobs:kill_self") +
                                job("printer", "crash_jobs:print", ", args: [hello]")),
                    "apsched-pool");
  auto host = start_host(config.file(), config.dir());
  REQUIRE_OUTPUT(*host, "Job \"segv\" raised an exception: signal: the job worker (pid ");
  REQUIRE_OUTPUT(*host, "running crash_jobs:abort was killed by signal 6 (SIGABRT");
  REQUIRE_OUTPUT(*host, "running crash_jobs:exit exited with status 3; a new worker replaces it");
  REQUIRE_OUTPUT(*host, "running crash_jobs:kill_self was killed by signal 9 (SIGKILL");
  // The host and the pool carry on: each crashing job runs again, the printer keeps printing.
  REQUIRE_OUTPUT(*host, "running example_jobs:crash was killed by signal 11 (SIGSEGV", apsched::test::kGenerous, 2);
  REQUIRE_OUTPUT(*host, "[job printer] out: hello", apsched::test::kGenerous, 2);
  CHECK_THAT(host->output(), Contains("[job printer] err: hello"));
  CHECK_THAT(host->output(), Contains("[job printer] log: hello"));
  CHECK_THAT(host->output(), Contains("Job \"printer\" executed successfully"));
  CHECK(workers_of(host->pid()).size() <= 2);

  host->send_signal(SIGTERM);
  auto status = host->wait();
  INFO(host->output());
  CHECK(status.describe() == "exit status 0");
  CHECK(workers_of(host->pid()).empty());
}

TEST_CASE("apsched run: a processpool job past its timeout is killed, reported, and its worker replaced",
          "[integration][processpool][timeout]") {
  ConfigFile config(pool_config(job("slow", "crash_jobs:stubborn", ", args: [60], timeout: 0.5") +
                                job("printer", "crash_jobs:print", ", args: [still here]"), 1),
                    "apsched-pool-timeout");
  auto host = start_host(config.file(), config.dir());
  REQUIRE_OUTPUT(*host, "Job \"slow\" timed out: the run exceeded its timeout of 0.5 s; its job worker (pid ");
  REQUIRE_OUTPUT(*host, "[job printer] out: still here");
  host->send_signal(SIGTERM);
  CHECK(host->wait().describe() == "exit status 0");
  CHECK(workers_of(host->pid()).empty());
}

TEST_CASE("apsched run: a host killed with SIGKILL leaves no job worker behind", "[integration][processpool]") {
  ConfigFile config(pool_config(job("slow", "crash_jobs:stubborn", ", args: [60]") + job("idle", "example_jobs:noop"), 3),
                    "apsched-pool-kill");
  auto host = start_host(config.file(), config.dir());
  REQUIRE_OUTPUT(*host, "Running job \"slow\"");
  REQUIRE_WITHIN(*host, [&] { return workers_of(host->pid()).size() == 3; });
  pid_t pid = host->pid();
  host->send_signal(SIGKILL);
  host->wait();
  // The running one (PR_SET_PDEATHSIG) and the idle ones alike.
  REQUIRE_WITHIN(*host, [&] { return workers_of(pid).empty(); });
}

TEST_CASE("apsched run: without the worker program, processpool runs are errors and the host runs on",
          "[integration][processpool][errors]") {
  // A copy of the binary, whose default worker program (../libexec/apsched/apsched-worker) is missing.
  apsched::test::TempDir tree("apsched-no-worker");
  fs::create_directories(tree / "bin");
  fs::create_directories(tree / "lib");
  fs::copy_file(APSCHED_BINARY, tree / "bin/apsched");
  fs::create_directory_symlink(APSCHED_PLUGIN_DIR, tree / "lib/apsched");
  ConfigFile config(pool_config(job("pooled", "example_jobs:tick") +
                                "  - {id: threaded, func: example_jobs:tick, trigger: {type: interval, seconds: 1}}\n"),
                    "apsched-pool-missing");
  auto host = start_host(config.file(), config.dir(), tree / "bin/apsched");
  REQUIRE_OUTPUT(*host, "processpool executor cannot start a job worker: the job-worker program ");
  REQUIRE_OUTPUT(*host, "Job \"pooled\" raised an exception: WorkerError: no job worker could be started",
                 apsched::test::kGenerous, 2);
  REQUIRE_OUTPUT(*host, "tick job=threaded", apsched::test::kGenerous, 2);
  CHECK(count_of(host->output(), "libexec/apsched/apsched-worker is missing") >= 1);
  host->send_signal(SIGTERM);
  CHECK(host->wait().describe() == "exit status 0");
}

TEST_CASE("apsched run: with watch_job_path, processpool runs use the job library version the host accepted",
          "[integration][processpool][hot-add]") {
  ConfigFile config(
      "scheduler: {timezone: UTC, job_path: [jobs.d], watch_job_path: true}\n"
      "executors: {processpool: {type: processpool, max_workers: 1}}\n"
      "job_defaults: {misfire_grace_time: null}\n"
      "jobs:\n"
      "  - {id: fast, func: 'versioned:version', args: [fast.txt], executor: processpool,"
      " trigger: {type: interval, seconds: 0.2}}\n",
      "apsched-pool-hot");
  const fs::path versions = APSCHED_FIXTURE_VERSIONS_DIR;
  fs::create_directories(config.dir() / "jobs.d");
  fs::copy_file(versions / "v1/libversioned.so", config.dir() / "jobs.d/libversioned.so");
  auto host = start_host(config.file(), config.dir());
  auto written = [&](const std::string& version) {
    return apsched::test::read_file(config.dir() / "fast.txt").find(version) != std::string::npos;
  };
  auto v1_runs = [&] { return count_of(apsched::test::read_file(config.dir() / "fast.txt"), "v1\n"); };
  REQUIRE_WITHIN(*host, [&] { return v1_runs() >= 1; });
  // A file the host refuses; then the worker dies, and its replacement must still run the
  // version the host kept (v1), not load the refused file from the job path.
  install_by_rename(fs::path(APSCHED_FIXTURE_JOBS_DIR) / "libbroken_jobs.so", config.dir() / "jobs.d/libversioned.so");
  REQUIRE_OUTPUT(*host, "Job library 'versioned' not replaced: ");
  for (pid_t worker : workers_of(host->pid())) ::kill(worker, SIGKILL);
  REQUIRE_OUTPUT(*host, "was killed by signal 9");
  std::size_t before = v1_runs();
  REQUIRE_WITHIN(*host, [&] { return v1_runs() >= before + 3; });
  // Installed by rename, as the README says; the one worker loaded v1 and must now run v2.
  install_by_rename(versions / "v2/libversioned.so", config.dir() / "jobs.d/libversioned.so");
  REQUIRE_WITHIN(*host, [&] { return written("v2"); });
  CHECK(count_of(host->output(), "LoadError") == 0);
  host->send_signal(SIGTERM);
  CHECK(host->wait().describe() == "exit status 0");
}
