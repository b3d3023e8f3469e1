// apsched-restart-floor: the least W4's restart can cost on this machine for a design whose
// get_jobs() returns a full Job per stored job (../shared/bench/WORKLOADS.md, W4 (b)): on a
// copy of a database made by `apsched-bench --workload w4-populate`, SQLite reads every row
// in the order the store lists them, and one core::Job is built per row from the row's id
// and next run time and, for the rest, W4's job as constants of the same sizes (its name,
// function, executor, store, empty args and kwargs, its interval trigger as a 4-entry map,
// description and time zone). No JSON is parsed and no trigger is made: what is timed is
// SQLite and the snapshots' memory, which any such design pays.
//
// It reads the SQLite store's table directly (its name and columns are the store plugin's
// business, not an interface; keep them in step with plugins/stores/sqlite/schema.cpp).
//
//   apsched-restart-floor --db FILE [--dir DIR]
//     ->  one JSON line: {"impl": "restart-floor", "workload": "restart-floor", "n": ..., "floor_s": ...}
#include <sqlite3.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "apsched/core/job.h"

namespace fs = std::filesystem;
using apsched::core::Job;
using apsched::sdk::Value;

namespace {

class Database {
 public:
  explicit Database(const fs::path& file) {
    if (sqlite3_open_v2(file.c_str(), &db_, SQLITE_OPEN_READWRITE, nullptr) != SQLITE_OK)
      throw std::runtime_error("cannot open " + file.string() + ": " + sqlite3_errmsg(db_));
  }
  ~Database() { sqlite3_close(db_); }
  Database(const Database&) = delete;
  Database& operator=(const Database&) = delete;

  sqlite3_stmt* prepare(const char* sql) {
    sqlite3_stmt* statement = nullptr;
    if (sqlite3_prepare_v2(db_, sql, -1, &statement, nullptr) != SQLITE_OK)
      throw std::runtime_error(std::string("cannot read the W4 table (made by w4-populate?): ") + sqlite3_errmsg(db_));
    return statement;
  }

 private:
  sqlite3* db_ = nullptr;
};

std::string_view text_column(sqlite3_stmt* statement, int column) {
  const auto* text = reinterpret_cast<const char*>(sqlite3_column_text(statement, column));
  return {text ? text : "", static_cast<std::size_t>(sqlite3_column_bytes(statement, column))};
}

/** Every row's Job, built as described at the top; returns how many. */
std::size_t load_jobs(const fs::path& file) {
  Database db(file);
  sqlite3_stmt* count = db.prepare("SELECT count(*) FROM apscheduler_jobs");
  sqlite3_step(count);
  std::vector<Job> jobs;
  jobs.reserve(static_cast<std::size_t>(sqlite3_column_int64(count, 0)));
  sqlite3_finalize(count);
  sqlite3_stmt* rows = db.prepare(
      "SELECT id, next_run_time, document FROM apscheduler_jobs WHERE next_run_time IS NOT NULL "
      "ORDER BY next_run_time, seq");
  while (sqlite3_step(rows) == SQLITE_ROW) {
    Job& job = jobs.emplace_back();
    job.id = text_column(rows, 0);
    job.next_run_time = sqlite3_column_int64(rows, 1);
    text_column(rows, 2);  // the document is read, not parsed
    job.name = "noop";
    job.func = "bench_jobs:noop";
    job.args = Value::List{};
    job.kwargs = Value::Map{};
    Value::Map trigger;
    trigger.try_emplace("hours", 1LL);
    trigger.try_emplace("start_date", std::string("2026-01-01T00:00:00.000000+00:00"));
    trigger.try_emplace("timezone", std::string("UTC"));
    trigger.try_emplace("type", std::string("interval"));
    job.trigger = Value(std::move(trigger));
    job.trigger_description = "interval[1:00:00]";
    job.timezone = "UTC";
    job.executor = "default";
    job.jobstore = "default";
  }
  sqlite3_finalize(rows);
  return jobs.size();
}

}  // namespace

int main(int argc, char** argv) {
  fs::path db;
  fs::path dir = "/tmp/apsbench";
  for (int i = 1; i + 1 < argc; i += 2) {
    std::string_view flag = argv[i];
    if (flag == "--db") db = argv[i + 1];
    else if (flag == "--dir") dir = argv[i + 1];
  }
  if (db.empty()) {
    std::fprintf(stderr, "usage: apsched-restart-floor --db FILE [--dir DIR]  (FILE made by apsched-bench "
                         "--workload w4-populate)\n");
    return 2;
  }
  try {
    // On a fresh copy, as apsched-bench's w4-restart reads it.
    fs::create_directories(dir);
    fs::path copy = dir / ("restart-floor-" + std::to_string(getpid()) + ".sqlite");
    fs::copy_file(db, copy, fs::copy_options::overwrite_existing);
    const auto start = std::chrono::steady_clock::now();
    std::size_t n = load_jobs(copy);
    const double floor_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    fs::remove(copy);
    std::printf("{\"impl\": \"restart-floor\", \"workload\": \"restart-floor\", \"n\": %zu, \"floor_s\": %.6f}\n", n,
                floor_s);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "apsched-restart-floor: %s\n", e.what());
    return 1;
  }
  return 0;
}
