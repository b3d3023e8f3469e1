// Every bad input of issue 2 is refused by `apsched check` and by `apsched run` (before
// anything runs) with exit status 1 and a message naming file:line:column.
#include <catch2/catch.hpp>

#include <filesystem>
#include <string>

#include "refusal.h"

namespace fs = std::filesystem;
using apsched::test::ConfigFile;
using apsched::test::require_accepted;
using apsched::test::require_refused;

namespace {

/** A job block (four-space indented keys) ticking every `seconds`. */
std::string tick_job(const std::string& id, const std::string& seconds = "3") {
  return "  - id: " + id +
         "\n"
         "    func: example_jobs:tick\n"
         "    trigger:\n"
         "      type: interval\n"
         "      seconds: " +
         seconds + "\n";
}

const std::string kScheduler = "scheduler:\n  timezone: UTC\n";

}  // namespace

TEST_CASE("the control config for the bad inputs is accepted", "[integration][config]") {
  // Every refusal below is this config with one thing wrong.
  ConfigFile config(kScheduler + "jobs:\n" + tick_job("a") + tick_job("b"));
  require_accepted(config);
}

TEST_CASE("bad YAML syntax is refused with its line and column", "[integration][config]") {
  ConfigFile config(kScheduler +
                    "jobs:\n"
                    "  - id: a\n"
                    "    func: example_jobs:tick: more\n"
                    "    trigger: {type: interval, seconds: 3}\n");
  require_refused(config, {config.at(": more"), "invalid YAML"});
}

TEST_CASE("an unclosed flow mapping is refused as invalid YAML", "[integration][config]") {
  ConfigFile config(kScheduler +
                    "jobs:\n"
                    "  - id: a\n"
                    "    func: example_jobs:tick\n"
                    "    trigger: {type: interval, seconds: 3\n");
  require_refused(config, {config.file().string() + ":", "invalid YAML"});
}

TEST_CASE("a duplicate key in a mapping is refused", "[integration][config]") {
  ConfigFile config(kScheduler +
                    "jobs:\n"
                    "  - id: a\n"
                    "    func: example_jobs:tick\n"
                    "    func: example_jobs:noop\n"
                    "    trigger: {type: interval, seconds: 3}\n");
  require_refused(config, {config.at("func", 1), "duplicate key 'func'"});
}

TEST_CASE("a misspelt job key (max_instance) is refused with a suggestion", "[integration][config]") {
  ConfigFile config(kScheduler +
                    "jobs:\n"
                    "  - id: a\n"
                    "    func: example_jobs:tick\n"
                    "    max_instance: 2\n"
                    "    trigger: {type: interval, seconds: 3}\n");
  require_refused(config, {config.at("max_instance"), "unknown key 'max_instance'", "did you mean 'max_instances'"});
}

TEST_CASE("a misspelt scheduler key is refused with a suggestion", "[integration][config]") {
  ConfigFile config("scheduler:\n  timezon: UTC\njobs:\n" + tick_job("a"));
  require_refused(config, {config.at("timezon"), "unknown key 'timezon'", "did you mean 'timezone'"});
}

TEST_CASE("a misspelt job_defaults key is refused with a suggestion", "[integration][config]") {
  ConfigFile config(kScheduler + "job_defaults:\n  coalesse: true\njobs:\n" + tick_job("a"));
  require_refused(config, {config.at("coalesse"), "unknown key 'coalesse'", "did you mean 'coalesce'"});
}

TEST_CASE("a misspelt trigger key (secnds) is refused, not read as a trigger without length",
          "[integration][config]") {
  // The only length key is misspelt: the typo is the problem to report, not the length.
  ConfigFile config(kScheduler +
                    "jobs:\n"
                    "  - id: a\n"
                    "    func: example_jobs:tick\n"
                    "    trigger:\n"
                    "      type: interval\n"
                    "      secnds: 10\n");
  std::string line = config.at("secnds");
  line = line.substr(0, line.rfind(':', line.size() - 2) + 1);  // "<file>:<line>:": key or value column
  require_refused(config, {line, "unknown key 'secnds'", "did you mean 'seconds'"});
}

