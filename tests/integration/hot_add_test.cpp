// Hot-adding job libraries to the real host (`watch_job_path: true`): a library dropped
// in runs the stored jobs waiting for it at once; a new version installed by rename
// serves new runs while a running job finishes on the old code; a removed library makes
// its jobs wait (kept); a broken one is refused and the host runs on.
#include <catch2/catch.hpp>

#include <chrono>
#include <csignal>
#include <filesystem>
#include <string>
#include <thread>

#include "apsched/sdk/version.h"
#include "install_by_rename.h"
#include "refusal.h"

using apsched::test::ChildProcess;
using apsched::test::ConfigFile;
using apsched::test::count_lines;
using apsched::test::read_file;
using apsched::test::run_apsched;
using apsched::test::start_host;
using apsched::test::write_file;
using apsched::testing::install_by_rename;
using Catch::Matchers::Contains;
using namespace std::chrono_literals;
namespace fs = std::filesystem;

namespace {

const std::string kLibrary = "jobs.d/libversioned.so";

fs::path versioned(const std::string& version) {
  return fs::path(APSCHED_FIXTURE_VERSIONS_DIR) / version / "libversioned.so";
}

/** A watching host's config: job libraries in jobs.d, jobs in SQLite, late runs never skipped. */
std::string watching_config(const std::string& jobs) {
  return "scheduler: {timezone: UTC, job_path: [jobs.d], watch_job_path: true}\n"
         "jobstores: {default: {type: sqlite, path: jobs.sqlite}}\n"
         "executors: {default: {type: threadpool}}\n"
         "job_defaults: {misfire_grace_time: null}\n" +
         (jobs.empty() ? "" : "jobs:\n" + jobs);
}

std::string job(const std::string& id, const std::string& function, const std::string& args, double seconds) {
  return "  - {id: " + id + ", func: 'versioned:" + function + "', args: [" + args +
         "], trigger: {type: interval, seconds: " + std::to_string(seconds) + "}}\n";
}

/** A watching host running `jobs`, started with v1 of libversioned.so in jobs.d. */
struct WatchingHost {
  ConfigFile config;
  std::unique_ptr<ChildProcess> process;

  WatchingHost(const std::string& jobs, std::string_view tag) : config(watching_config(jobs), tag) {
    fs::create_directories(config.dir() / "jobs.d");
    fs::copy_file(versioned("v1"), config.dir() / kLibrary);
    process = start_host(config.file(), config.dir());
  }
  fs::path operator/(const fs::path& name) const { return config.dir() / name; }
};

/** `fast` writes its version every 0.2 s; `slow` writes "start <version>", waits for the file gate, writes "end <version>". */
const std::string kFastAndSlow = job("fast", "version", "fast.txt", 0.2) + job("slow", "gated", "slow.txt, gate", 1);

bool contains(const fs::path& file, const std::string& text) { return read_file(file).find(text) != std::string::npos; }

void stop(apsched::test::ChildProcess& host) {
  host.send_signal(SIGTERM);
  auto status = host.wait();
  INFO(host.output());
  CHECK(status.describe() == "exit status 0");
}

/** Lets `waiter` run on v1 (the store holds it then) and stops. */
void run_waiter_and_stop(WatchingHost& first) {
  REQUIRE_WITHIN(*first.process, [&] { return contains(first / "out.txt", "v1"); });
  stop(*first.process);
}

/** run_waiter_and_stop(), leaving a config without jobs. */
void store_waiter_and_stop(WatchingHost& first) {
  run_waiter_and_stop(first);
  write_file(first.config.file(), watching_config(""));  // the job is only in the store now
}

}  // namespace

