// `apsched check`, `apsched jobs` and `apsched next` as a user runs them.
#include <catch2/catch.hpp>

#include <filesystem>
#include <string>

#include "refusal.h"

namespace fs = std::filesystem;
using apsched::test::CommandResult;
using apsched::test::ConfigFile;
using apsched::test::run_apsched;
using Catch::Matchers::Contains;

namespace {

bool have_plugin(const char* file) { return fs::exists(fs::path(APSCHED_PLUGIN_DIR) / file); }

const std::string kUsage = "usage: apsched <command>";

}  // namespace

TEST_CASE("apsched check accepts a good config and says what it found", "[integration][commands]") {
  ConfigFile config(
      "scheduler:\n"
      "  timezone: Europe/Berlin\n"
      "jobstores:\n"
      "  volatile: {type: memory}\n"
      "executors:\n"
      "  default: {type: threadpool, max_workers: 4}\n"
      "  inline: {type: inline}\n"
      "job_defaults: {coalesce: false, max_instances: 3, misfire_grace_time: 30}\n"
      "jobs:\n"
      "  - {id: every3s, func: 'example_jobs:tick', args: ['interval job'], trigger: {type: interval, seconds: 3}}\n"
      "  - {id: once, func: 'example_jobs:noop', trigger: {type: date, run_date: '2030-06-01T10:00:00'},\n"
      "     jobstore: volatile, executor: inline}\n");
  CommandResult result = run_apsched({"check", "-c", config.file().string()});
  INFO(result.output());
  CHECK(result.status.describe() == "exit status 0");
  CHECK_THAT(result.out, Contains(config.file().string() + ": OK (2 jobs"));
  CHECK(result.err.empty());
}

TEST_CASE("apsched check and jobs need -c", "[integration][commands]") {
  for (const char* command : {"check", "jobs"}) {
    CommandResult result = run_apsched({command});
    INFO(command << ": " << result.output());
    CHECK(result.status.describe() == "exit status 2");
    CHECK_THAT(result.err, Contains("needs -c CONFIG"));
    CHECK_THAT(result.err, Contains(kUsage));
  }
}

TEST_CASE("apsched check on a file that does not exist exits 1 naming it", "[integration][commands]") {
  apsched::test::TempDir dir;
  std::string missing = (dir / "nowhere.yaml").string();
  CommandResult result = run_apsched({"check", "-c", missing});
  INFO(result.output());
  CHECK(result.status.describe() == "exit status 1");
  CHECK_THAT(result.err, Contains(missing));
}

TEST_CASE("--help after a command prints the usage with exit status 0", "[integration][commands]") {
  for (const char* command : {"run", "check", "next", "jobs"}) {
    CommandResult result = run_apsched({command, "--help"});
    INFO(command << ": " << result.output());
    CHECK(result.status.describe() == "exit status 0");
    CHECK_THAT(result.out, Contains(kUsage));
  }
}

TEST_CASE("an unknown command is a usage error", "[integration][commands]") {
  CommandResult result = run_apsched({"frobnicate"});
  INFO(result.output());
  CHECK(result.status.describe() == "exit status 2");
  CHECK_THAT(result.err, Contains("unknown command 'frobnicate'"));
}

TEST_CASE("apsched jobs lists the configured jobs with their triggers", "[integration][commands]") {
  std::string cron_job = have_plugin("trigger_cron.so")
                             ? "  - {id: nightly, func: 'example_jobs:tick', trigger: {type: cron, hour: 2, minute: 30}}\n"
                             : "";
  ConfigFile config(
      "scheduler:\n"
      "  timezone: UTC\n"
      "jobs:\n"
      "  - {id: every3s, name: Every three seconds, func: 'example_jobs:tick', trigger: {type: interval, seconds: 3}}\n"
      "  - {id: once, func: 'example_jobs:noop',\n"
      "     trigger: {type: date, run_date: '2030-06-01T10:00:00', timezone: Europe/Berlin}}\n"
      "  - {id: hourly, func: 'example_jobs:tick', trigger: {type: interval, hours: 1}}\n" +
      cron_job);
  CommandResult result = run_apsched({"jobs", "-c", config.file().string()});
  INFO(result.output());
  CHECK(result.status.describe() == "exit status 0");
  CHECK_THAT(result.out, Contains("every3s"));
  CHECK_THAT(result.out, Contains("Every three seconds"));
  CHECK_THAT(result.out, Contains("interval[0:00:03]"));
  CHECK_THAT(result.out, Contains("once"));
  CHECK_THAT(result.out, Contains("date[2030-06-01"));
  CHECK_THAT(result.out, Contains("+02:00"));
  CHECK_THAT(result.out, Contains("hourly"));
  CHECK_THAT(result.out, Contains("interval[1:00:00]"));
  if (!cron_job.empty()) CHECK_THAT(result.out, Contains("cron[hour='2', minute='30']"));
}

