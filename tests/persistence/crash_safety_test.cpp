// Crash safety with the real binary: `apsched run` on a config with an SQLite store and an
// interval job appending to a file is killed with SIGKILL at random moments and started
// again, many times. No job row may be lost, duplicated or half-written, the database must
// stay intact, the file must hold only whole lines, and the schedule must continue from
// the stored state with the catch-up behaviour of the job's coalesce/misfire_grace_time.
#include <catch2/catch.hpp>

#include <csignal>
#include <cstdlib>
#include <random>
#include <regex>
#include <set>

#include "persistence_support.h"

using namespace apsched;
using namespace apsched::persistence;
using namespace std::chrono_literals;
using Catch::Matchers::Contains;

namespace {

constexpr auto kBound = 20s;  // for anything the host should do within a second or two
const std::string kText(120, 'x');

struct Rig {
  TempDir dir{"crash"};
  fs::path config = dir / "apsched.yaml";
  fs::path db = dir / "jobs.sqlite";
  fs::path out = dir / "out.txt";
  int starts = 0;

  Rig(const std::string& coalesce, const std::string& grace) {
    write_file(config,
               "scheduler: {timezone: UTC, log_level: info}\n"
               "jobstores:\n"
               "  default: {type: sqlite, path: jobs.sqlite}\n"
               "executors:\n"
               "  default: {type: threadpool, max_workers: 2}\n"
               "jobs:\n"
               "  - id: appender\n"
               "    func: example_jobs:append_line\n"
               "    args: ['" + out.string() + "', " + kText + "]\n"
               "    trigger: {type: interval, seconds: 1}\n"
               "    coalesce: " + coalesce + "\n"
               "    misfire_grace_time: " + grace + "\n");
  }

  fs::path log(int n) const { return dir / ("host-" + std::to_string(n) + ".log"); }

  std::unique_ptr<Child> start() {
    ++starts;
    return std::make_unique<Child>(std::vector<std::string>{APSCHED_BINARY, "run", "-c", config.string()}, log(starts));
  }
};

/** What the database says after a kill; checks it is intact and holds the job once, whole. */
struct DbState {
  long long rows = 0;
  std::optional<Timestamp> next_run_time;
};

DbState check_database(const Rig& rig) {
  DbState state;
  if (!fs::exists(rig.db)) return state;
  Database db(rig.db);
  CHECK(db.column("PRAGMA integrity_check") == std::vector<std::string>{"ok"});
  // Killed before the table was made, there may be no table yet.
  if (db.integer("SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = 'apscheduler_jobs'") == 0)
    return state;
  state.rows = db.integer("SELECT count(*) FROM apscheduler_jobs");
  CHECK(state.rows <= 1);
  CHECK(db.integer("SELECT count(*) FROM apscheduler_jobs WHERE id <> 'appender'") == 0);
  if (state.rows == 1) {
    CHECK(db.column("SELECT typeof(next_run_time) FROM apscheduler_jobs") == std::vector<std::string>{"integer"});
    state.next_run_time = db.integer("SELECT next_run_time FROM apscheduler_jobs");
    std::string document = db.column("SELECT document FROM apscheduler_jobs")[0];
    sdk::Value doc;
    CHECK_NOTHROW(doc = sdk::Value::from_json(document));
    REQUIRE(doc.is_map());
    REQUIRE(doc.find("id"));
    CHECK(doc.find("id")->as_string() == "appender");
    REQUIRE(doc.find("args"));
    CHECK(doc.find("args")->as_list().size() == 2);
  }
  return state;
}

/** The file holds only whole lines, each the job's text; returns how many. */
std::size_t check_whole_lines(const Rig& rig) {
  std::string text = read_file(rig.out);
  CHECK((text.empty() || text.back() == '\n'));
  std::size_t n = 0, bad = 0;
  for (const auto& line : lines_of(rig.out)) {
    ++n;
    if (line != kText) ++bad;
  }
  CHECK(bad == 0);
  return n;
}

/** Scheduled times of the job's runs in one host log ("Running job ... (scheduled at T)"), in order. */
std::vector<Timestamp> runs_in(const std::string& log) {
  static const std::regex running(R"(Running job "appender" \(scheduled at ([^)]+)\))");
  std::vector<Timestamp> times;
  for (std::sregex_iterator it(log.begin(), log.end(), running), end; it != end; ++it)
    times.push_back(sdk::parse_datetime((*it)[1].str(), "UTC"));
  return times;
}

unsigned seed_from_environment() {
  if (const char* s = std::getenv("APSCHED_CRASH_SEED")) return static_cast<unsigned>(std::strtoul(s, nullptr, 10));
  return std::random_device{}();
}

std::string format(Timestamp t) { return sdk::format_datetime(t, "UTC"); }

}  // namespace

