// Adding jobs, before and after start(), and what add_job refuses.
#include <catch2/catch.hpp>

#include <map>
#include <string>

#ifdef __GLIBC__
#include <malloc.h>
#endif

#include "scheduler_harness.h"

using namespace apsched;
using namespace apsched::testing;
using Catch::Matchers::Contains;

TEST_CASE("jobs added before start are pending, then stored with their first run time", "[scheduler]") {
  SchedulerHarness h;
  h.scheduler().add_job(SchedulerHarness::interval_job("a", 10));
  auto jobs = h.scheduler().get_jobs();
  REQUIRE(jobs.size() == 1);
  CHECK(jobs[0].pending);
  CHECK_THAT(jobs[0].describe(), Contains("pending"));

  h.advance(5);
  h.scheduler().start();
  auto job = h.scheduler().get_job("a");
  REQUIRE(job);
  CHECK_FALSE(job->pending);
  // The interval started when the trigger was made (at add_job), as in APScheduler.
  CHECK(job->next_run_time == kStart + 10 * kSecond);
  CHECK(job->jobstore == "default");
  CHECK(job->name == "noop");
}

// glibc's allocator only (ThreadSanitizer brings its own).
#if defined(__GLIBC__) && !defined(__SANITIZE_THREAD__)
namespace {

constexpr int kPendingJobs = 100000;

/**
 * glibc's fast-bin blocks left once start() has stored kPendingJobs pending date jobs.
 * No listener: one for EVENT_JOB_ADDED grows a vector of events as large as the pending
 * jobs, whose frees merge the small blocks by chance. With fewer jobs, the pending list's
 * own array is freed to the heap and merges them by chance too; from ~50k it is above
 * glibc's largest mmap threshold (32 MB) and is unmapped instead.
 */
std::size_t fast_bin_blocks_after_start(bool release_freed_memory) {
  core::SchedulerOptions options = SchedulerHarness::test_options();
  options.clock = std::make_shared<core::ManualClock>(kStart);
  options.release_freed_memory = release_freed_memory;
  core::EventLoopScheduler scheduler(options, [] {});
  scheduler.add_executor("default", sdk::Value::Map{{"type", "inline"}});
  core::JobSpec spec;
  spec.func = "example_jobs:noop";
  spec.trigger = core::TriggerSpec::make("date", {{"run_date", "2030-01-01T00:00:00"}});
  for (int i = 0; i < kPendingJobs; ++i) {
    spec.id = "job-" + std::to_string(i);
    scheduler.add_job(spec);
  }
  scheduler.start();
  const std::size_t blocks = mallinfo2().smblks;
  CHECK(scheduler.get_jobs().size() == kPendingJobs);
  return blocks;
}

}  // namespace

TEST_CASE("start() merges the small blocks its stored pending jobs freed, so that the first pass does not",
          "[scheduler]") {
  // Each pending job destroyed leaves about eight small blocks in glibc's fast lists,
  // which the next large free would merge, in whichever thread and pass it happens: the
  // first pass, in a program like this one.
  CHECK(fast_bin_blocks_after_start(true) < kPendingJobs / 100);
}

TEST_CASE("with release_freed_memory off, start() leaves the allocator alone", "[scheduler]") {
  CHECK(fast_bin_blocks_after_start(false) > kPendingJobs);  // ~800,000: nothing merged them
}
#endif

TEST_CASE("a job id in use is refused unless replace_existing is set", "[scheduler]") {
  SchedulerHarness h;
  h.scheduler().start();
  h.scheduler().add_job(SchedulerHarness::interval_job("a", 10));
  CHECK_THROWS_AS(h.scheduler().add_job(SchedulerHarness::interval_job("a", 20)), core::ConflictingIdError);

  auto replacement = SchedulerHarness::interval_job("a", 20);
  replacement.replace_existing = true;
  h.scheduler().add_job(replacement);
  CHECK(h.scheduler().get_job("a")->trigger_description == "interval[0:00:20]");
  CHECK(h.scheduler().get_jobs().size() == 1);
}

