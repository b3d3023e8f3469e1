// The YAML config: what it accepts, and exact locations for what it refuses.
#include <catch2/catch.hpp>

#include <apsched/core/config.h>

#include <filesystem>
#include <fstream>

#include "temp_dir.h"

using namespace apsched;
using Catch::Matchers::Contains;
using Catch::Matchers::StartsWith;

namespace {

std::filesystem::path write_config(const std::string& name, const std::string& text) {
  static const testing::TempDir dir("apsched-config-test");  // one per test process, removed at exit
  auto file = dir / name;
  std::ofstream(file) << text;
  return file;
}

std::string load_error(const std::string& text) {
  auto file = write_config("bad.yaml", text);
  try {
    core::Config::load(file);
  } catch (const core::ConfigError& e) {
    return e.what();
  }
  return "accepted";
}

}  // namespace

TEST_CASE("a full config is read with APScheduler's names", "[config]") {
  auto file = write_config("good.yaml", R"(scheduler:
  timezone: Europe/Berlin
  plugin_path: plugins.d
  job_path: [jobs.d, /opt/jobs]
  watch_job_path: true
  instance_id: host-a
  log_level: warning
  release_freed_memory: false
  decoded_jobs_kept: 4096
jobstores:
  default: {type: memory}
executors:
  default: {type: threadpool, max_workers: 20}
job_defaults: {coalesce: false, max_instances: 3, misfire_grace_time: 30}
jobs:
  - {id: a, func: "example_jobs:tick", args: ["x", 2], kwargs: {k: v}, trigger: {type: interval, seconds: 3},
     misfire_grace_time: null, next_run_time: "2026-12-01T10:00:00", replace_existing: true}
)");
  auto config = core::Config::load(file);
  const auto& o = config.options();
  CHECK(o.timezone == "Europe/Berlin");
  CHECK(o.plugin_path == std::vector<std::filesystem::path>{file.parent_path() / "plugins.d"});
  CHECK(o.job_path.size() == 2);
  CHECK(o.job_path[1] == "/opt/jobs");
  CHECK(o.watch_job_path);
  CHECK(o.instance_id == "host-a");
  CHECK_FALSE(o.release_freed_memory);
  CHECK(o.decoded_jobs_kept == 4096);
  CHECK(config.log_level() == "warning");
  CHECK_FALSE(o.job_defaults.coalesce);
  CHECK(o.job_defaults.max_instances == 3);
  CHECK(o.job_defaults.misfire_grace_time == 30.0);
  REQUIRE(config.jobs().size() == 1);
  const auto& spec = config.jobs()[0].spec;
  CHECK(spec.args == sdk::Value(sdk::Value::List{"x", 2}));
  CHECK(spec.misfire_grace_time == std::optional<core::GraceTime>(core::GraceTime{}));
  CHECK(spec.replace_existing);
  // Naive times are in the scheduler's zone: 10:00 CET is 09:00Z.
  CHECK(spec.next_run_time == std::optional<std::optional<core::Timestamp>>(1796115600LL * sdk::kMicrosPerSecond));
}

TEST_CASE("a typo in a key is refused at its line and column with a suggestion", "[config]") {
  std::string error = load_error("job_defaults:\n  max_instance: 3\n");
  CHECK_THAT(error, Contains("bad.yaml:2:3: unknown key 'max_instance' in 'job_defaults'; did you mean 'max_instances'?"));
  CHECK_THAT(load_error("jobs:\n  - {id: a, func: 'x:y', trigger: {type: date}, coalesse: true}\n"),
             Contains("bad.yaml:2:49: unknown key 'coalesse' in a job; did you mean 'coalesce'?"));
}

TEST_CASE("bad YAML is refused with its location", "[config]") {
  CHECK_THAT(load_error("jobs:\n  - {id: a\n"), Contains("bad.yaml:") && Contains("invalid YAML"));
  CHECK_THAT(load_error("scheduler: {timezone: UTC}\nscheduler: {}\n"), Contains("bad.yaml:2:1: duplicate key 'scheduler'"));
}

TEST_CASE("wrong values are refused where they are", "[config]") {
  CHECK_THAT(load_error("scheduler:\n  timezone: Mars/Olympus\n"),
             Contains("bad.yaml:2:13: unknown time zone 'Mars/Olympus'"));
  CHECK_THAT(load_error("job_defaults: {max_instances: 0}\n"), Contains("bad.yaml:1:31: max_instances must be at least 1"));
  CHECK_THAT(load_error("job_defaults: {misfire_grace_time: -2}\n"), Contains("misfire_grace_time must be a positive"));
  CHECK_THAT(load_error("job_defaults: {coalesce: 3}\n"), Contains("expected true or false, got integer"));
  CHECK_THAT(load_error("scheduler: {watch_job_path: yes please}\n"),
             Contains("bad.yaml:1:29: expected true or false, got string"));
  CHECK_THAT(load_error("jobs:\n  - {func: 'a:b', trigger: {type: date}}\n"), Contains("bad.yaml:2:5: a job in the config needs an 'id:'"));
  CHECK_THAT(load_error("jobs:\n  - {id: a, func: 'a:b', trigger: {seconds: 3}}\n"), Contains("a trigger needs 'type:'"));
  CHECK_THAT(load_error("executors:\n  pool: {max_workers: 3}\n"), Contains("bad.yaml:2:9: the executor 'pool' needs 'type:'"));
  CHECK_THAT(load_error("scheduler: {decoded_jobs_kept: 100}\n"),
             Contains("bad.yaml:1:32: decoded_jobs_kept must be at least 2048"));
  CHECK_THAT(load_error("job_defaults: {max_instances: 4294967297}\n"),
             Contains("bad.yaml:1:31: the integer 4294967297 is out of range"));  // not cut to 1
}