TEST_CASE("SIGKILL at random moments loses no job, duplicates no row or run, and the schedule goes on",
          "[persistence][crash][binary][sqlite]") {
  Rig rig("false", "null");
  const unsigned seed = seed_from_environment();
  INFO("APSCHED_CRASH_SEED=" << seed);
  std::mt19937 random(seed);
  std::uniform_int_distribution<int> uptime_ms(300, 2500);
  constexpr int kKills = 12;

  bool stored = false;
  std::vector<Timestamp> all_runs;
  for (int cycle = 1; cycle <= kKills; ++cycle) {
    DbState before = check_database(rig);
    auto host = rig.start();
    std::this_thread::sleep_for(std::chrono::milliseconds(uptime_ms(random)));
    host->signal(SIGKILL);
    ExitStatus status = host->wait(kBound);
    std::string log = read_file(rig.log(rig.starts));
    INFO("cycle " << cycle << ", log:\n" << log);
    CHECK(status.signal == SIGKILL);  // it was running, not ended on its own

    DbState after = check_database(rig);
    if (stored) CHECK(after.rows == 1);  // never lost once stored
    stored = stored || after.rows == 1;
    check_whole_lines(rig);

    std::vector<Timestamp> runs = runs_in(log);
    // The schedule continues from the stored next run time: the first run after a restart
    // is exactly that one (no grace limit, no coalescing: the overdue one runs first).
    if (before.next_run_time && !runs.empty()) CHECK(format(runs.front()) == format(*before.next_run_time));
    // Stored again after the job was already there: the config job yields to the stored one.
    if (before.rows == 1 && log.find("Scheduler started") != std::string::npos)
      CHECK_THAT(log, Contains("keeping the stored job"));
    all_runs.insert(all_runs.end(), runs.begin(), runs.end());
  }

  // The last restart: the job keeps running, and a clean stop exits 0.
  DbState before = check_database(rig);
  REQUIRE(before.rows == 1);
  std::size_t lines = check_whole_lines(rig);
  auto host = rig.start();
  bool kept_running = eventually([&] { return lines_of(rig.out).size() >= lines + 2; }, kBound);
  host->signal(SIGTERM);
  ExitStatus status = host->wait(kBound);
  std::string log = read_file(rig.log(rig.starts));
  INFO("last log:\n" << log);
  CHECK(kept_running);
  CHECK(status.describe() == "exit status 0");
  std::vector<Timestamp> last_runs = runs_in(log);
  REQUIRE_FALSE(last_runs.empty());
  CHECK(format(last_runs.front()) == format(*before.next_run_time));
  all_runs.insert(all_runs.end(), last_runs.begin(), last_runs.end());

  DbState end = check_database(rig);
  CHECK(end.rows == 1);
  const std::size_t final_lines = check_whole_lines(rig);

  // No run twice: the next run time is stored before a run starts (at most once, as APScheduler).
  std::set<Timestamp> distinct(all_runs.begin(), all_runs.end());
  CHECK(distinct.size() == all_runs.size());
  // All on one grid: the interval's start_date was never reset by a restart.
  REQUIRE_FALSE(distinct.empty());
  const Timestamp first = *distinct.begin();
  const Timestamp last = *distinct.rbegin();
  std::size_t off_grid = 0;
  for (Timestamp t : distinct) off_grid += (t - first) % kSecond != 0;
  CHECK(off_grid == 0);
  // Every fire time from the first to the last ran (catch-up with no grace limit), except
  // at most one per kill: a kill can fall between storing the next run time and the run.
  const auto expected = static_cast<std::size_t>((last - first) / kSecond + 1);
  INFO("runs " << distinct.size() << " of " << expected << " fire times from " << format(first) << " to "
               << format(last));
  CHECK(distinct.size() + kKills >= expected);
  // The file has a line per run that started, less any a kill cut off before its write.
  CHECK(final_lines <= all_runs.size());
  CHECK(final_lines + kKills >= all_runs.size());
}

