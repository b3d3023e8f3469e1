// reload_jobs(): a changed config applied to a running scheduler (what SIGHUP does).
#include <catch2/catch.hpp>

#include <apsched/core/config.h>

#include <filesystem>
#include <fstream>

#include "scheduler_harness.h"
#include "temp_dir.h"

using namespace apsched;
using namespace apsched::testing;

namespace {

core::Config config_of(const std::string& name, const std::string& jobs, const std::string& settings = "") {
  static const TempDir dir("apsched-reload-test");  // one per test process, removed at exit
  std::ofstream(dir / name) << settings << "jobs:\n" << jobs;
  return core::Config::load(dir / name);
}

std::vector<std::string> ids(core::Scheduler& scheduler) {
  std::vector<std::string> out;
  for (const auto& j : scheduler.get_jobs()) out.push_back(j.id);
  std::sort(out.begin(), out.end());
  return out;
}

}  // namespace

TEST_CASE("a reload adds, changes and removes config jobs and leaves the others alone", "[reload]") {
  SchedulerHarness h;
  auto first = config_of("first.yaml",
                         "  - {id: a, func: 'example_jobs:noop', args: [1], trigger: {type: interval, seconds: 10}}\n"
                         "  - {id: b, func: 'example_jobs:noop', trigger: {type: interval, seconds: 10}}\n");
  for (const auto& job : first.jobs()) h.scheduler().add_job(job.spec);
  h.scheduler().start();
  h.scheduler().add_job(SchedulerHarness::interval_job("runtime", 10));
  h.advance(3);

  auto second = config_of("second.yaml",
                          "  - {id: a, func: 'example_jobs:noop', args: [2], trigger: {type: interval, seconds: 10}}\n"
                          "  - {id: c, func: 'example_jobs:noop', trigger: {type: interval, seconds: 10}}\n");
  REQUIRE(core::validate(second).empty());
  auto result = core::reload_jobs(h.scheduler(), first, second);
  CHECK(result.added == std::vector<std::string>{"c"});
  CHECK(result.changed == std::vector<std::string>{"a"});
  CHECK(result.removed == std::vector<std::string>{"b"});
  CHECK(result.problems.empty());
  CHECK_FALSE(result.settings_changed);
  CHECK(ids(h.scheduler()) == std::vector<std::string>{"a", "c", "runtime"});
  auto a = h.scheduler().get_job("a");
  CHECK(a->args == sdk::Value(sdk::Value::List{2}));
  CHECK(a->next_run_time == kStart + 10 * kSecond);  // same trigger: the schedule goes on

  // Unchanged jobs are not touched at all.
  h.clear_events();
  auto again = core::reload_jobs(h.scheduler(), second, second);
  CHECK(again.added.empty());
  CHECK(again.changed.empty());
  CHECK(again.removed.empty());
  CHECK(h.events().empty());
}

TEST_CASE("a reload reports what it cannot change in a running host", "[reload]") {
  SchedulerHarness h;
  h.scheduler().start();
  auto first = config_of("s1.yaml", "  []\n", "scheduler: {timezone: UTC}\n");
  auto second = config_of("s2.yaml", "  []\n", "scheduler: {timezone: Europe/Berlin}\n");
  CHECK(core::reload_jobs(h.scheduler(), first, second).settings_changed);
}

TEST_CASE("a new config job whose id is taken by a run-time job is reported, not applied", "[reload]") {
  SchedulerHarness h;
  h.scheduler().start();
  h.scheduler().add_job(SchedulerHarness::interval_job("x", 10));
  auto empty = config_of("e.yaml", "  []\n");
  auto with_x = config_of("x.yaml", "  - {id: x, func: 'example_jobs:noop', trigger: {type: interval, seconds: 99}}\n");
  auto result = core::reload_jobs(h.scheduler(), empty, with_x);
  REQUIRE(result.problems.size() == 1);
  CHECK_THAT(result.problems[0], Catch::Matchers::Contains("job 'x' not applied"));
  CHECK(h.scheduler().get_job("x")->trigger_description == "interval[0:00:10]");
}

TEST_CASE("validate() lists every problem of a config without starting anything", "[reload]") {
  auto bad = config_of("bad.yaml",
                       "  - {id: a, func: 'example_jobs:nope', trigger: {type: interval, seconds: 10}}\n"
                       "  - {id: b, func: 'example_jobs:noop', trigger: {type: interval, seconds: 0}}\n");
  CHECK(core::validate(bad).size() == 2);
}