TEST_CASE("hot-add: a library copied into the job path runs the stored job waiting for it at once (within 3 s)",
          "[integration][hot-add]") {
  WatchingHost first(job("waiter", "version", "out.txt", 0.3), "apsched-hot-drop");
  store_waiter_and_stop(first);
  const ConfigFile& config = first.config;
  fs::remove(config.dir() / kLibrary);

  auto host = start_host(config.file(), config.dir());
  REQUIRE_OUTPUT(*host, "Job 'waiter' cannot run now and waits");
  auto copied = std::chrono::steady_clock::now();
  fs::copy_file(versioned("v2"), config.dir() / kLibrary);  // a plain copy: loaded once it is closed
  REQUIRE_WITHIN(*host, [&] { return contains(config.dir() / "out.txt", "v2"); });
  // Released at once, not after its 30-second parking time: it takes well under a second;
  // 3 s leaves room for a loaded machine.
  CHECK(std::chrono::steady_clock::now() - copied < 3s);
  REQUIRE_OUTPUT(*host, "Job 'waiter' can run again");
  CHECK_THAT(host->output(), Contains("Job library 'versioned' loaded from " + (config.dir() / kLibrary).string()));
  stop(*host);
}

TEST_CASE("hot-add: a job-path directory made after start is watched, and a library moved in with it runs at once",
          "[integration][hot-add]") {
  WatchingHost first(job("waiter", "version", "out.txt", 0.3), "apsched-hot-later-dir");
  store_waiter_and_stop(first);
  const ConfigFile& config = first.config;
  fs::remove_all(config.dir() / "jobs.d");  // the whole job-path directory is gone

  auto host = start_host(config.file(), config.dir());
  REQUIRE_OUTPUT(*host, "jobs.d does not exist: job libraries put there are picked up once it is created");
  REQUIRE_OUTPUT(*host, "Job 'waiter' cannot run now and waits");
  // A release directory prepared elsewhere and renamed into place, library inside.
  fs::create_directories(config.dir() / "staging");
  fs::copy_file(versioned("v2"), config.dir() / "staging" / "libversioned.so");
  auto moved = std::chrono::steady_clock::now();
  fs::rename(config.dir() / "staging", config.dir() / "jobs.d");
  REQUIRE_WITHIN(*host, [&] { return contains(config.dir() / "out.txt", "v2"); });
  CHECK(std::chrono::steady_clock::now() - moved < 3s);  // not after the 30-second parking time
  CHECK_THAT(host->output(), Contains("jobs.d exists now: watching it for job libraries"));

  // Removed again, then made again with another version in it: still picked up, no restart.
  fs::remove_all(config.dir() / "jobs.d");
  REQUIRE_OUTPUT(*host, "jobs.d was removed or moved away");
  fs::remove(config.dir() / "out.txt");  // only a run of the version installed next writes "v1"
  fs::create_directories(config.dir() / "jobs.d");
  install_by_rename(versioned("v1"), config.dir() / kLibrary);
  REQUIRE_WITHIN(*host, [&] { return contains(config.dir() / "out.txt", "v1"); });
  stop(*host);
}

TEST_CASE("hot-add: a library replaced by rename serves new runs and new jobs, a running job finishes on the old code",
          "[integration][hot-add]") {
  WatchingHost host(kFastAndSlow, "apsched-hot-replace");
  REQUIRE_WITHIN(*host.process, [&] { return contains(host / "slow.txt", "start v1"); });
  REQUIRE_WITHIN(*host.process, [&] { return contains(host / "fast.txt", "v1"); });

  install_by_rename(versioned("v2"), host / kLibrary);
  REQUIRE_OUTPUT(*host.process, "Job library 'versioned' replaced by the new version");
  REQUIRE_WITHIN(*host.process, [&] { return contains(host / "fast.txt", "v2"); });
  std::string fast = read_file(host / "fast.txt");
  CHECK(fast.find("v1", fast.find("v2")) == std::string::npos);  // never back to v1

  // A job added by SIGHUP may use what only the new version has.
  write_file(host.config.file(), watching_config(kFastAndSlow + job("added", "new_in_v2", "added.txt", 0.2)));
  host.process->send_signal(SIGHUP);
  REQUIRE_OUTPUT(*host.process, "Config reloaded: 1 added, 0 changed, 0 removed");
  REQUIRE_WITHIN(*host.process, [&] { return contains(host / "added.txt", "new"); });

  write_file(host / "gate", "open");
  REQUIRE_WITHIN(*host.process, [&] { return contains(host / "slow.txt", "end v2"); });
  CHECK(read_file(host / "slow.txt").substr(0, 25) == "start v1\nend v1\nstart v2\n");
  stop(*host.process);
}