TEST_CASE("apsched jobs shows a store that cannot be read as such and lists the others", "[integration][commands]") {
  ConfigFile config(
      "jobstores:\n"
      "  broken: {type: sqlite, path: a-directory}\n"
      "jobs:\n"
      "  - {id: every3s, func: 'example_jobs:tick', trigger: {type: interval, seconds: 3}}\n");
  fs::create_directory(config.dir() / "a-directory");
  CommandResult result = run_apsched({"jobs", "-c", config.file().string()});
  INFO(result.output());
  CHECK(result.status.describe() == "exit status 1");
  CHECK_THAT(result.out, Contains("every3s: tick (trigger: interval[0:00:03], pending)"));
  CHECK_THAT(result.out, Contains("Jobstore broken:\n    cannot be listed: job store 'broken' could not start"));
  CHECK_THAT(result.out, Contains("Jobstore default:\n    No scheduled jobs"));
  CHECK_THAT(result.err, Contains("is a directory"));
}

TEST_CASE("apsched jobs refuses a bad config with exit status 1", "[integration][commands]") {
  ConfigFile config(
      "jobs:\n"
      "  - id: a\n"
      "    func: example_jobs:tikc\n"
      "    trigger: {type: interval, seconds: 3}\n");
  CommandResult result = run_apsched({"jobs", "-c", config.file().string()});
  INFO(result.output());
  CHECK(result.status.describe() == "exit status 1");
  CHECK_THAT(result.err, Contains(config.at("example_jobs:tikc")));
  CHECK(result.out.find("example_jobs") == std::string::npos);
}

TEST_CASE("apsched next prints an interval trigger's fire times", "[integration][commands][next]") {
  CommandResult result = run_apsched(
      {"next", "--trigger", "{type: interval, seconds: 10, start_date: '2030-01-01T00:00:00', timezone: UTC}",
       "--from", "2030-01-01T00:00:05", "--count", "3"});
  INFO(result.output());
  CHECK(result.status.describe() == "exit status 0");
  CHECK(result.out == "2030-01-01T00:00:10+00:00\n2030-01-01T00:00:20+00:00\n2030-01-01T00:00:30+00:00\n");
}

TEST_CASE("apsched next prints fewer lines when the trigger ends", "[integration][commands][next]") {
  SECTION("interval with end_date") {
    CommandResult result = run_apsched({"next", "--trigger",
                                        "{type: interval, seconds: 10, start_date: '2030-01-01T00:00:00', "
                                        "end_date: '2030-01-01T00:00:25', timezone: UTC}",
                                        "--from", "2030-01-01T00:00:00", "--count", "5"});
    INFO(result.output());
    CHECK(result.status.describe() == "exit status 0");
    CHECK(result.out == "2030-01-01T00:00:00+00:00\n2030-01-01T00:00:10+00:00\n2030-01-01T00:00:20+00:00\n");
  }
  SECTION("date") {
    CommandResult result =
        run_apsched({"next", "--trigger", "{type: date, run_date: '2030-06-01T10:00:00', timezone: Europe/Berlin}",
                     "--from", "2030-05-01T00:00:00", "--count", "3"});
    INFO(result.output());
    CHECK(result.status.describe() == "exit status 0");
    CHECK(result.out == "2030-06-01T10:00:00+02:00\n");
  }
  SECTION("past the year 9999: the trigger ends") {
    CommandResult result = run_apsched({"next", "--trigger",
                                        "{type: interval, days: 1000, start_date: '9997-01-01T00:00:00', timezone: UTC}",
                                        "--from", "9996-01-01T00:00:00+00:00"});
    INFO(result.output());
    CHECK(result.status.describe() == "exit status 0");
    CHECK(result.out == "9997-01-01T00:00:00+00:00\n9999-09-28T00:00:00+00:00\n");
  }
  SECTION("a date before --from: nothing, and it says so") {
    CommandResult result = run_apsched({"next", "--trigger", "{type: date, run_date: '2030-06-01T10:00:00', timezone: UTC}",
                                        "--from", "2030-07-01T00:00:00+00:00"});
    INFO(result.output());
    CHECK(result.status.describe() == "exit status 0");
    CHECK(result.out.empty());
    CHECK_THAT(result.err, Contains("no fire time at or after 2030-07-01T00:00:00+00:00"));
  }
  SECTION("an or with a date before --from: the other part's times only") {
    CommandResult result = run_apsched(
        {"next", "--trigger",
         "{type: or, triggers: [{type: date, run_date: '2030-06-01T10:00:00', timezone: UTC},"
         " {type: interval, hours: 12, start_date: '2030-06-01T00:00:00', timezone: UTC}]}",
         "--from", "2030-07-01T00:00:00+00:00", "--count", "2"});
    INFO(result.output());
    CHECK(result.status.describe() == "exit status 0");
    CHECK(result.out == "2030-07-01T00:00:00+00:00\n2030-07-01T12:00:00+00:00\n");
  }
}

