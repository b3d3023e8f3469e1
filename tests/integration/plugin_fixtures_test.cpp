// Plugins and job libraries that must not load (tests/fixtures/) are refused by
// `apsched check` and `apsched run` with exit status 1, naming the file and the reason.
#include <catch2/catch.hpp>

#include <csignal>
#include <filesystem>
#include <string>

#include <apsched/sdk/descriptor.h>
#include <apsched/sdk/version.h>

#include "refusal.h"

namespace fs = std::filesystem;
using apsched::test::ConfigFile;
using apsched::test::require_accepted;
using apsched::test::require_refused;
using apsched::test::start_host;
using apsched::test::write_file;

namespace {

const fs::path kFixturePlugins = APSCHED_FIXTURE_PLUGIN_DIR;
const fs::path kFixtureJobs = APSCHED_FIXTURE_JOBS_DIR;

/** A config whose one job uses a trigger of `type`, found on the fixture plugin directory. */
std::string trigger_config(const std::string& type, const std::string& extra_trigger_keys = "") {
  return "scheduler:\n"
         "  timezone: UTC\n"
         "  plugin_path: [" +
         kFixturePlugins.string() +
         "]\n"
         "jobs:\n"
         "  - id: fixture\n"
         "    func: example_jobs:tick\n"
         "    trigger:\n"
         "      type: " +
         type + "\n" + extra_trigger_keys;
}

/** A config whose one job calls `reference`, with the fixture job directory on the job path. */
std::string job_config(const std::string& reference) {
  return "scheduler:\n"
         "  timezone: UTC\n"
         "  job_path: [" +
         kFixtureJobs.string() +
         "]\n"
         "jobs:\n"
         "  - id: fixture\n"
         "    func: " +
         reference +
         "\n"
         "    trigger: {type: interval, seconds: 3}\n";
}

std::string plugin_file(const std::string& name) { return (kFixturePlugins / name).string(); }
std::string jobs_file(const std::string& name) { return (kFixtureJobs / name).string(); }

const std::string kHostApi = std::to_string(APSCHED_SDK_API_MAJOR) + "." + std::to_string(APSCHED_SDK_API_MINOR);

}  // namespace

TEST_CASE("the fixture plugin directory works: a correct fixture plugin is accepted and runs",
          "[integration][fixtures]") {
  ConfigFile config(trigger_config("fixture_ok"));
  require_accepted(config);

  // It fires at once: the job runs through the fixture trigger, then the host stops cleanly.
  auto host = apsched::test::start_host(config.file(), config.dir());
  REQUIRE_OUTPUT(*host, "tick job=fixture");
  host->send_signal(SIGTERM);
  CHECK(host->wait().describe() == "exit status 0");
}

TEST_CASE("a plugin built against another SDK major version is refused", "[integration][fixtures]") {
  ConfigFile config(trigger_config("wrong_api_major"));
  std::string theirs = std::to_string(APSCHED_SDK_API_MAJOR + 1) + "." + std::to_string(APSCHED_SDK_API_MINOR);
  require_refused(config, {config.at("type: wrong_api_major"), plugin_file("trigger_wrong_api_major.so"),
                           "SDK API " + theirs, "this host has API " + kHostApi, "another major version"});
}

TEST_CASE("a plugin built against a newer SDK minor version is refused", "[integration][fixtures]") {
  ConfigFile config(trigger_config("newer_api_minor"));
  std::string theirs = std::to_string(APSCHED_SDK_API_MAJOR) + "." + std::to_string(APSCHED_SDK_API_MINOR + 1);
  require_refused(config, {config.at("type: newer_api_minor"), plugin_file("trigger_newer_api_minor.so"),
                           "SDK API " + theirs, "this host has API " + kHostApi, "newer minor version"});
}

TEST_CASE("a plugin built with another toolchain is refused", "[integration][fixtures]") {
  ConfigFile config(trigger_config("bad_toolchain"));
  require_refused(config, {config.at("type: bad_toolchain"), plugin_file("trigger_bad_toolchain.so"),
                           "clang-99;cxx11abi=0;glibcxx_debug=1;sdk=1", APSCHED_TOOLCHAIN_FINGERPRINT});
}

TEST_CASE("a shared object that exports no apsched plugin is refused", "[integration][fixtures]") {
  ConfigFile config(trigger_config("missing_alias"));
  require_refused(config, {config.at("type: missing_alias"), plugin_file("trigger_missing_alias.so"),
                           "not an apsched plugin", APSCHED_STRINGIFY(APSCHED_PLUGIN_ALIAS),
                           "build it with the SDK's APSCHED_*_PLUGIN(...) macro"});
}

TEST_CASE("a plugin: that is a directory or no shared object at all is refused as such", "[integration][fixtures]") {
  apsched::test::TempDir dir("apsched-not-so");
  write_file(dir / "trigger_text.so", "not a shared object\n");
  ConfigFile text(trigger_config("text", "      plugin: " + (dir / "trigger_text.so").string() + "\n"));
  require_refused(text, {text.at("type: text"), "trigger_text.so: not an apsched plugin: not a shared object (ELF)"});
  ConfigFile directory(trigger_config("text", "      plugin: " + dir.path().string() + "\n"));
  require_refused(directory, {dir.path().string() + ": is a directory: give the path of the plugin's .so file"});
}

