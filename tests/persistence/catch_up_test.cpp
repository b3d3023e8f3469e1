// Catch-up after downtime, exactly: a scheduler stores jobs in an SQLite file and is
// shut down; a new scheduler object opens the same file at a later manual time and runs
// one pass. What runs, what is reported missed, and what state the jobs keep follow
// APScheduler 3.x (coalesce, misfire_grace_time judged per run time when it starts).
#include <catch2/catch.hpp>

#include <algorithm>
#include <map>

#include "persistence_support.h"

using namespace apsched;
using namespace apsched::persistence;

namespace {

using Times = std::vector<Timestamp>;

std::string grace_text(const core::GraceTime& g) { return g ? std::to_string(*g) : "null"; }

/** Every field of a job that must survive a restart, as one comparable text. */
std::string persistent_view(const core::Job& j) {
  std::string next = j.next_run_time ? sdk::format_datetime(*j.next_run_time, "UTC") : "paused";
  return "id=" + j.id + " name=" + j.name + " func=" + j.func + " args=" + j.args.to_json() +
         " kwargs=" + j.kwargs.to_json() + " trigger=" + j.trigger.to_json() + " describe=" + j.trigger_description +
         " tz=" + j.timezone + " executor=" + j.executor + " jobstore=" + j.jobstore +
         " coalesce=" + std::to_string(j.coalesce) + " max_instances=" + std::to_string(j.max_instances) +
         " grace=" + grace_text(j.misfire_grace_time) + " next=" + next +
         " problem=" + j.problem;
}

std::string times_text(const Times& times) {
  std::string out;
  for (Timestamp t : times) out += (out.empty() ? "" : ", ") + sdk::format_datetime(t, "UTC");
  return "[" + out + "]";
}

/** (event name, scheduled run time) of a job's run events, in order. */
std::vector<std::string> run_outcomes(const ManualHost& host, const std::string& id) {
  std::vector<std::string> out;
  for (const auto& e : host.events_of(id, core::EVENT_JOB_EXECUTED | core::EVENT_JOB_MISSED | core::EVENT_JOB_ERROR))
    out.push_back(std::string(core::event_name(e.code)) + "@" +
                  (e.scheduled_run_time ? sdk::format_datetime(*e.scheduled_run_time, "UTC") : "?"));
  return out;
}

std::string outcome(const char* name, long long seconds) {
  return std::string(name) + "@" + sdk::format_datetime(at(seconds), "UTC");
}

std::size_t count(const std::vector<std::string>& lines, const std::string& text) {
  return static_cast<std::size_t>(std::count(lines.begin(), lines.end(), text));
}

}  // namespace