TEST_CASE("apsched next shows each time with its own UTC offset across a DST change", "[integration][commands][next]") {
  CommandResult result = run_apsched({"next", "--trigger",
                                      "{type: interval, hours: 1, start_date: '2026-03-29T00:30:00', "
                                      "timezone: Europe/Berlin}",
                                      "--from", "2026-03-29T00:00:00", "--timezone", "Europe/Berlin", "--count", "4"});
  INFO(result.output());
  CHECK(result.status.describe() == "exit status 0");
  CHECK(result.out ==
        "2026-03-29T00:30:00+01:00\n2026-03-29T01:30:00+01:00\n2026-03-29T03:30:00+02:00\n"
        "2026-03-29T04:30:00+02:00\n");
}

TEST_CASE("apsched next prints a cron trigger's fire times", "[integration][commands][next]") {
  if (!have_plugin("trigger_cron.so")) {
    WARN("trigger_cron.so is not in this build: nothing to test");
    return;
  }
  CommandResult result =
      run_apsched({"next", "--trigger", "{type: cron, hour: 9, minute: 30, timezone: Europe/Berlin}", "--from",
                   "2026-03-28T00:00:00", "--timezone", "Europe/Berlin", "--count", "3"});
  INFO(result.output());
  CHECK(result.status.describe() == "exit status 0");
  CHECK(result.out == "2026-03-28T09:30:00+01:00\n2026-03-29T09:30:00+02:00\n2026-03-30T09:30:00+02:00\n");
}

TEST_CASE("apsched next: usage errors exit 2 and print no time", "[integration][commands][next]") {
  const std::string trigger = "{type: interval, seconds: 10}";
  auto usage_error = [](const std::vector<std::string>& args, const std::string& message) {
    CommandResult result = run_apsched(args);
    INFO(result.output());
    CHECK(result.status.describe() == "exit status 2");
    CHECK(result.out.empty());
    CHECK_THAT(result.err, Contains(message));
    CHECK_THAT(result.err, Contains(kUsage));
  };
  SECTION("missing --trigger") { usage_error({"next", "--count", "3"}, "needs --trigger"); }
  SECTION("--count not a number") { usage_error({"next", "--trigger", trigger, "--count", "x"}, "--count"); }
  SECTION("--count zero") { usage_error({"next", "--trigger", trigger, "--count", "0"}, "--count"); }
  SECTION("--count negative") { usage_error({"next", "--trigger", trigger, "--count", "-3"}, "--count"); }
  SECTION("--count with trailing junk") { usage_error({"next", "--trigger", trigger, "--count", "3x"}, "--count"); }
  SECTION("--count without its value") { usage_error({"next", "--trigger", trigger, "--count"}, "--count"); }
  SECTION("--from not a date") { usage_error({"next", "--trigger", trigger, "--from", "yesterday"}, "--from"); }
  SECTION("unknown argument") { usage_error({"next", "--trigger", trigger, "--cuont", "3"}, "--cuont"); }
  SECTION("an option given twice") {
    usage_error({"next", "--trigger", trigger, "-n", "3", "--count", "4"}, "--count is given twice");
  }
  SECTION("empty --timezone") { usage_error({"next", "--trigger", trigger, "--timezone", ""}, "--timezone needs"); }
  SECTION("unknown --timezone") {
    usage_error({"next", "--trigger", trigger, "--timezone", "Mars/Olympus_Mons"}, "Mars/Olympus_Mons");
  }
}

TEST_CASE("apsched next: an invalid trigger exits 1 and prints no time", "[integration][commands][next]") {
  auto invalid = [](const std::string& trigger, const std::string& message) {
    CommandResult result = run_apsched({"next", "--trigger", trigger, "--count", "3"});
    INFO(trigger << "\n" << result.output());
    CHECK(result.status.describe() == "exit status 1");
    CHECK(result.out.empty());
    CHECK_THAT(result.err, Contains("invalid trigger"));
    CHECK_THAT(result.err, Contains(message));
  };
  SECTION("zero interval") { invalid("{type: interval, seconds: 0}", "interval must be positive"); }
  SECTION("negative interval") { invalid("{type: interval, minutes: -1}", "interval must be positive"); }
  SECTION("unknown key") { invalid("{type: interval, seconds: 5, secnds: 5}", "secnds"); }
  SECTION("unknown type") { invalid("{type: intervall, seconds: 5}", "unknown trigger type 'intervall'"); }
  SECTION("unknown time zone") {
    invalid("{type: interval, seconds: 5, timezone: Europe/Atlantis}", "Europe/Atlantis");
  }
  SECTION("bad YAML") { invalid("{type: interval, seconds: 5", "invalid YAML"); }
  SECTION("not a mapping") { invalid("interval", "type"); }
}
