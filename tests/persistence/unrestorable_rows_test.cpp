// Rows that cannot be restored (a corrupt document, a trigger type whose plugin does not
// exist) are never deleted: the scheduler keeps running the other jobs, lists them with
// their problem, leaves the rows as they are, and runs them once the cause is fixed.
// `apsched jobs` (the real binary) lists them as unrestorable and exits 0.
#include <catch2/catch.hpp>

#include <apsched/core/errors.h>

#include <csignal>

#include "persistence_support.h"

using namespace apsched;
using namespace apsched::persistence;
using Catch::Matchers::Contains;
using Catch::Matchers::StartsWith;
using namespace std::chrono_literals;

namespace {

using Times = std::vector<Timestamp>;

/**
 * Stores `good` (append_line "good" to `out`) and `template` (noop), both every
 * `interval` seconds, with a scheduler at `now`; then writes, with the sqlite3 C API,
 * the row `broken` (document 'not json'), the row `notrigger` (template's document with
 * trigger.type 'nosuchtrigger') and the row `nofunc` (template's document naming a
 * function its library does not have), all due at `due`. Returns template's document.
 */
std::string seed(const fs::path& db, const fs::path& out, Timestamp now, double interval, Timestamp due) {
  {
    auto host = start_sqlite_host(db, now);
    auto good = append_job("good", out, "good", interval);
    good.misfire_grace_time = core::GraceTime{};
    (*host)->add_job(good);
    core::JobSpec tmpl;
    tmpl.id = "template";
    tmpl.func = "example_jobs:noop";
    tmpl.trigger = core::TriggerSpec::make("interval", {{"seconds", interval}});
    (*host)->add_job(tmpl);
  }
  Database file(db);
  std::vector<std::string> docs = file.column("SELECT document FROM apscheduler_jobs WHERE id = 'template'");
  REQUIRE(docs.size() == 1);
  sdk::Value doc = sdk::Value::from_json(docs[0]);
  REQUIRE(doc.is_map());
  REQUIRE(doc.find("trigger"));
  REQUIRE(doc.find("trigger")->find("type"));
  CHECK(doc.find("trigger")->find("type")->as_string() == "interval");
  sdk::Value changed = doc;
  changed.as_map()["id"] = "notrigger";
  changed.as_map()["trigger"].as_map()["type"] = "nosuchtrigger";
  const std::string due_text = std::to_string(due);
  file.execute_with(
      "INSERT INTO apscheduler_jobs (id, next_run_time, seq, document) "
      "VALUES ('broken', CAST(?1 AS INTEGER), (SELECT max(seq) + 1 FROM apscheduler_jobs), 'not json')",
      {due_text});
  file.execute_with(
      "INSERT INTO apscheduler_jobs (id, next_run_time, seq, document) "
      "VALUES ('notrigger', CAST(?1 AS INTEGER), (SELECT max(seq) + 1 FROM apscheduler_jobs), ?2)",
      {due_text, changed.to_json()});
  sdk::Value nofunc = doc;
  nofunc.as_map()["id"] = "nofunc";
  nofunc.as_map()["func"] = "example_jobs:nosuchfunc";
  file.execute_with(
      "INSERT INTO apscheduler_jobs (id, next_run_time, seq, document) "
      "VALUES ('nofunc', CAST(?1 AS INTEGER), (SELECT max(seq) + 1 FROM apscheduler_jobs), ?2)",
      {due_text, nofunc.to_json()});
  return docs[0];
}

/** id|next_run_time|document of a row ("" when the row is gone). */
std::string row(const fs::path& db, const std::string& id) {
  Database file(db);
  auto rows = file.column("SELECT id || '|' || quote(next_run_time) || '|' || quote(document) FROM apscheduler_jobs "
                          "WHERE id = '" + id + "'");
  return rows.empty() ? "" : rows[0];
}

/** Every column of every row: what a read-only listing must not change. */
std::vector<std::string> dump(const fs::path& db) {
  Database file(db);
  return file.column(
      "SELECT id || '|' || quote(next_run_time) || '|' || quote(seq) || '|' || quote(document) || '|' || "
      "quote(lease_owner) || '|' || quote(lease_expires) FROM apscheduler_jobs ORDER BY id");
}

const core::Job* find(const std::vector<core::Job>& jobs, const std::string& id) {
  for (const auto& j : jobs)
    if (j.id == id) return &j;
  return nullptr;
}

}  // namespace