TEST_CASE("jobs whose triggers share one state and jobs with their own each keep their own trigger spec",
          "[scheduler]") {
  // Cron triggers of one configuration share their state; the kernel then reuses the spec
  // it built from it, and the memory store the bytes it wrote for it: neither may leak into
  // a job of another configuration or type, added in between.
  SchedulerHarness h;
  h.scheduler().start();
  auto cron_job = [](const std::string& id, sdk::Value::Map fields) {
    core::JobSpec spec = SchedulerHarness::interval_job(id, 1);
    spec.trigger = core::TriggerSpec::make("cron", std::move(fields));
    return spec;
  };
  std::map<std::string, sdk::Value> added;
  for (int round = 0; round < 3; ++round) {
    const std::string n = std::to_string(round);
    for (const core::JobSpec& spec :
         {cron_job("every5-" + n, {{"minute", "*/5"}}), SchedulerHarness::interval_job("interval-" + n, 10 + round),
          cron_job("at3-" + n, {{"hour", 3}}),
          cron_job("every5-zurich-" + n, {{"minute", "*/5"}, {"timezone", "Europe/Zurich"}})})
      added[spec.id.value()] = h.scheduler().add_job(spec).trigger;
  }
  for (const core::Job& job : h.scheduler().get_jobs()) CHECK(job.trigger == added.at(job.id));

  const sdk::Value every5 = added.at("every5-0");
  CHECK(every5.find("type")->as_string() == "cron");
  CHECK(every5.find("minute")->as_string() == "*/5");
  CHECK(every5.find("timezone")->as_string() == "UTC");
  CHECK(added.at("every5-2") == every5);
  CHECK(added.at("every5-zurich-1").find("timezone")->as_string() == "Europe/Zurich");
  CHECK(added.at("every5-zurich-1").find("minute")->as_string() == "*/5");
  CHECK(added.at("at3-1").find("hour")->as_string() == "3");
  CHECK(added.at("at3-1").find("minute") == nullptr);
  CHECK(added.at("interval-1").find("type")->as_string() == "interval");
  CHECK(added.at("interval-1").find("seconds") != nullptr);
  CHECK(h.scheduler().get_job("interval-2")->trigger_description == "interval[0:00:12]");
}

TEST_CASE("a pending job id in use is refused before start too", "[scheduler]") {
  SchedulerHarness h;
  h.scheduler().add_job(SchedulerHarness::interval_job("a", 10));
  CHECK_THROWS_AS(h.scheduler().add_job(SchedulerHarness::interval_job("a", 10)), core::ConflictingIdError);
}

TEST_CASE("replacing a job with the same trigger keeps its schedule", "[scheduler]") {
  SchedulerHarness h;
  h.scheduler().start();
  h.scheduler().add_job(SchedulerHarness::interval_job("a", 10));
  h.advance(7);
  auto again = SchedulerHarness::interval_job("a", 10);
  again.replace_existing = true;
  again.args = sdk::Value::List{1};
  h.scheduler().add_job(again);
  auto job = h.scheduler().get_job("a");
  CHECK(job->next_run_time == kStart + 10 * kSecond);
  CHECK(job->args == sdk::Value(sdk::Value::List{1}));
}

TEST_CASE("an unknown job function is refused with the library's functions", "[scheduler]") {
  SchedulerHarness h;
  auto spec = SchedulerHarness::interval_job("a", 10, "example_jobs:tikc");
  try {
    h.scheduler().add_job(spec);
    FAIL("add_job accepted an unknown function");
  } catch (const core::LoadError& e) {
    CHECK_THAT(e.what(), Contains("no function 'tikc'") && Contains("did you mean 'tick'"));
    CHECK(e.field() == "func");
  }
}

TEST_CASE("an unknown job library is refused naming the job path", "[scheduler]") {
  SchedulerHarness h;
  try {
    h.scheduler().add_job(SchedulerHarness::interval_job("a", 10, "nosuchlib:run"));
    FAIL("add_job accepted an unknown library");
  } catch (const core::LoadError& e) {
    CHECK_THAT(e.what(), Contains("libnosuchlib.so") && Contains(APSCHED_JOBS_DIR));
  }
  CHECK_THROWS_WITH(h.scheduler().add_job(SchedulerHarness::interval_job("a", 10, "no-colon")),
                    Contains("expected 'library:function'"));
}