TEST_CASE("a plugin whose declared type differs from its file name is refused", "[integration][fixtures]") {
  ConfigFile config(trigger_config("foo"));
  require_refused(config, {config.at("type: foo"), plugin_file("trigger_foo.so"), "declares type 'bar'", "'foo'"});
}

TEST_CASE("a job store plugin in a trigger's place is refused", "[integration][fixtures]") {
  ConfigFile config(trigger_config("kind_mismatch"));
  require_refused(config, {config.at("type: kind_mismatch"), plugin_file("trigger_kind_mismatch.so"),
                           "is not a trigger plugin"});
}

TEST_CASE("a trigger plugin in a job store's place is refused", "[integration][fixtures]") {
  ConfigFile config("scheduler:\n  timezone: UTC\njobstores:\n  default:\n    type: fixture_ok\n    plugin: " +
                    plugin_file("trigger_fixture_ok.so") +
                    "\njobs:\n  - id: a\n    func: example_jobs:tick\n    trigger: {type: interval, seconds: 3}\n");
  require_refused(config, {config.at("type: fixture_ok"), plugin_file("trigger_fixture_ok.so"),
                           "is not a job store plugin"});
}

TEST_CASE("a plugin whose constructor throws is refused with its message at its key", "[integration][fixtures]") {
  ConfigFile config(trigger_config("throws_in_create", "      answer: 41\n"));
  require_refused(config, {config.at_after("answer: "), "fixture refuses answer: it must be 42"});
}

TEST_CASE("a plugin with an unresolved symbol is refused when loaded (RTLD_NOW)", "[integration][fixtures]") {
  ConfigFile config(trigger_config("unresolved_symbol"));
  require_refused(config, {config.at("type: unresolved_symbol"), plugin_file("trigger_unresolved_symbol.so"),
                           "cannot load plugin", "apsched_fixture_function_nobody_defines"});
}

TEST_CASE("'plugin:' names a plugin file relative to the config", "[integration][fixtures]") {
  ConfigFile config(
      "scheduler:\n"
      "  timezone: UTC\n"
      "jobs:\n"
      "  - id: a\n"
      "    func: example_jobs:tick\n"
      "    trigger:\n"
      "      type: fixture_ok\n"
      "      plugin: plugins.d/trigger_fixture_ok.so\n");
  fs::create_directories(config.dir() / "plugins.d");
  fs::copy_file(kFixturePlugins / "trigger_fixture_ok.so", config.dir() / "plugins.d/trigger_fixture_ok.so");
  fs::copy_file(kFixturePlugins / "trigger_foo.so", config.dir() / "plugins.d/trigger_foo.so");
  require_accepted(config);

  SECTION("a broken plugin given by path is refused naming that path") {
    ConfigFile broken(
        "scheduler:\n"
        "  timezone: UTC\n"
        "jobs:\n"
        "  - id: a\n"
        "    func: example_jobs:tick\n"
        "    trigger:\n"
        "      type: foo\n"
        "      plugin: " +
        (config.dir() / "plugins.d/trigger_foo.so").string() + "\n");
    require_refused(broken, {broken.at("type: foo"), (config.dir() / "plugins.d/trigger_foo.so").string(),
                             "declares type 'bar'"});
  }
  SECTION("a plugin path that does not exist is refused") {
    ConfigFile missing(
        "scheduler:\n"
        "  timezone: UTC\n"
        "jobs:\n"
        "  - id: a\n"
        "    func: example_jobs:tick\n"
        "    trigger:\n"
        "      type: fixture_ok\n"
        "      plugin: plugins.d/trigger_fixture_ok.so\n");
    require_refused(missing, {missing.file().string() + ":",
                              (missing.dir() / "plugins.d/trigger_fixture_ok.so").string(), "no such file"});
  }
}

TEST_CASE("the fixture job directory works: a correct fixture job library is accepted", "[integration][fixtures]") {
  require_accepted(ConfigFile(job_config("fixture_jobs:hello")));
}

TEST_CASE("a job library built against another SDK major version is refused", "[integration][fixtures]") {
  ConfigFile config(job_config("broken_jobs:hello"));
  std::string theirs = std::to_string(APSCHED_SDK_API_MAJOR + 1) + "." + std::to_string(APSCHED_SDK_API_MINOR);
  require_refused(config, {config.at("broken_jobs:hello"), jobs_file("libbroken_jobs.so"), "SDK API " + theirs,
                           "this host has API " + kHostApi, "another major version"});
}

TEST_CASE("a job library built against a newer SDK minor version is refused", "[integration][fixtures]") {
  ConfigFile config(job_config("broken_jobs_minor:hello"));
  require_refused(config, {config.at("broken_jobs_minor:hello"), jobs_file("libbroken_jobs_minor.so"),
                           "this host has API " + kHostApi, "newer minor version"});
}