TEST_CASE("unrestorable rows are kept, listed with their problem, and do not stop the other jobs",
          "[persistence][corrupt][sqlite]") {
  TempDir dir("unrestorable");
  const fs::path db = dir / "jobs.sqlite";
  const fs::path out = dir / "out.txt";
  const std::string template_doc = seed(db, out, kStart, 10, at(10));
  const std::string broken_row = row(db, "broken");
  const std::string notrigger_row = row(db, "notrigger");
  const std::string nofunc_row = row(db, "nofunc");
  REQUIRE_THAT(broken_row, Contains("not json"));

  LogCapture log;
  auto host = start_sqlite_host(db, at(35));
  std::optional<Timestamp> wake = host->pass();
  INFO(log.text());

  // The good job ran (coalesced: one run for +10, +20, +30); the others did not.
  CHECK(host->run_times("good") == Times{at(30)});
  CHECK(host->events_of("broken").empty());
  CHECK(host->events_of("notrigger").empty());
  CHECK(host->events_of("nofunc").empty());
  // No busy loop on the rows it cannot run: the next wake-up is the good job's.
  REQUIRE(wake);
  CHECK(*wake == at(40));

  // Listed, with why.
  std::vector<core::Job> jobs = (*host)->get_jobs();
  CHECK(jobs.size() == 5);
  const core::Job* broken = find(jobs, "broken");
  const core::Job* notrigger = find(jobs, "notrigger");
  REQUIRE(broken);
  REQUIRE(notrigger);
  CHECK_THAT(broken->problem, StartsWith("cannot be restored"));
  CHECK_THAT(notrigger->problem, StartsWith("cannot be restored") && Contains("nosuchtrigger"));
  CHECK(broken->next_run_time == at(10));
  CHECK_THAT(broken->describe(), Contains("broken") && Contains("cannot be restored"));
  CHECK(find(jobs, "good")->problem.empty());
  // A function its library does not have: restorable, but it waits, visible, with why.
  const core::Job* nofunc = find(jobs, "nofunc");
  REQUIRE(nofunc);
  CHECK_THAT(nofunc->problem, Contains("nosuchfunc"));
  CHECK_THAT(nofunc->describe(), Contains("waiting"));
  auto single = (*host)->get_job("broken");
  REQUIRE(single);
  CHECK_THAT(single->problem, StartsWith("cannot be restored"));
  CHECK_THAT((*host)->get_job("notrigger")->problem, StartsWith("cannot be restored"));
  // The host log names each job and why.
  CHECK_THAT(log.text(), Contains("'broken'") && Contains("'notrigger'") && Contains("nosuchtrigger"));
  // Changing one is refused with the reason, and changes nothing.
  core::JobChanges changes;
  changes.name = "x";
  CHECK_THROWS_WITH((*host)->modify_job("broken", changes), Contains("cannot be restored"));

  // The scheduler keeps running the good job; the rows stay exactly as written.
  for (long long t = 40; t <= 60; t += 10) {
    host->clock().set(at(t));
    host->pass();
  }
  CHECK(host->run_times("good") == Times{at(30), at(40), at(50), at(60)});
  CHECK(row(db, "broken") == broken_row);
  CHECK(row(db, "notrigger") == notrigger_row);
  CHECK(row(db, "nofunc") == nofunc_row);
  CHECK(stored_ids(db) == std::vector<std::string>{"broken", "good", "nofunc", "notrigger", "template"});

  // The cause is fixed (a valid document is written back): once its retry time has come,
  // the job runs like any other.
  {
    Database file(db);
    sdk::Value fixed = sdk::Value::from_json(template_doc);
    fixed.as_map()["id"] = "broken";
    file.execute_with("UPDATE apscheduler_jobs SET document = ?1 WHERE id = 'broken'", {fixed.to_json()});
  }
  host->clock().set(at(70));
  host->pass();
  CHECK(host->run_times("broken") == Times{at(70)});
  CHECK((*host)->get_job("broken")->problem.empty());
  CHECK_THAT((*host)->get_job("notrigger")->problem, StartsWith("cannot be restored"));
  (*host)->shutdown();

  // After the scheduler is gone, the rows are still there, unchanged.
  CHECK(row(db, "notrigger") == notrigger_row);
  CHECK(row(db, "nofunc") == nofunc_row);
  CHECK(stored_ids(db) == std::vector<std::string>{"broken", "good", "nofunc", "notrigger", "template"});

  // Only a deliberate remove_job deletes such a row.
  auto again = start_sqlite_host(db, at(80));
  (*again)->remove_job("notrigger");
  (*again)->remove_job("nofunc");
  CHECK(stored_ids(db) == std::vector<std::string>{"broken", "good", "template"});
}