TEST_CASE("a misspelt trigger key beside a valid length is refused", "[integration][config]") {
  ConfigFile config(kScheduler +
                    "jobs:\n"
                    "  - id: a\n"
                    "    func: example_jobs:tick\n"
                    "    trigger:\n"
                    "      type: interval\n"
                    "      minutes: 1\n"
                    "      secnds: 10\n");
  std::string line = config.at("secnds");
  line = line.substr(0, line.rfind(':', line.size() - 2) + 1);
  require_refused(config, {line, "unknown key 'secnds'", "did you mean 'seconds'"});
}

TEST_CASE("an unknown trigger type lists the plugin path and the types found", "[integration][config]") {
  ConfigFile config(kScheduler +
                    "jobs:\n"
                    "  - id: a\n"
                    "    func: example_jobs:tick\n"
                    "    trigger:\n"
                    "      type: intervall\n"
                    "      seconds: 3\n");
  std::string searched = fs::path(APSCHED_PLUGIN_DIR).lexically_normal().string();
  require_refused(config, {config.at("intervall"), "unknown trigger type 'intervall'", "did you mean 'interval'",
                           "trigger_intervall.so", searched, "trigger types found:", "date", "interval"});
}

TEST_CASE("an unknown executor type lists the plugin path and the types found", "[integration][config]") {
  ConfigFile config(kScheduler + "executors:\n  default:\n    type: threadpol\njobs:\n" + tick_job("a"));
  std::string searched = fs::path(APSCHED_PLUGIN_DIR).lexically_normal().string();
  require_refused(config, {config.at("threadpol"), "unknown executor type 'threadpol'", "did you mean 'threadpool'",
                           "executor_threadpol.so", searched, "executor types found:", "threadpool"});
}

TEST_CASE("an unknown job store type lists the plugin path and the types found", "[integration][config]") {
  ConfigFile config(kScheduler + "jobstores:\n  default:\n    type: memroy\njobs:\n" + tick_job("a"));
  std::string searched = fs::path(APSCHED_PLUGIN_DIR).lexically_normal().string();
  require_refused(config, {config.at("memroy"), "unknown job store type 'memroy'", "did you mean 'memory'",
                           "store_memroy.so", searched, "job store types found:", "memory"});
}

TEST_CASE("a job library that is not on the job path is refused", "[integration][config]") {
  ConfigFile config(kScheduler +
                    "jobs:\n"
                    "  - id: a\n"
                    "    func: nosuch_jobs:tick\n"
                    "    trigger: {type: interval, seconds: 3}\n");
  std::string searched = fs::path(APSCHED_JOBS_DIR).lexically_normal().string();
  require_refused(config, {config.at("nosuch_jobs:tick"), "job library 'nosuch_jobs' not found", "libnosuch_jobs.so",
                           searched});
}

TEST_CASE("a job path entry that does not exist is marked so where the job library is looked for",
          "[integration][config]") {
  ConfigFile config("scheduler: {job_path: [nowhere]}\n"
                    "jobs:\n"
                    "  - {id: a, func: 'nosuch_jobs:tick', trigger: {type: interval, seconds: 3}}\n");
  require_refused(config, {(config.dir() / "nowhere").string() + " (does not exist)"});
}

TEST_CASE("an unknown job function is refused with a suggestion and the library's functions",
          "[integration][config]") {
  ConfigFile config(kScheduler +
                    "jobs:\n"
                    "  - id: a\n"
                    "    func: example_jobs:tikc\n"
                    "    trigger: {type: interval, seconds: 3}\n");
  require_refused(config, {config.at("example_jobs:tikc"), "no function 'tikc'; did you mean 'tick'",
                           "append_line", "sleep"});
}

TEST_CASE("a job reference without 'library:' is refused", "[integration][config]") {
  ConfigFile config(kScheduler +
                    "jobs:\n"
                    "  - id: a\n"
                    "    func: example_jobs.tick\n"
                    "    trigger: {type: interval, seconds: 3}\n");
  require_refused(config, {config.at("example_jobs.tick"), "expected 'library:function'"});
}

TEST_CASE("duplicate job ids are refused, naming both places", "[integration][config]") {
  ConfigFile config(kScheduler + "jobs:\n" + tick_job("twin") + tick_job("other") + tick_job("twin"));
  require_refused(config, {config.at("twin", 1), "duplicate job id 'twin'",
                           "first used at " + config.at("id: twin").substr(0, config.at("id: twin").size() - 1)});
}

TEST_CASE("a zero interval is refused", "[integration][config]") {
  ConfigFile config(kScheduler + "jobs:\n" + tick_job("a", "0"));
  require_refused(config, {config.at_after("seconds: "), "interval must be positive"});
}

