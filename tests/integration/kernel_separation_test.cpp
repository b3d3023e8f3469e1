// The kernel does not contain the plugins: a copy of the built tree works only while the
// plugin files are there, and the apsched binary defines none of their classes.
#include <catch2/catch.hpp>

#include <array>
#include <csignal>
#include <cstdio>
#include <filesystem>
#include <string>

#include "refusal.h"

namespace fs = std::filesystem;
using apsched::test::CommandResult;
using apsched::test::ConfigFile;
using apsched::test::run_apsched;
using apsched::test::TempDir;
using Catch::Matchers::Contains;

namespace {

// bin/apsched, the plugins in lib/apsched and the job libraries in lib/apsched/jobs, copied into `root`.
void copy_install_tree(const fs::path& root) {
  fs::create_directories(root / "bin");
  fs::create_directories(root / "lib/apsched/jobs");
  fs::copy_file(APSCHED_BINARY, root / "bin/apsched");
  for (const auto& entry : fs::directory_iterator(APSCHED_PLUGIN_DIR))
    if (entry.is_regular_file() && entry.path().extension() == ".so")
      fs::copy_file(entry.path(), root / "lib/apsched" / entry.path().filename());
  for (const auto& entry : fs::directory_iterator(APSCHED_JOBS_DIR))
    if (entry.is_regular_file() && entry.path().extension() == ".so")
      fs::copy_file(entry.path(), root / "lib/apsched/jobs" / entry.path().filename());
}

/** What `command` prints on stdout (stderr discarded); fails the test if it cannot run. */
std::string command_output(const std::string& command) {
  std::string out;
  FILE* pipe = ::popen((command + " 2>/dev/null").c_str(), "r");
  REQUIRE(pipe != nullptr);
  std::array<char, 4096> buffer{};
  while (std::size_t n = std::fread(buffer.data(), 1, buffer.size(), pipe)) out.append(buffer.data(), n);
  int status = ::pclose(pipe);
  INFO(command);
  REQUIRE(status == 0);
  return out;
}

const std::string kConfig =
    "scheduler:\n"
    "  timezone: UTC\n"
    "jobs:\n"
    "  - id: writer\n"
    "    func: example_jobs:append_line\n"
    "    args: [out.txt, moved]\n"
    "    trigger:\n"
    "      type: interval\n"
    "      seconds: 1\n";

/** `apsched run` of the tree on the config, until its job has written a line (then removed again). */
void require_runs(const fs::path& binary, const ConfigFile& config) {
  fs::remove(config.dir() / "out.txt");
  auto host = apsched::test::start_host(config.file(), config.dir(), binary);
  REQUIRE_WITHIN(*host, [&] { return apsched::test::count_lines(config.dir() / "out.txt") >= 1; });
  host->send_signal(SIGTERM);
  CHECK(host->wait().describe() == "exit status 0");
  fs::remove(config.dir() / "out.txt");
}

}  // namespace