TEST_CASE("hot-add: removing a library makes its jobs wait, logged and kept, while a running job finishes",
          "[integration][hot-add]") {
  WatchingHost host(kFastAndSlow, "apsched-hot-remove");
  REQUIRE_WITHIN(*host.process, [&] { return contains(host / "slow.txt", "start v1"); });

  fs::remove(host / kLibrary);
  REQUIRE_OUTPUT(*host.process, "Job library 'versioned' was removed");
  REQUIRE_OUTPUT(*host.process, "Job 'fast' cannot run now and waits (it is kept, never deleted)");
  std::size_t lines = count_lines(host / "fast.txt");
  std::this_thread::sleep_for(600ms);
  CHECK(count_lines(host / "fast.txt") == lines);

  write_file(host / "gate", "open");
  REQUIRE_WITHIN(*host.process, [&] { return contains(host / "slow.txt", "end v1"); });
  // Listed from the store (a config without the jobs, which could not be added now).
  write_file(host / "list.yaml", watching_config(""));
  auto listed = run_apsched({"jobs", "-c", (host / "list.yaml").string()});
  INFO(listed.output());
  CHECK_THAT(listed.out, Contains("fast: version") && Contains("job library 'versioned' not found"));
  stop(*host.process);
}

TEST_CASE("hot-add: a broken library dropped in is refused with the reason and the host runs on",
          "[integration][hot-add]") {
  WatchingHost host(job("fast", "version", "fast.txt", 0.2), "apsched-hot-broken");
  REQUIRE_WITHIN(*host.process, [&] { return count_lines(host / "fast.txt") >= 1; });

  install_by_rename(fs::path(APSCHED_FIXTURE_JOBS_DIR) / "libbroken_jobs.so", host / kLibrary);
  REQUIRE_OUTPUT(*host.process, "Job library 'versioned' not replaced: " + (host / kLibrary).string() +
                                    ": built against apsched SDK API " +
                                    std::to_string(APSCHED_SDK_API_MAJOR + 1) + ".");
  CHECK_THAT(host.process->output(), Contains("stays in use"));
  fs::copy_file(fs::path(APSCHED_FIXTURE_JOBS_DIR) / "libnot_jobs.so", host / "jobs.d/libother.so");
  REQUIRE_OUTPUT(*host.process, "Job library 'other' not loaded: " + (host / "jobs.d/libother.so").string() +
                                    ": not an apsched job library");

  std::size_t lines = count_lines(host / "fast.txt");
  REQUIRE_WITHIN(*host.process, [&] { return count_lines(host / "fast.txt") >= lines + 2; });
  CHECK_THAT(read_file(host / "fast.txt"), !Contains("v2"));
  stop(*host.process);
}

TEST_CASE("apsched jobs names a config job whose library is missing and still lists what the stores hold",
          "[integration][hot-add][commands]") {
  WatchingHost first(job("waiter", "version", "out.txt", 0.3), "apsched-jobs-missing-library");
  run_waiter_and_stop(first);
  fs::remove(first / kLibrary);

  auto listed = run_apsched({"jobs", "-c", first.config.file().string()});
  INFO(listed.output());
  CHECK(listed.status.describe() == "exit status 1");
  CHECK_THAT(listed.err, Contains(first.config.at("'versioned:version'")));
  CHECK_THAT(listed.err, Contains("job library 'versioned' not found"));
  CHECK_THAT(listed.out, Contains("Jobstore default:"));
  CHECK_THAT(listed.out, Contains("waiter: version (trigger: interval["));
  CHECK_THAT(listed.out, Contains("waiting: job library 'versioned' not found"));
}