TEST_CASE("a negative interval is refused", "[integration][config]") {
  ConfigFile config(kScheduler +
                    "jobs:\n"
                    "  - id: a\n"
                    "    func: example_jobs:tick\n"
                    "    trigger:\n"
                    "      type: interval\n"
                    "      minutes: -5\n");
  require_refused(config, {config.at("-5"), "interval must be positive", "-5"});
}

TEST_CASE("an interval whose parts sum to zero is refused", "[integration][config]") {
  ConfigFile config(kScheduler +
                    "jobs:\n"
                    "  - id: a\n"
                    "    func: example_jobs:tick\n"
                    "    trigger:\n"
                    "      type: interval\n"
                    "      minutes: 1\n"
                    "      seconds: -60\n");
  require_refused(config, {config.file().string() + ":", "interval must be positive"});
}

TEST_CASE("an unknown time zone in the scheduler is refused", "[integration][config]") {
  ConfigFile config("scheduler:\n  timezone: Mars/Olympus_Mons\njobs:\n" + tick_job("a"));
  require_refused(config, {config.at("Mars/Olympus_Mons"), "unknown time zone 'Mars/Olympus_Mons'"});
}

TEST_CASE("an unknown time zone in a trigger is refused", "[integration][config]") {
  ConfigFile config(kScheduler +
                    "jobs:\n"
                    "  - id: a\n"
                    "    func: example_jobs:tick\n"
                    "    trigger:\n"
                    "      type: interval\n"
                    "      seconds: 3\n"
                    "      timezone: Europe/Atlantis\n");
  require_refused(config, {config.at("Europe/Atlantis"), "unknown time zone 'Europe/Atlantis'"});
}

TEST_CASE("a job naming an executor that is not configured is refused", "[integration][config]") {
  ConfigFile config(kScheduler +
                    "jobs:\n"
                    "  - id: a\n"
                    "    func: example_jobs:tick\n"
                    "    executor: turbo\n"
                    "    trigger: {type: interval, seconds: 3}\n");
  require_refused(config, {config.at("turbo"), "executor 'turbo'", "(configured: default)"});
}

TEST_CASE("a misspelt executor or job store name gets a suggestion", "[integration][config]") {
  ConfigFile config(kScheduler +
                    "executors: {processpool: {type: processpool}}\n"
                    "jobs:\n"
                    "  - {id: a, func: 'example_jobs:tick', executor: processpol, jobstore: defualt,\n"
                    "     trigger: {type: interval, seconds: 3}}\n");
  require_refused(config, {config.at("processpol"), "(configured: default, processpool); did you mean 'processpool'?",
                           config.at("defualt"), "job store 'defualt'", "did you mean 'default'?"});
}

TEST_CASE("max_instances below 1 is refused", "[integration][config]") {
  ConfigFile config(kScheduler +
                    "jobs:\n"
                    "  - id: a\n"
                    "    func: example_jobs:tick\n"
                    "    max_instances: 0\n"
                    "    trigger: {type: interval, seconds: 3}\n");
  require_refused(config, {config.at_after("max_instances: "), "max_instances must be at least 1"});
}

TEST_CASE("a bad cron field is refused", "[integration][config]") {
  if (!fs::exists(fs::path(APSCHED_PLUGIN_DIR) / "trigger_cron.so")) {
    WARN("trigger_cron.so is not in this build: nothing to test");
    return;
  }
  ConfigFile config(kScheduler +
                    "jobs:\n"
                    "  - id: a\n"
                    "    func: example_jobs:tick\n"
                    "    trigger:\n"
                    "      type: cron\n"
                    "      minute: 0\n"
                    "      hour: '25'\n");
  require_refused(config, {config.at("'25'"), "hour", "25"});
}

TEST_CASE("several problems are all reported at once", "[integration][config]") {
  ConfigFile config(kScheduler +
                    "jobs:\n"
                    "  - id: a\n"
                    "    func: example_jobs:tikc\n"
                    "    trigger: {type: interval, seconds: 3}\n"
                    "  - id: b\n"
                    "    func: example_jobs:tick\n"
                    "    trigger: {type: interval, seconds: 0}\n");
  require_refused(config, {config.at("example_jobs:tikc"), "no function 'tikc'", config.at_after("seconds: ", 1),
                           "interval must be positive", "2 problems"});
}