namespace {

/**
 * Runs the host until the job has run twice, kills it, waits `downtime`, and starts it
 * again until `ready(log)` holds. Returns the second log and the stored next run time at
 * the kill (the first run time that fell into the downtime).
 */
struct LongStop {
  std::string log;
  Timestamp first_missed = 0;
  std::size_t lines_before = 0;
};

template <typename Ready>
LongStop long_stop(Rig& rig, std::chrono::milliseconds downtime, Ready ready) {
  LongStop result;
  {
    auto host = rig.start();
    bool ran = eventually([&] { return lines_of(rig.out).size() >= 2; }, kBound);
    host->signal(SIGKILL);
    host->wait(kBound);
    INFO(read_file(rig.log(rig.starts)));
    REQUIRE(ran);
  }
  DbState at_kill = check_database(rig);
  REQUIRE(at_kill.rows == 1);
  REQUIRE(at_kill.next_run_time);
  result.first_missed = *at_kill.next_run_time;
  result.lines_before = check_whole_lines(rig);
  std::this_thread::sleep_for(downtime);
  const Timestamp restarted = core::SystemClock().now();
  // The whole downtime lies after the stored next run time plus a second: at least two
  // fire times fell due while the host was down.
  REQUIRE(restarted > result.first_missed + 2 * kSecond);

  auto host = rig.start();
  bool done = eventually([&] { return ready(read_file(rig.log(rig.starts))); }, kBound);
  host->signal(SIGTERM);
  ExitStatus status = host->wait(kBound);
  result.log = read_file(rig.log(rig.starts));
  INFO(result.log);
  CHECK(done);
  CHECK(status.describe() == "exit status 0");
  CHECK(check_database(rig).rows == 1);
  check_whole_lines(rig);
  return result;
}

}  // namespace

TEST_CASE("a stop longer than misfire_grace_time: the late runs are reported missed, the latest runs",
          "[persistence][crash][binary][sqlite]") {
  Rig rig("false", "1");
  LongStop stop = long_stop(rig, 3500ms, [](const std::string& log) {
    return log.find("was missed by") != std::string::npos && !runs_in(log).empty();
  });
  INFO(stop.log);
  // The first fire time in the downtime is late by more than 2 s (> 1 s grace): missed.
  CHECK_THAT(stop.log, Contains("Run time of job \"appender\" (" + format(stop.first_missed) + ") was missed by"));
  CHECK_THAT(stop.log, Contains("Run time of job \"appender\" (" + format(stop.first_missed + kSecond) +
                                    ") was missed by"));
  // Those are not run; a later one (within the grace) is.
  std::vector<Timestamp> runs = runs_in(stop.log);
  REQUIRE_FALSE(runs.empty());
  CHECK(runs.front() >= stop.first_missed + 2 * kSecond);
  CHECK((runs.front() - stop.first_missed) % kSecond == 0);
  CHECK(lines_of(rig.out).size() > stop.lines_before);
}