TEST_CASE("a restart does not delete unrestorable rows either", "[persistence][corrupt][sqlite]") {
  TempDir dir("unrestorable-restart");
  const fs::path db = dir / "jobs.sqlite";
  seed(db, dir / "out.txt", kStart, 10, at(10));
  const std::string broken_row = row(db, "broken");
  const std::string notrigger_row = row(db, "notrigger");
  const std::string nofunc_row = row(db, "nofunc");
  for (long long t : {100, 200, 300}) {
    auto host = start_sqlite_host(db, at(t));
    host->pass();
    CHECK(host->events_of("good", core::EVENT_JOB_EXECUTED).size() == 1);
    CHECK((*host)->get_jobs().size() == 5);
  }
  CHECK(row(db, "broken") == broken_row);
  CHECK(row(db, "notrigger") == notrigger_row);
  CHECK(row(db, "nofunc") == nofunc_row);
}

TEST_CASE("apsched jobs lists unrestorable rows as such, changes nothing and exits 0",
          "[persistence][corrupt][sqlite][binary]") {
  TempDir dir("unrestorable-cli");
  const fs::path db = dir / "jobs.sqlite";
  seed(db, dir / "out.txt", kStart, 10, at(10));
  const fs::path config = dir / "apsched.yaml";
  write_file(config,
             "scheduler: {timezone: UTC}\n"
             "jobstores:\n"
             "  default: {type: sqlite, path: jobs.sqlite}\n");
  const std::vector<std::string> before = dump(db);

  CommandResult result = run_apsched({"jobs", "-c", config.string()}, dir.path());
  INFO(result.output);
  CHECK(result.status.describe() == "exit status 0");
  std::vector<std::string> lines;
  {
    std::size_t begin = 0;
    while (begin < result.out.size()) {
      std::size_t end = result.out.find('\n', begin);
      if (end == std::string::npos) end = result.out.size();
      lines.push_back(result.out.substr(begin, end - begin));
      begin = end + 1;
    }
  }
  auto line_of = [&](const std::string& id) -> std::string {
    for (const auto& l : lines)
      if (l.find(id + ":") != std::string::npos) return l;
    return "";
  };
  CHECK_THAT(line_of("broken"), Contains("cannot be restored"));
  CHECK_THAT(line_of("notrigger"), Contains("cannot be restored") && Contains("nosuchtrigger"));
  CHECK_THAT(line_of("good"), Contains("interval[0:00:10]") && Contains("next run at: 2026-01-05"));
  CHECK(line_of("good").find("cannot be restored") == std::string::npos);
  CHECK_THAT(line_of("template"), Contains("interval[0:00:10]"));
  CHECK_THAT(line_of("nofunc"), Contains("waiting") && Contains("nosuchfunc"));
  // Listing is read-only.
  CHECK(dump(db) == before);
}