TEST_CASE("a job library built with another toolchain is refused", "[integration][fixtures]") {
  ConfigFile config(job_config("broken_jobs_toolchain:hello"));
  require_refused(config, {config.at("broken_jobs_toolchain:hello"), jobs_file("libbroken_jobs_toolchain.so"),
                           "clang-99;cxx11abi=0;glibcxx_debug=1;sdk=1"});
}

TEST_CASE("a shared object that exports no job table is refused as a job library", "[integration][fixtures]") {
  ConfigFile config(job_config("not_jobs:hello"));
  require_refused(config, {config.at("not_jobs:hello"), jobs_file("libnot_jobs.so"), "not an apsched job library",
                           APSCHED_STRINGIFY(APSCHED_JOBS_ALIAS), "build it with the SDK's APSCHED_JOB_LIBRARY() macro"});
}

TEST_CASE("a job library registering one name twice is refused", "[integration][fixtures]") {
  ConfigFile config(job_config("twice_jobs:hello"));
  require_refused(config, {config.at("twice_jobs:hello"), jobs_file("libtwice_jobs.so"),
                           "'hello' is registered twice"});
}

TEST_CASE("a job library with an unresolved symbol is refused when loaded", "[integration][fixtures]") {
  ConfigFile config(job_config("unresolved_jobs:hello"));
  require_refused(config, {config.at("unresolved_jobs:hello"), jobs_file("libunresolved_jobs.so"),
                           "cannot load job library", "apsched_fixture_job_function_nobody_defines"});
}

TEST_CASE("plugin_path and job_path are relative to the config file", "[integration][fixtures]") {
  ConfigFile config(
      "scheduler:\n"
      "  timezone: UTC\n"
      "  plugin_path: [plugins.d]\n"
      "  job_path: jobs.d\n"
      "jobs:\n"
      "  - id: a\n"
      "    func: fixture_jobs:hello\n"
      "    trigger: {type: fixture_ok}\n");
  fs::create_directories(config.dir() / "plugins.d");
  fs::create_directories(config.dir() / "jobs.d");
  SECTION("with the files there, the config is accepted") {
    fs::copy_file(kFixturePlugins / "trigger_fixture_ok.so", config.dir() / "plugins.d/trigger_fixture_ok.so");
    fs::copy_file(kFixtureJobs / "libfixture_jobs.so", config.dir() / "jobs.d/libfixture_jobs.so");
    require_accepted(config);
  }
  SECTION("without one of them, its directory is named before the default one") {
    fs::copy_file(kFixtureJobs / "libfixture_jobs.so", config.dir() / "jobs.d/libfixture_jobs.so");
    require_refused(config, {config.at("fixture_ok"), "unknown trigger type 'fixture_ok'",
                             "[" + (config.dir() / "plugins.d").string() + ", " +
                                 fs::path(APSCHED_PLUGIN_DIR).lexically_normal().string() + "]",
                             "trigger types found: ", "interval"});
    fs::remove(config.dir() / "jobs.d/libfixture_jobs.so");
    fs::copy_file(kFixturePlugins / "trigger_fixture_ok.so", config.dir() / "plugins.d/trigger_fixture_ok.so");
    require_refused(config, {config.at("fixture_jobs:hello"), "job library 'fixture_jobs' not found",
                             "[" + (config.dir() / "jobs.d").string() + ", " +
                                 fs::path(APSCHED_JOBS_DIR).lexically_normal().string() + "]"});
  }
}

TEST_CASE("an unknown type lists the types found in every directory of the plugin path", "[integration][fixtures]") {
  ConfigFile config(trigger_config("nosuch"));
  require_refused(config, {config.at("nosuch"), "unknown trigger type 'nosuch'",
                           "[" + kFixturePlugins.string() + ", " +
                               fs::path(APSCHED_PLUGIN_DIR).lexically_normal().string() + "]",
                           "fixture_ok", "interval", "wrong_api_major"});
}

TEST_CASE("an executor that does not start a run: each one is logged with the job and the executor, the host runs on",
          "[integration][fixtures]") {
  // "refusing" refuses each run; "no_statuses" breaks submit_all's contract by saying nothing.
  for (const auto& [type, reason] :
       {std::pair<std::string, std::string>{"refusing", "the refusing executor takes no runs"},
        std::pair<std::string, std::string>{
            "no_statuses", "the executor's submit_all gave no status for this run (a bug in the executor plugin)"}}) {
    ConfigFile config("scheduler:\n"
                      "  timezone: UTC\n"
                      "  plugin_path: [" + kFixturePlugins.string() + "]\n"
                      "executors: {default: {type: " + type + "}}\n"
                      "jobs:\n"
                      "  - {id: fixture, func: 'example_jobs:tick', trigger: {type: interval, seconds: 0.2}}\n",
                      "apsched-executor-" + type);
    auto host = start_host(config.file(), config.dir());
    REQUIRE_OUTPUT(*host, "Error submitting job \"fixture\" to executor \"default\": " + reason);
    host->send_signal(SIGTERM);
    auto status = host->wait();
    INFO(host->output());
    CHECK(status.describe() == "exit status 0");
  }
}
