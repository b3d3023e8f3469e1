#pragma once
// Shared pieces of the persistence tests: a scheduler on an SQLite file driven by a manual
// clock, direct access to the database file through the sqlite3 C API, a capture of the
// kernel's log, and starting the real `apsched` binary.
#include <sys/types.h>

#include <apsched/core/scheduler.h>

#include <chrono>
#include <filesystem>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "eventually.h"
#include "temp_dir.h"

struct sqlite3;

namespace apsched::persistence {

namespace fs = std::filesystem;
using core::Timestamp;

constexpr Timestamp kSecond = sdk::kMicrosPerSecond;
/** 2026-01-05T12:00:00Z, a Monday. */
constexpr Timestamp kStart = 1767614400LL * kSecond;

/** `kStart + seconds`, for readable expectations. */
constexpr Timestamp at(long long seconds) { return kStart + seconds * kSecond; }

/** The file's '\n'-separated lines (a last line without '\n' is returned too). */
std::vector<std::string> lines_of(const fs::path& file);

/** One connection of our own to an SQLite file, behind the store's back. */
class Database {
 public:
  explicit Database(const fs::path& file);
  ~Database();
  Database(const Database&) = delete;
  Database& operator=(const Database&) = delete;

  /** Runs statements; throws with SQLite's message on failure. */
  void execute(const std::string& sql);
  /** The first column of every row, as text ("NULL" for NULL). */
  std::vector<std::string> column(const std::string& sql);
  /** The single integer a query returns. */
  long long integer(const std::string& sql);
  /** Runs one statement with text parameters ?1, ?2, ... bound in order. */
  void execute_with(const std::string& sql, const std::vector<std::string>& text_params);
  sqlite3* handle() noexcept { return db_; }

 private:
  sqlite3* db_ = nullptr;
  std::string path_;
};

/** The job ids stored in the `apscheduler_jobs` table of `file`, in id order. */
std::vector<std::string> stored_ids(const fs::path& file);

/**
 * Everything the kernel logs through spdlog while it lives (the previous default logger
 * is put back afterwards). Thread safe.
 */
class LogCapture {
 public:
  LogCapture();
  ~LogCapture();
  LogCapture(const LogCapture&) = delete;
  LogCapture& operator=(const LogCapture&) = delete;
  std::string text() const;

 private:
  struct State;
  std::shared_ptr<State> state_;
};

/** Scheduler options for tests: UTC, the build's plugins and job libraries, and `clock` (null: system clock). */
core::SchedulerOptions test_options(std::shared_ptr<const core::Clock> clock = nullptr);

/**
 * An EventLoopScheduler on a manual clock whose events are recorded: the test calls
 * pass() to run one scheduler pass at the manual time. Stores and executors are added by
 * the caller (or by core::configure) before start().
 */
class ManualHost {
 public:
  explicit ManualHost(Timestamp now, core::SchedulerOptions options = test_options());
  ~ManualHost();

  core::EventLoopScheduler& scheduler() { return *scheduler_; }
  core::EventLoopScheduler* operator->() { return scheduler_.get(); }
  core::ManualClock& clock() { return *clock_; }
  std::optional<Timestamp> pass() { return scheduler_->process_due_jobs(); }

  std::vector<core::Event> events() const;
  /** This job's events whose code is in `mask`, in order. */
  std::vector<core::Event> events_of(const std::string& job_id, std::uint32_t mask = core::EVENT_ALL) const;
  /** scheduled_run_time of this job's events in `mask`, in order. */
  std::vector<Timestamp> run_times(const std::string& job_id, std::uint32_t mask = core::EVENT_JOB_EXECUTED) const;

 private:
  std::shared_ptr<core::ManualClock> clock_;
  mutable std::mutex mutex_;  // guards events_
  std::vector<core::Event> events_;
  std::unique_ptr<core::EventLoopScheduler> scheduler_;  // last: destroyed first
};

/** A ManualHost with an inline executor and `store` (a store's configuration) as `default`, started. */
std::unique_ptr<ManualHost> start_host(Timestamp now, const sdk::Value& store,
                                       core::SchedulerOptions options = test_options());
/** start_host with a `default` sqlite store on `db`. */
std::unique_ptr<ManualHost> start_sqlite_host(const fs::path& db, Timestamp now);

/** The interval job `append_line(out, text)` every `seconds`. */
core::JobSpec append_job(const std::string& id, const fs::path& out, const std::string& text, double seconds);

/** How a child process ended. */
struct ExitStatus {
  bool exited = false;
  int code = -1;
  int signal = 0;
  bool timed_out = false;
  std::string describe() const;
};

/**
 * A child process started with posix_spawn, stdout and stderr both appended to `log`.
 * The destructor kills (SIGKILL) and reaps it if still running.
 */
class Child {
 public:
  Child(const std::vector<std::string>& argv, const fs::path& log, const fs::path& working_dir = {});
  ~Child();
  Child(const Child&) = delete;
  Child& operator=(const Child&) = delete;

  pid_t pid() const noexcept { return pid_; }
  void signal(int sig);
  /** Waits for the end; after `bound` it is killed and reported as timed out. */
  ExitStatus wait(std::chrono::milliseconds bound);
  bool running();

 private:
  pid_t pid_ = -1;
  std::optional<ExitStatus> status_;
};

struct CommandResult {
  ExitStatus status;
  std::string output;  ///< stdout, then stderr
  std::string out;     ///< stdout alone
};

/** Runs the `apsched` under test to its end (bounded). */
CommandResult run_apsched(const std::vector<std::string>& args, const fs::path& scratch_dir);

using apsched::testing::eventually;
using apsched::testing::read_file;
using apsched::testing::TempDir;
using apsched::testing::write_file;

}  // namespace apsched::persistence