TEST_CASE("after downtime one pass catches up exactly: coalesce, no grace limit, grace limit, paused",
          "[persistence][catchup][sqlite]") {
  TempDir dir("catchup");
  const fs::path db = dir / "jobs.sqlite";
  const fs::path out = dir / "out.txt";
  const std::vector<std::string> ids{"coalesced", "coalesced-late", "every", "graced", "paused", "once", "cron"};
  std::map<std::string, core::Job> before;

  {
    auto host = start_sqlite_host(db, kStart);
    auto coalesced = append_job("coalesced", out, "coalesced", 10);
    coalesced.name = "Coalesced job";
    coalesced.coalesce = true;
    coalesced.misfire_grace_time = core::GraceTime{};
    coalesced.max_instances = 3;
    coalesced.kwargs = sdk::Value::Map{{"unused", sdk::Value::List{1, 2.5, "x", nullptr, true}}};
    (*host)->add_job(coalesced);

    auto every = append_job("every", out, "every", 10);
    every.coalesce = false;
    every.misfire_grace_time = core::GraceTime{};
    (*host)->add_job(every);

    auto graced = append_job("graced", out, "graced", 10);
    graced.coalesce = false;
    graced.misfire_grace_time = core::GraceTime{25.0};
    (*host)->add_job(graced);

    // Coalesced, but even the latest due time (+60) is later than the grace at +65: the one
    // coalesced run is reported missed, once (APScheduler judges only the run it would make).
    auto coalesced_late = append_job("coalesced-late", out, "coalesced-late", 10);
    coalesced_late.coalesce = true;
    coalesced_late.misfire_grace_time = core::GraceTime{3.0};
    (*host)->add_job(coalesced_late);

    auto paused = append_job("paused", out, "paused", 10);
    paused.coalesce = false;
    paused.misfire_grace_time = core::GraceTime{};
    (*host)->add_job(paused);

    core::JobSpec once;
    once.id = "once";
    once.func = "example_jobs:append_line";
    once.args = sdk::Value::List{out.string(), "once"};
    once.trigger = core::TriggerSpec::make("date", {{"run_date", "2026-01-05T12:00:30"}});
    once.misfire_grace_time = core::GraceTime{};
    (*host)->add_job(once);

    core::JobSpec cron;
    cron.id = "cron";
    cron.func = "example_jobs:append_line";
    cron.args = sdk::Value::List{out.string(), "cron"};
    cron.trigger = core::TriggerSpec::make("cron", {{"second", "*/15"}});
    cron.coalesce = false;
    cron.misfire_grace_time = core::GraceTime{};
    (*host)->add_job(cron);

    // Each interval job runs once at +10 (the cron job at +0, 10 s late: no grace limit),
    // so the stored state is a progressed one, not the one add_job made.
    host->clock().set(at(10));
    host->pass();
    CHECK(host->run_times("every") == Times{at(10)});
    CHECK(host->run_times("cron") == Times{at(0)});
    (*host)->pause_job("paused");
    for (const auto& id : ids) {
      auto job = (*host)->get_job(id);
      REQUIRE(job);
      before[id] = *job;
    }
    CHECK(before["every"].next_run_time == at(20));
    CHECK(before["cron"].next_run_time == at(15));
    CHECK_FALSE(before["paused"].next_run_time);
    REQUIRE(before["every"].trigger.find("start_date") != nullptr);
    (*host)->shutdown();
  }
  const std::vector<std::string> lines_before = lines_of(out);

  // Down from +10 to +65: the interval jobs missed +20, +30, +40, +50 and +60; the date
  // job its only run at +30; the cron job +15, +30, +45 and +60.
  {
    auto host = start_sqlite_host(db, at(65));
    for (const auto& id : ids) {
      auto job = (*host)->get_job(id);
      REQUIRE(job);
      CHECK(persistent_view(*job) == persistent_view(before[id]));
    }
    CHECK(host->events_of("every").empty());  // nothing runs before the pass

    host->pass();

    INFO("coalesced ran at " << times_text(host->run_times("coalesced")));
    // coalesce: five due times become one run, at the latest.
    CHECK(host->run_times("coalesced") == Times{at(60)});
    CHECK(host->run_times("coalesced", core::EVENT_JOB_MISSED).empty());
    // No coalescing, no grace limit: every missed run, in order.
    CHECK(host->run_times("every") == Times{at(20), at(30), at(40), at(50), at(60)});
    CHECK(host->run_times("every", core::EVENT_JOB_MISSED).empty());
    // Grace 25 s at +65: +20 and +30 are late by more than that and reported missed;
    // +40 is late by exactly 25 s, which APScheduler still runs (late only when more).
    CHECK(run_outcomes(*host, "graced") ==
          std::vector<std::string>{outcome("EVENT_JOB_MISSED", 20), outcome("EVENT_JOB_MISSED", 30),
                                   outcome("EVENT_JOB_EXECUTED", 40), outcome("EVENT_JOB_EXECUTED", 50),
                                   outcome("EVENT_JOB_EXECUTED", 60)});
    for (const auto& e : host->events_of("graced", core::EVENT_JOB_MISSED)) CHECK(e.jobstore == "default");
    CHECK(run_outcomes(*host, "coalesced-late") == std::vector<std::string>{outcome("EVENT_JOB_MISSED", 60)});
    // A paused job stays paused across the restart and does not run.
    CHECK(host->events_of("paused", core::EVENT_JOB_SUBMITTED | core::EVENT_JOB_EXECUTED | core::EVENT_JOB_MISSED)
              .empty());
    CHECK_FALSE((*host)->get_job("paused")->next_run_time);
    // The date job runs its one missed run, then is removed as its trigger is done.
    CHECK(host->run_times("once") == Times{at(30)});
    CHECK(host->events_of("once", core::EVENT_JOB_REMOVED).size() == 1);
    CHECK_FALSE((*host)->get_job("once"));
    CHECK(host->run_times("cron") == Times{at(15), at(30), at(45), at(60)});

    // The runs really happened, with the stored arguments.
    std::vector<std::string> lines = lines_of(out);
    CHECK(lines.size() == lines_before.size() + 1 + 5 + 3 + 1 + 4);
    CHECK(count(lines, "coalesced") == count(lines_before, "coalesced") + 1);
    CHECK(count(lines, "every") == count(lines_before, "every") + 5);
    CHECK(count(lines, "graced") == count(lines_before, "graced") + 3);
    CHECK(count(lines, "paused") == count(lines_before, "paused"));

    // Next run times continue the original schedules.
    for (const char* id : {"coalesced", "coalesced-late", "every", "graced"}) {
      INFO(id);
      CHECK((*host)->get_job(id)->next_run_time == at(70));
    }
    CHECK((*host)->get_job("cron")->next_run_time == at(75));

    // The pass was complete: a second one at the same time runs nothing more.
    std::size_t events_after_pass = host->events().size();
    host->pass();
    CHECK(host->events().size() == events_after_pass);

    // Resuming uses the stored start_date (+10): the next run is +70, on the original grid
    // (a start_date reset at restart would give +75).
    CHECK((*host)->resume_job("paused").next_run_time == at(70));
    (*host)->shutdown();
  }

  // What the second scheduler released is what a third one finds.
  {
    auto host = start_sqlite_host(db, at(66));
    for (const char* id : {"coalesced", "every", "graced", "paused"}) {
      INFO(id);
      auto job = (*host)->get_job(id);
      REQUIRE(job);
      CHECK(job->next_run_time == at(70));
      CHECK(job->args == before[id].args);
      CHECK(job->trigger == before[id].trigger);
    }
    CHECK_FALSE((*host)->get_job("once"));
    CHECK(stored_ids(db) == std::vector<std::string>{"coalesced", "coalesced-late", "cron", "every", "graced", "paused"});
  }
}