TEST_CASE("a stop with misfire_grace_time null and no coalescing: every missed run is caught up, in order",
          "[persistence][crash][binary][sqlite]") {
  Rig rig("false", "null");
  LongStop stop = long_stop(rig, 3500ms, [](const std::string& log) { return runs_in(log).size() >= 4; });
  INFO(stop.log);
  std::vector<Timestamp> runs = runs_in(stop.log);
  REQUIRE(runs.size() >= 3);
  // N, N+1 s, N+2 s fell into the downtime; all run, first to last, then the schedule goes on.
  for (std::size_t i = 0; i < runs.size(); ++i) CHECK(format(runs[i]) == format(stop.first_missed + i * kSecond));
  CHECK(stop.log.find("was missed by") == std::string::npos);
  CHECK(lines_of(rig.out).size() >= stop.lines_before + 3);
}

TEST_CASE("a stop with coalescing: the missed runs become one run", "[persistence][crash][binary][sqlite]") {
  Rig rig("true", "null");
  LongStop stop = long_stop(rig, 3500ms, [](const std::string& log) { return runs_in(log).size() >= 2; });
  INFO(stop.log);
  std::vector<Timestamp> runs = runs_in(stop.log);
  REQUIRE(runs.size() >= 2);
  // One run for N, N+1 s, N+2 s, ...: at the latest of them, which is at least N+2 s.
  CHECK(runs[0] >= stop.first_missed + 2 * kSecond);
  CHECK((runs[0] - stop.first_missed) % kSecond == 0);
  // Then the schedule goes on a second later: nothing in between ran.
  CHECK(runs[1] == runs[0] + kSecond);
  CHECK(stop.log.find("was missed by") == std::string::npos);
}

TEST_CASE("apsched jobs reads the store while the host runs, and adds nothing to it",
          "[persistence][crash][binary][sqlite]") {
  Rig rig("true", "1");
  auto host = rig.start();
  REQUIRE(eventually([&] { return lines_of(rig.out).size() >= 1; }, kBound));
  for (int i = 0; i < 3; ++i) {
    CommandResult listing = run_apsched({"jobs", "-c", rig.config.string()}, rig.dir.path());
    INFO(listing.output);
    CHECK(listing.status.describe() == "exit status 0");
    CHECK_THAT(listing.out, Contains("appender") && Contains("interval[0:00:01]") && Contains("next run at"));
    CHECK(listing.out.find("Pending") == std::string::npos);  // the config job yields to the stored one
  }
  std::size_t lines = lines_of(rig.out).size();
  bool kept_running = eventually([&] { return lines_of(rig.out).size() >= lines + 2; }, kBound);
  host->signal(SIGTERM);
  ExitStatus status = host->wait(kBound);
  INFO(read_file(rig.log(rig.starts)));
  CHECK(kept_running);
  CHECK(status.describe() == "exit status 0");
  CHECK(check_database(rig).rows == 1);
  check_whole_lines(rig);
}

TEST_CASE("SIGKILL during startup (creating the database, storing the config job) leaves a usable database",
          "[persistence][crash][binary][sqlite]") {
  const unsigned seed = seed_from_environment();
  INFO("APSCHED_CRASH_SEED=" << seed);
  std::mt19937 random(seed);
  std::uniform_int_distribution<int> uptime_ms(0, 150);
  for (int round = 1; round <= 5; ++round) {
    Rig rig("true", "1");  // a fresh directory: the first start creates the file
    const int uptime = uptime_ms(random);
    INFO("round " << round << ", killed after " << uptime << " ms");
    {
      auto host = rig.start();
      std::this_thread::sleep_for(std::chrono::milliseconds(uptime));
      host->signal(SIGKILL);
      host->wait(kBound);
    }
    check_database(rig);
    // Started again, the host opens whatever the kill left, stores the job once and runs it.
    auto host = rig.start();
    bool ran = eventually([&] { return lines_of(rig.out).size() >= 1; }, kBound);
    host->signal(SIGTERM);
    ExitStatus status = host->wait(kBound);
    INFO(read_file(rig.log(1)) << "---\n" << read_file(rig.log(2)));
    CHECK(ran);
    CHECK(status.describe() == "exit status 0");
    CHECK(check_database(rig).rows == 1);
    check_whole_lines(rig);
  }
}
