#include "persistence_support.h"

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <sqlite3.h>
#include <spdlog/sinks/base_sink.h>
#include <spdlog/spdlog.h>

#include <atomic>
#include <cerrno>
#include <cstring>
#include <stdexcept>
#include <system_error>

extern char** environ;

namespace apsched::persistence {

// ---------------------------------------------------------------------------- files

std::vector<std::string> lines_of(const fs::path& file) {
  std::string text = read_file(file);
  std::vector<std::string> lines;
  std::size_t begin = 0;
  while (begin < text.size()) {
    std::size_t end = text.find('\n', begin);
    if (end == std::string::npos) {
      lines.push_back(text.substr(begin));
      break;
    }
    lines.push_back(text.substr(begin, end - begin));
    begin = end + 1;
  }
  return lines;
}

// ---------------------------------------------------------------------------- sqlite

Database::Database(const fs::path& file) : path_(file.string()) {
  int rc = sqlite3_open_v2(path_.c_str(), &db_, SQLITE_OPEN_READWRITE, nullptr);
  if (rc != SQLITE_OK) {
    std::string message = db_ ? sqlite3_errmsg(db_) : sqlite3_errstr(rc);
    sqlite3_close(db_);
    throw std::runtime_error("cannot open " + path_ + ": " + message);
  }
  sqlite3_busy_timeout(db_, 10000);
}

Database::~Database() { sqlite3_close(db_); }

void Database::execute(const std::string& sql) {
  char* error = nullptr;
  if (sqlite3_exec(db_, sql.c_str(), nullptr, nullptr, &error) != SQLITE_OK) {
    std::string message = error ? error : "unknown error";
    sqlite3_free(error);
    throw std::runtime_error(path_ + ": " + sql + ": " + message);
  }
}

namespace {

struct Statement {
  Statement(sqlite3* db, const std::string& sql, const std::string& path) {
    if (sqlite3_prepare_v2(db, sql.c_str(), -1, &stmt, nullptr) != SQLITE_OK)
      throw std::runtime_error(path + ": " + sql + ": " + sqlite3_errmsg(db));
  }
  ~Statement() { sqlite3_finalize(stmt); }
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;
  sqlite3_stmt* stmt = nullptr;
};

}  // namespace

std::vector<std::string> Database::column(const std::string& sql) {
  Statement s(db_, sql, path_);
  std::vector<std::string> out;
  int rc = 0;
  while ((rc = sqlite3_step(s.stmt)) == SQLITE_ROW) {
    if (sqlite3_column_type(s.stmt, 0) == SQLITE_NULL) {
      out.emplace_back("NULL");
    } else {
      const unsigned char* text = sqlite3_column_text(s.stmt, 0);
      out.emplace_back(reinterpret_cast<const char*>(text), static_cast<std::size_t>(sqlite3_column_bytes(s.stmt, 0)));
    }
  }
  if (rc != SQLITE_DONE) throw std::runtime_error(path_ + ": " + sql + ": " + sqlite3_errmsg(db_));
  return out;
}

long long Database::integer(const std::string& sql) {
  Statement s(db_, sql, path_);
  if (sqlite3_step(s.stmt) != SQLITE_ROW) throw std::runtime_error(path_ + ": " + sql + ": no row");
  return sqlite3_column_int64(s.stmt, 0);
}

void Database::execute_with(const std::string& sql, const std::vector<std::string>& text_params) {
  Statement s(db_, sql, path_);
  for (std::size_t i = 0; i < text_params.size(); ++i)
    sqlite3_bind_text(s.stmt, static_cast<int>(i + 1), text_params[i].c_str(), static_cast<int>(text_params[i].size()),
                      SQLITE_TRANSIENT);
  if (sqlite3_step(s.stmt) != SQLITE_DONE) throw std::runtime_error(path_ + ": " + sql + ": " + sqlite3_errmsg(db_));
}

std::vector<std::string> stored_ids(const fs::path& file) {
  Database db(file);
  return db.column("SELECT id FROM apscheduler_jobs ORDER BY id");
}

// ---------------------------------------------------------------------------- log capture

namespace {

class CaptureSink final : public spdlog::sinks::base_sink<std::mutex> {
 public:
  std::string text() {
    std::lock_guard lock(mutex_);
    return text_;
  }