TEST_CASE("a copied tree runs with its plugins and fails clearly without one", "[integration][kernel]") {
  TempDir tree("apsched-tree");
  copy_install_tree(tree.path());
  const fs::path binary = tree / "bin/apsched";
  const fs::path plugins = tree / "lib/apsched";
  ConfigFile config(kConfig, "apsched-tree-config");

  // The copy works on its own: the plugins it loads are the copied ones beside it.
  CommandResult check = run_apsched({"check", "-c", config.file().string()}, apsched::test::kGenerous, binary);
  INFO(check.output());
  REQUIRE(check.status.describe() == "exit status 0");
  require_runs(binary, config);

  SECTION("without trigger_interval.so the trigger type is unknown, naming the directory searched") {
    fs::rename(plugins / "trigger_interval.so", tree / "trigger_interval.so.away");
    for (const char* command : {"check", "run"}) {
      CommandResult result = run_apsched({command, "-c", config.file().string()}, apsched::test::kGenerous, binary);
      INFO(command << ": " << result.output());
      CHECK(result.status.describe() == "exit status 1");
      CHECK_THAT(result.output(), Contains(config.at("interval")));
      CHECK_THAT(result.output(), Contains("unknown trigger type 'interval'"));
      CHECK_THAT(result.output(), Contains("trigger_interval.so"));
      CHECK_THAT(result.output(), Contains("[" + plugins.string() + "]"));
      CHECK_THAT(result.output(), Contains("trigger types found: "));
      CHECK_THAT(result.output(), !Contains("Running job"));
    }
    CHECK(!fs::exists(config.dir() / "out.txt"));

    fs::rename(tree / "trigger_interval.so.away", plugins / "trigger_interval.so");
    require_runs(binary, config);
  }

  SECTION("without executor_threadpool.so the default executor cannot be made, naming the directory searched") {
    fs::rename(plugins / "executor_threadpool.so", tree / "executor_threadpool.so.away");
    // `check` promises what `run` needs: both refuse.
    for (const char* command : {"check", "run"}) {
      CommandResult result = run_apsched({command, "-c", config.file().string()}, apsched::test::kGenerous, binary);
      INFO(command << ": " << result.output());
      CHECK(result.status.describe() == "exit status 1");
      CHECK_THAT(result.output(), Contains("unknown executor type 'threadpool'"));
      CHECK_THAT(result.output(), Contains("executor_threadpool.so"));
      CHECK_THAT(result.output(), Contains("[" + plugins.string() + "]"));
      CHECK_THAT(result.output(), !Contains("Running job"));
    }
    CHECK(!fs::exists(config.dir() / "out.txt"));

    fs::rename(tree / "executor_threadpool.so.away", plugins / "executor_threadpool.so");
    require_runs(binary, config);
  }

  SECTION("without the job library the job reference names the job directory searched") {
    fs::rename(plugins / "jobs/libexample_jobs.so", tree / "libexample_jobs.so.away");
    CommandResult result = run_apsched({"check", "-c", config.file().string()}, apsched::test::kGenerous, binary);
    INFO(result.output());
    CHECK(result.status.describe() == "exit status 1");
    CHECK_THAT(result.output(), Contains(config.at("example_jobs:append_line")));
    CHECK_THAT(result.output(), Contains("job library 'example_jobs' not found"));
    CHECK_THAT(result.output(), Contains("[" + (plugins / "jobs").string() + "]"));
  }
}

TEST_CASE("the apsched binary defines none of the plugins' classes", "[integration][kernel]") {
  const fs::path plugins = APSCHED_PLUGIN_DIR;
  // The names of classes that live in plugins, each checked in its plugin first so that
  // this test would notice if the names (or nm's output) stopped matching.
  const std::vector<std::pair<std::string, std::string>> classes{
      {"executor_threadpool.so", "ThreadPoolExecutor"}, {"executor_inline.so", "InlineExecutor"},
      {"store_memory.so", "MemoryStore"},               {"trigger_interval.so", "IntervalTrigger"},
      {"trigger_date.so", "DateTrigger"},               {"trigger_cron.so", "CronTrigger"}};
  const std::string kernel_symbols = command_output("nm -C " + std::string(APSCHED_BINARY));
  REQUIRE_THAT(kernel_symbols, Contains("apsched::core"));  // nm reads the binary's symbols at all
  for (const auto& [file, name] : classes) {
    if (!fs::exists(plugins / file)) continue;  // cron is a later plugin
    INFO(file << " / " << name);
    CHECK_THAT(command_output("nm -C " + (plugins / file).string()), Contains(name));
    CHECK_THAT(kernel_symbols, !Contains(name));
  }

  // It is not linked against any plugin or job library either: they are found at run time only.
  const std::string needed = command_output("readelf -d " + std::string(APSCHED_BINARY));
  REQUIRE_THAT(needed, Contains("(NEEDED)"));
  for (const char* prefix : {"trigger_", "store_", "executor_", "example_jobs"})
    CHECK_THAT(needed, !Contains(prefix));
}