TEST_CASE("a bad trigger is refused with the trigger field", "[scheduler]") {
  SchedulerHarness h;
  auto zero = SchedulerHarness::interval_job("a", 0);
  try {
    h.scheduler().add_job(zero);
    FAIL("add_job accepted a zero interval");
  } catch (const core::SchedulerError& e) {
    CHECK_THAT(e.what(), Contains("positive"));
    CHECK_THAT(e.field(), Contains("trigger"));
  }
  auto unknown = SchedulerHarness::interval_job("b", 1);
  unknown.trigger = core::TriggerSpec::make("cronn", {});
  CHECK_THROWS_WITH(h.scheduler().add_job(unknown), Contains("unknown trigger type 'cronn'"));
}

TEST_CASE("options are checked when a job is added", "[scheduler]") {
  SchedulerHarness h;
  auto spec = SchedulerHarness::interval_job("a", 1);
  spec.max_instances = 0;
  CHECK_THROWS_WITH(h.scheduler().add_job(spec), Contains("max_instances"));
  spec = SchedulerHarness::interval_job("a", 1);
  spec.misfire_grace_time = core::GraceTime{-1.0};
  CHECK_THROWS_WITH(h.scheduler().add_job(spec), Contains("misfire_grace_time"));
  spec = SchedulerHarness::interval_job("a", 1);
  spec.args = sdk::Value::Map{};
  CHECK_THROWS_WITH(h.scheduler().add_job(spec), Contains("args must be a list"));
}

TEST_CASE("an unknown executor or job store is refused once the scheduler runs", "[scheduler]") {
  SchedulerHarness h;
  h.scheduler().start();
  auto spec = SchedulerHarness::interval_job("a", 1);
  spec.executor = "nope";
  CHECK_THROWS_WITH(h.scheduler().add_job(spec), Contains("executor 'nope'"));
  spec = SchedulerHarness::interval_job("a", 1);
  spec.jobstore = "nope";
  CHECK_THROWS_WITH(h.scheduler().add_job(spec), Contains("no job store named 'nope'"));
}

TEST_CASE("next_run_time given on add overrides the trigger, and null adds the job paused", "[scheduler]") {
  SchedulerHarness h;
  h.scheduler().start();
  auto spec = SchedulerHarness::interval_job("a", 10);
  spec.next_run_time = std::optional<Timestamp>{kStart + 3 * kSecond};
  h.scheduler().add_job(spec);
  CHECK(h.scheduler().get_job("a")->next_run_time == kStart + 3 * kSecond);

  auto paused = SchedulerHarness::interval_job("b", 10);
  paused.next_run_time = std::optional<Timestamp>{};
  h.scheduler().add_job(paused);
  CHECK_FALSE(h.scheduler().get_job("b")->next_run_time);
  CHECK_THAT(h.scheduler().get_job("b")->describe(), Contains("paused"));
}

TEST_CASE("a job without id gets a unique one, and the name defaults to the function", "[scheduler]") {
  SchedulerHarness h;
  h.scheduler().start();
  core::JobSpec spec;
  spec.func = "example_jobs:noop";
  spec.trigger = core::TriggerSpec::from_yaml("{type: interval, seconds: 5}");
  auto first = h.scheduler().add_job(spec);
  auto second = h.scheduler().add_job(spec);
  CHECK(first.id.size() == 32);
  CHECK(first.id != second.id);
  CHECK(first.name == "noop");
}

TEST_CASE("jobs are listed in run-time order, paused ones last", "[scheduler]") {
  SchedulerHarness h;
  h.scheduler().start();
  auto paused = SchedulerHarness::interval_job("paused", 1);
  paused.next_run_time = std::optional<Timestamp>{};
  h.scheduler().add_job(paused);
  h.scheduler().add_job(SchedulerHarness::interval_job("thirty", 30));
  h.scheduler().add_job(SchedulerHarness::interval_job("ten", 10));
  h.scheduler().add_job(SchedulerHarness::interval_job("twenty", 20));
  std::vector<std::string> ids;
  for (const auto& j : h.scheduler().get_jobs()) ids.push_back(j.id);
  CHECK(ids == std::vector<std::string>{"ten", "twenty", "thirty", "paused"});

  std::ostringstream out;
  h.scheduler().print_jobs(out);
  CHECK_THAT(out.str(), Contains("Jobstore default:\n    ten: noop (trigger: interval[0:00:10], next run at: "
                                 "2026-01-05T12:00:10+00:00)"));
}