 protected:
  void sink_it_(const spdlog::details::log_msg& msg) override {
    spdlog::memory_buf_t formatted;
    formatter_->format(msg, formatted);
    text_.append(formatted.data(), formatted.size());
  }
  void flush_() override {}

 private:
  std::string text_;  // guarded by base_sink's mutex_
};

std::atomic<int> capture_counter{0};

}  // namespace

struct LogCapture::State {
  std::shared_ptr<spdlog::logger> previous;
  std::shared_ptr<CaptureSink> sink;
};

LogCapture::LogCapture() : state_(std::make_shared<State>()) {
  state_->previous = spdlog::default_logger();
  state_->sink = std::make_shared<CaptureSink>();
  auto logger = std::make_shared<spdlog::logger>("persistence-capture-" + std::to_string(++capture_counter),
                                                 state_->sink);
  logger->set_pattern("%l %v");
  logger->set_level(spdlog::level::debug);
  spdlog::set_default_logger(logger);
}

LogCapture::~LogCapture() { spdlog::set_default_logger(state_->previous); }

std::string LogCapture::text() const { return state_->sink->text(); }

// ---------------------------------------------------------------------------- schedulers

core::SchedulerOptions test_options(std::shared_ptr<const core::Clock> clock) {
  core::SchedulerOptions options;
  options.timezone = "UTC";
  options.plugin_path = {APSCHED_PLUGIN_DIR};
  options.job_path = {APSCHED_JOBS_DIR};
  options.clock = std::move(clock);
  return options;
}

ManualHost::ManualHost(Timestamp now, core::SchedulerOptions options)
    : clock_(std::make_shared<core::ManualClock>(now)) {
  options.clock = clock_;
  scheduler_ = std::make_unique<core::EventLoopScheduler>(std::move(options), [] {});
  scheduler_->add_listener([this](const core::Event& e) {
    std::lock_guard lock(mutex_);
    events_.push_back(e);
  });
}

ManualHost::~ManualHost() {
  if (scheduler_ && scheduler_->running()) scheduler_->shutdown();
}

std::vector<core::Event> ManualHost::events() const {
  std::lock_guard lock(mutex_);
  return events_;
}

std::vector<core::Event> ManualHost::events_of(const std::string& job_id, std::uint32_t mask) const {
  std::vector<core::Event> out;
  for (const auto& e : events())
    if (e.job_id == job_id && (e.code & mask)) out.push_back(e);
  return out;
}

std::vector<Timestamp> ManualHost::run_times(const std::string& job_id, std::uint32_t mask) const {
  std::vector<Timestamp> out;
  for (const auto& e : events_of(job_id, mask)) out.push_back(e.scheduled_run_time.value_or(-1));
  return out;
}

std::unique_ptr<ManualHost> start_host(Timestamp now, const sdk::Value& store, core::SchedulerOptions options) {
  auto host = std::make_unique<ManualHost>(now, std::move(options));
  host->scheduler().add_executor("default", sdk::Value::Map{{"type", "inline"}});
  host->scheduler().add_jobstore("default", store);
  host->scheduler().start();
  return host;
}

std::unique_ptr<ManualHost> start_sqlite_host(const fs::path& db, Timestamp now) {
  return start_host(now, sdk::Value::Map{{"type", "sqlite"}, {"path", db.string()}});
}

core::JobSpec append_job(const std::string& id, const fs::path& out, const std::string& text, double seconds) {
  core::JobSpec spec;
  spec.id = id;
  spec.func = "example_jobs:append_line";
  spec.args = sdk::Value::List{out.string(), text};
  spec.trigger = core::TriggerSpec::make("interval", {{"seconds", seconds}});
  return spec;
}

// ---------------------------------------------------------------------------- processes

std::string ExitStatus::describe() const {
  if (timed_out) return "timed out (killed)";
  if (exited) return "exit status " + std::to_string(code);
  if (signal) return std::string("killed by signal ") + std::to_string(signal) + " (" + strsignal(signal) + ")";
  return "still running";
}

Child::Child(const std::vector<std::string>& argv, const fs::path& log, const fs::path& working_dir) {
  // posix_spawn (not fork) so that a multithreaded test process can start children safely.
  std::vector<char*> args;
  for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 1, log.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
  posix_spawn_file_actions_adddup2(&actions, 1, 2);
  posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
  if (!working_dir.empty()) posix_spawn_file_actions_addchdir_np(&actions, working_dir.c_str());
  int rc = posix_spawn(&pid_, args[0], &actions, nullptr, args.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  if (rc != 0) throw std::system_error(rc, std::generic_category(), "posix_spawn " + argv[0]);
}

Child::~Child() {
  if (running()) {
    ::kill(pid_, SIGKILL);
    wait(std::chrono::seconds(10));
  }
}

void Child::signal(int sig) {
  if (!status_) ::kill(pid_, sig);
}

namespace {

std::optional<ExitStatus> reap(pid_t pid, bool block) {
  int raw = 0;
  pid_t r = 0;
  do r = ::waitpid(pid, &raw, block ? 0 : WNOHANG);
  while (r < 0 && errno == EINTR);
  if (r <= 0) return std::nullopt;
  ExitStatus s;
  if (WIFEXITED(raw)) {
    s.exited = true;
    s.code = WEXITSTATUS(raw);
  } else if (WIFSIGNALED(raw)) {
    s.signal = WTERMSIG(raw);
  }
  return s;
}

}  // namespace

bool Child::running() {
  if (!status_) status_ = reap(pid_, false);
  return !status_;
}

ExitStatus Child::wait(std::chrono::milliseconds bound) {
  if (status_) return *status_;
  if (!eventually([&] { return !running(); }, bound)) {
    ::kill(pid_, SIGKILL);
    status_ = reap(pid_, true);
    if (status_) status_->timed_out = true;
  }
  return status_.value_or(ExitStatus{});
}

CommandResult run_apsched(const std::vector<std::string>& args, const fs::path& scratch_dir) {
  static std::atomic<int> counter{0};
  fs::path log = scratch_dir / ("command-" + std::to_string(++counter) + ".log");
  fs::path out = scratch_dir / ("command-" + std::to_string(counter) + ".out");
  // stdout to `out` (the command's result), stderr to `log` (its messages).
  std::vector<std::string> argv{APSCHED_BINARY};
  argv.insert(argv.end(), args.begin(), args.end());
  std::vector<char*> raw;
  for (const auto& a : argv) raw.push_back(const_cast<char*>(a.c_str()));
  raw.push_back(nullptr);
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 1, out.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  posix_spawn_file_actions_addopen(&actions, 2, log.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
  pid_t pid = -1;
  int rc = posix_spawn(&pid, raw[0], &actions, nullptr, raw.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  if (rc != 0) throw std::system_error(rc, std::generic_category(), "posix_spawn " + argv[0]);
  CommandResult result;
  std::optional<ExitStatus> status;
  bool ended = eventually([&] { return (status = reap(pid, false)).has_value(); }, std::chrono::seconds(30));
  if (!ended) {
    ::kill(pid, SIGKILL);
    status = reap(pid, true);
    if (status) status->timed_out = true;
  }
  result.status = status.value_or(ExitStatus{});
  result.out = read_file(out);
  result.output = result.out + read_file(log);
  return result;
}

}  // namespace apsched::persistence