TEST_CASE("duplicate job ids are refused, naming both", "[config]") {
  std::string error = load_error(
      "jobs:\n"
      "  - {id: a, func: 'x:y', trigger: {type: date}}\n"
      "  - {id: a, func: 'x:y', trigger: {type: date}}\n");
  CHECK_THAT(error, StartsWith(write_config("bad.yaml", "").string() + ":3:10: duplicate job id 'a' (first used at "));
  CHECK_THAT(error, Contains(":2:5)"));
}

TEST_CASE("configure() reports every problem with its location", "[config]") {
  auto file = write_config("problems.yaml",
                           "jobs:\n"
                           "  - {id: a, func: 'example_jobs:tikc', trigger: {type: interval, seconds: 3}}\n"
                           "  - {id: b, func: 'example_jobs:tick', trigger: {type: interval, secnds: 3}}\n"
                           "  - {id: c, func: 'example_jobs:tick', trigger: {type: interval, seconds: 3}, executor: pool}\n");
  auto config = core::Config::load(file);
  core::SchedulerOptions options = config.options();
  options.plugin_path = {APSCHED_PLUGIN_DIR};
  options.job_path = {APSCHED_JOBS_DIR};
  core::Scheduler scheduler(options);
  auto problems = core::configure(scheduler, config);
  REQUIRE(problems.size() == 3);
  CHECK_THAT(problems[0], Contains("problems.yaml:2:19: ") && Contains("no function 'tikc'"));
  CHECK_THAT(problems[1], Contains("problems.yaml:3:") && Contains("unknown key 'secnds'"));
  CHECK_THAT(problems[2], Contains("problems.yaml:4:89: ") && Contains("executor 'pool'"));
}

TEST_CASE("TriggerSpec from YAML and from code", "[config]") {
  auto from_yaml = core::TriggerSpec::from_yaml("{type: cron, hour: '9', minute: 30}");
  CHECK(from_yaml.type() == "cron");
  CHECK(*from_yaml.config.find("hour") == sdk::Value("9"));
  CHECK(*from_yaml.config.find("minute") == sdk::Value(30));
  auto from_code = core::TriggerSpec::make("interval", {{"seconds", 3}});
  CHECK(from_code.type() == "interval");
  CHECK_THROWS_AS(core::TriggerSpec::from_yaml("[1, 2]"), core::ConfigError);
  CHECK_THROWS_WITH(core::TriggerSpec::from_yaml("{type: cron"), Contains("invalid YAML"));
}

TEST_CASE("a config with a second YAML document is refused where it starts, not cut to the first", "[config]") {
  CHECK_THAT(load_error("jobs: []\n---\njobs: [1]\n"),
             Contains("bad.yaml:3:1: a second YAML document (after '---'): apsched reads one"));
  CHECK(load_error("---\njobs: []\n") == "accepted");  // one document, explicitly started
  CHECK(load_error("") == "accepted");                 // empty: the defaults
}

TEST_CASE("a directory given as the config is refused, not read as an empty config", "[config]") {
  testing::TempDir dir("apsched-config-dir");
  try {
    core::Config::load(dir.path());
    FAIL("a directory was accepted as a config");
  } catch (const core::ConfigError& e) {
    CHECK_THAT(e.what(), Contains(dir.path().string() + ": is a directory, not a config file"));
  }
}

TEST_CASE("YAML indented with a tab is refused with a hint about the tab", "[config]") {
  CHECK_THAT(load_error("scheduler:\n\ttimezone: UTC\n"),
             Contains("bad.yaml:2:") && Contains("invalid YAML") &&
                 Contains("(this line is indented with a tab: YAML indents with spaces)"));
  CHECK_THAT(load_error("scheduler: {timezone: UTC\n"), !Contains("tab"));
}

TEST_CASE("an integer too large for 64 bits is refused where it is, not read as text", "[config]") {
  CHECK_THAT(load_error("scheduler: {decoded_jobs_kept: 99999999999999999999999}\n"),
             Contains("bad.yaml:1:32: the integer 99999999999999999999999 is too large"));
  CHECK(load_error("jobs: []\nscheduler: {instance_id: '99999999999999999999999'}\n") == "accepted");  // quoted: text
}