TEST_CASE("apsched run keeps running good jobs beside unrestorable rows and keeps the rows",
          "[persistence][corrupt][sqlite][binary]") {
  TempDir dir("unrestorable-run");
  const fs::path db = dir / "jobs.sqlite";
  const fs::path out = dir / "out.txt";
  const Timestamp now = core::SystemClock().now();
  seed(db, out, now, 1, now);
  const std::string broken_row = row(db, "broken");
  const std::string notrigger_row = row(db, "notrigger");
  const std::string nofunc_row = row(db, "nofunc");
  const fs::path config = dir / "apsched.yaml";
  write_file(config,
             "scheduler: {timezone: UTC, log_level: info}\n"
             "jobstores:\n"
             "  default: {type: sqlite, path: jobs.sqlite}\n");
  const fs::path log = dir / "host.log";
  Child host({APSCHED_BINARY, "run", "-c", config.string()}, log);
  // The good job (every second) keeps appending.
  bool ran = eventually([&] { return lines_of(out).size() >= 3; }, 20s);
  host.signal(SIGTERM);
  ExitStatus status = host.wait(20s);
  std::string text = read_file(log);
  INFO(text);
  CHECK(ran);
  CHECK(status.describe() == "exit status 0");
  CHECK_THAT(text, Contains("'broken'") && Contains("'notrigger'") && Contains("'nofunc'"));
  CHECK(row(db, "broken") == broken_row);
  CHECK(row(db, "notrigger") == notrigger_row);
  CHECK(row(db, "nofunc") == nofunc_row);
}

TEST_CASE("a stored document without a field it needs, or from a newer apsched, says which and what to do",
          "[persistence][corrupt][sqlite]") {
  TempDir dir("unrestorable-fields");
  const fs::path db = dir / "jobs.sqlite";
  const std::string template_doc = seed(db, dir / "out.txt", kStart, 10, at(10));
  {
    Database file(db);
    const sdk::Value doc = sdk::Value::from_json(template_doc);
    auto insert = [&](const std::string& id, sdk::Value document) {
      document.as_map()["id"] = id;
      file.execute_with(
          "INSERT INTO apscheduler_jobs (id, next_run_time, seq, document) "
          "VALUES (?1, 0, (SELECT max(seq) + 1 FROM apscheduler_jobs), ?2)",
          {id, document.to_json()});
    };
    for (const char* field : {"func", "trigger", "v", "args"}) {
      sdk::Value without = doc;
      without.as_map().erase(field);
      insert(std::string("no-") + field, without);
    }
    sdk::Value newer = doc;
    newer.as_map()["v"] = 2;
    insert("newer", newer);
    // Documents written before these fields existed are still read.
    sdk::Value older = doc;
    older.as_map().erase("timeout");
    older.as_map().erase("trigger_source");
    older.as_map()["an unknown key"] = "is ignored";
    insert("older", older);
  }
  auto host = start_sqlite_host(db, at(5));
  for (const char* field : {"func", "trigger", "v", "args"}) {
    auto job = (*host)->get_job(std::string("no-") + field);
    REQUIRE(job);
    CHECK_THAT(job->problem, StartsWith("cannot be restored") && Contains(std::string("has no '") + field + "'"));
  }
  CHECK_THAT((*host)->get_job("newer")->problem, Contains("version 2") && Contains("upgrade apsched"));
  auto older = (*host)->get_job("older");
  REQUIRE(older);
  CHECK(older->problem.empty());
  CHECK_FALSE(older->timeout.has_value());
  CHECK(older->func == "example_jobs:noop");
}