TEST_CASE("a stop shorter than the interval loses nothing and runs nothing early", "[persistence][catchup][sqlite]") {
  TempDir dir("catchup-short");
  const fs::path db = dir / "jobs.sqlite";
  const fs::path out = dir / "out.txt";
  {
    auto host = start_sqlite_host(db, kStart);
    (*host)->add_job(append_job("job", out, "x", 10));
    (*host)->shutdown();
  }
  auto host = start_sqlite_host(db, at(9));
  std::optional<Timestamp> wake = host->pass();
  CHECK(host->events_of("job", core::EVENT_JOB_SUBMITTED).empty());
  REQUIRE(wake);
  CHECK(*wake == at(10));
  host->clock().set(at(10));
  host->pass();
  CHECK(host->run_times("job") == Times{at(10)});
  CHECK(lines_of(out) == std::vector<std::string>{"x"});
}

TEST_CASE("a job removed or modified before a restart stays so after it", "[persistence][catchup][sqlite]") {
  TempDir dir("catchup-changes");
  const fs::path db = dir / "jobs.sqlite";
  const fs::path out = dir / "out.txt";
  {
    auto host = start_sqlite_host(db, kStart);
    (*host)->add_job(append_job("kept", out, "old", 10));
    (*host)->add_job(append_job("gone", out, "gone", 10));
    core::JobChanges changes;
    changes.args = sdk::Value::List{out.string(), "new"};
    changes.coalesce = false;
    changes.misfire_grace_time = core::GraceTime{};
    changes.max_instances = 4;
    changes.name = "renamed";
    (*host)->modify_job("kept", changes);
    (*host)->reschedule_job("kept", core::TriggerSpec::make("interval", {{"seconds", 7}}));
    (*host)->remove_job("gone");
    (*host)->shutdown();
  }
  auto host = start_sqlite_host(db, at(22));
  auto kept = (*host)->get_job("kept");
  REQUIRE(kept);
  CHECK(kept->name == "renamed");
  CHECK(kept->args == sdk::Value(sdk::Value::List{out.string(), "new"}));
  CHECK_FALSE(kept->coalesce);
  CHECK_FALSE(kept->misfire_grace_time);
  CHECK(kept->max_instances == 4);
  CHECK(kept->trigger_description == "interval[0:00:07]");
  CHECK(kept->next_run_time == at(7));
  CHECK_FALSE((*host)->get_job("gone"));
  host->pass();
  CHECK(host->run_times("kept") == Times{at(7), at(14), at(21)});
  CHECK(lines_of(out) == std::vector<std::string>{"new", "new", "new"});
  CHECK(stored_ids(db) == std::vector<std::string>{"kept"});
}
