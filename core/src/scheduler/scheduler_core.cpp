// Construction, plugins and the scheduler's life cycle (start, pause, loop, shutdown).
#include "scheduler/scheduler_core.h"

#include <unistd.h>

#include <spdlog/spdlog.h>

#include "apsched/sdk/status.h"
#include "loader/default_paths.h"
#include "scheduler/default_plugins.h"
#include "scheduler/events_util.h"
#include "scheduler/freed_memory.h"

namespace apsched::core::detail {
namespace {

// The shortest time between two look aheads at jobs stored while the loop waits.
constexpr Timestamp kLookAheadPauseMicros = 10'000;

std::string host_name() {
  char name[256] = {};
  if (gethostname(name, sizeof name - 1) != 0 || name[0] == '\0') return "apsched";
  return name;
}

std::string resolve_timezone(const std::string& configured) {
  std::string zone = configured.empty() ? sdk::local_timezone_name() : configured;
  try {
    sdk::require_timezone(zone, "timezone");
  } catch (const sdk::Error& e) {
    throw SchedulerError(e.what(), e.field());
  }
  return zone;
}

}  // namespace

SchedulerCore::SchedulerCore(SchedulerOptions options, std::function<void()> on_wakeup)
    : options_(std::move(options)),
      clock_(options_.clock ? options_.clock : std::make_shared<SystemClock>()),
      timezone_(resolve_timezone(options_.timezone)),
      instance_id_(options_.instance_id.empty() ? host_name() : options_.instance_id),
      on_wakeup_(std::move(on_wakeup)),
      catalog_(with_default(options_.plugin_path, default_plugin_dir()), options_.base_directory),
      libraries_(with_default(options_.job_path, default_job_dir()),
                 options_.watch_job_path ? LoadFrom::private_copy : LoadFrom::file),
      host_(*clock_, timezone_, options_.base_directory.string(), catalog_,
            WorkerSetup{options_.worker_program.empty() ? default_worker_program() : options_.worker_program,
                        libraries_.search_path()}) {
  const JobDefaults& d = options_.job_defaults;
  if (d.max_instances < 1) throw SchedulerError("job_defaults.max_instances must be at least 1", "max_instances");
  if (d.misfire_grace_time && *d.misfire_grace_time <= 0)
    throw SchedulerError("job_defaults.misfire_grace_time must be positive, or null for no limit",
                         "misfire_grace_time");
  if (d.timeout && !(*d.timeout > 0))
    throw SchedulerError("job_defaults.timeout must be positive, or null for no limit", "timeout");
  if (options_.decoded_jobs_kept < SchedulerOptions::kFewestDecodedJobsKept)
    throw SchedulerError("decoded_jobs_kept must be at least " +
                             std::to_string(SchedulerOptions::kFewestDecodedJobsKept) + " (two passes' batches), got " +
                             std::to_string(options_.decoded_jobs_kept),
                         "decoded_jobs_kept");
}

SchedulerCore::~SchedulerCore() {
  bool running_now;
  {
    std::lock_guard lock(mutex_);
    running_now = state_ != State::stopped;
  }
  if (running_now) shutdown(true);
  // A shutdown() from an executor's own thread (a listener, a job) returned without
  // waiting for that executor's runs, which report to this core until they end: wait for
  // them and destroy the executors now, while all the members the runs use still exist.
  std::map<std::string, ExecutorPtr> executors;
  {
    std::lock_guard lock(mutex_);
    executors.swap(executors_);
  }
  for (auto& [alias, executor] : executors) (*executor)->shutdown(true);
  executors.clear();
}

void SchedulerCore::add_jobstore(const std::string& alias, const Value& config) {
  auto made = create_plugin_object<sdk::JobStore>(catalog_, PluginKind::store, config, host_);
  {
    std::lock_guard lock(mutex_);
    if (stores_.count(alias))
      throw SchedulerError("a job store named '" + alias + "' already exists", "jobstore");
    stores_.emplace(alias, StoreEntry{StorePtr(made.release()), false});
    if (state_ != State::stopped) store(alias);
  }
  listeners_.dispatch(alias_event(EVENT_JOBSTORE_ADDED, alias));
  notify_wakeup();
}

void SchedulerCore::remove_jobstore(const std::string& alias, bool shutdown_store) {
  {
    std::lock_guard lock(mutex_);
    auto it = stores_.find(alias);
    if (it == stores_.end()) throw SchedulerError("no job store named '" + alias + "'", "jobstore");
    if (shutdown_store && it->second.started) (*it->second.store)->shutdown();
    stores_.erase(it);
  }
  listeners_.dispatch(alias_event(EVENT_JOBSTORE_REMOVED, alias));
}

void SchedulerCore::add_executor(const std::string& alias, const Value& config) {
  auto made = create_plugin_object<sdk::Executor>(catalog_, PluginKind::executor, config, host_);
  ExecutorPtr added(made.release());
  {
    std::lock_guard lock(mutex_);
    if (executors_.count(alias))
      throw SchedulerError("an executor named '" + alias + "' already exists", "executor");
    if (state_ != State::stopped) {
      sdk::Status status = (*added)->start();
      if (!status.ok()) throw SchedulerError("executor '" + alias + "' could not start: " + status.message);
    }
    executors_.emplace(alias, added);
  }
  listeners_.dispatch(alias_event(EVENT_EXECUTOR_ADDED, alias));
}

void SchedulerCore::remove_executor(const std::string& alias, bool shutdown_executor) {
  ExecutorPtr removed;
  {
    std::lock_guard lock(mutex_);
    auto it = executors_.find(alias);
    if (it == executors_.end()) throw SchedulerError("no executor named '" + alias + "'", "executor");
    removed = it->second;
    executors_.erase(it);
  }
  if (shutdown_executor) (*removed)->shutdown(true);
  listeners_.dispatch(alias_event(EVENT_EXECUTOR_REMOVED, alias));
}

void SchedulerCore::add_defaults(std::vector<Event>& events) {
  // As APScheduler: a thread pool and a memory store named "default" unless configured.
  if (!executors_.count("default")) {
    auto made = create_plugin_object<sdk::Executor>(catalog_, PluginKind::executor, default_executor_config(), host_);
    executors_.emplace("default", ExecutorPtr(made.release()));
    events.push_back(alias_event(EVENT_EXECUTOR_ADDED, "default"));
  }
  if (!stores_.count("default")) {
    auto made = create_plugin_object<sdk::JobStore>(catalog_, PluginKind::store, default_jobstore_config(), host_);
    stores_.emplace("default", StoreEntry{StorePtr(made.release()), false});
    events.push_back(alias_event(EVENT_JOBSTORE_ADDED, "default"));
  }
}

void SchedulerCore::start_plugins() {
  std::vector<std::function<void()>> undo;
  auto fail = [&](const std::string& message) {
    for (auto it = undo.rbegin(); it != undo.rend(); ++it) (*it)();
    throw SchedulerError(message);
  };
  for (auto& [alias, executor] : executors_) {
    sdk::Status status = (*executor)->start();
    if (!status.ok()) fail("executor '" + alias + "' could not start: " + status.message);
    undo.push_back([e = executor] { (*e)->shutdown(false); });
  }
  for (auto& [alias, entry] : stores_) {
    try {
      store(alias);
    } catch (const SchedulerError& e) {
      fail(e.what());
    }
    undo.push_back([&entry = entry] {
      (*entry.store)->shutdown();
      entry.started = false;
    });
  }
}

void SchedulerCore::start(bool paused) {
  std::unique_ptr<JobPathWatcher> watcher = start_watching();  // destroyed outside the lock if start fails
  std::vector<Event> events;
  std::size_t pending_jobs = 0;  // destroyed by store_pending once stored
  {
    std::lock_guard lock(mutex_);
    if (state_ != State::stopped) throw SchedulerAlreadyRunningError("the scheduler is already running");
    add_defaults(events);
    start_plugins();
    state_ = paused ? State::paused : State::running;
    spdlog::info("Scheduler started (time zone {}, instance '{}')", timezone_, instance_id_);
    pending_jobs = pending_.size();
    store_pending(events);
    watcher_ = std::move(watcher);
  }
  release_freed_memory(pending_jobs, options_.release_freed_memory);
  // As APScheduler: the pending jobs' events come before the scheduler's own.
  events.push_back(scheduler_event(EVENT_SCHEDULER_STARTED));
  listeners_.dispatch(events);
  notify_wakeup();
}

void SchedulerCore::store_pending(std::vector<Event>& events) {
  std::vector<PendingJob> pending = std::move(pending_);
  pending_.clear();
  for (auto& p : pending) {
    std::string id = p.job.info.id;
    std::string jobstore = p.job.info.jobstore;
    try {
      store_job(p, events);
    } catch (const ConflictingIdError&) {
      spdlog::warn(
          "Job '{}' is already in job store '{}'; keeping the stored job (set replace_existing: true to "
          "replace it with the new definition)",
          id, jobstore);
    } catch (const std::exception& e) {
      // Kept, never dropped: a store that fails now (a locked database) may work later.
      if (p.last_error != e.what())
        spdlog::error("Job '{}' could not be stored yet ({}); it is kept and tried again on every pass", id,
                      e.what());
      p.last_error = e.what();
      pending_.push_back(std::move(p));
    }
  }
  if (pending_.empty()) pending_ids_.clear();
}

void SchedulerCore::shutdown(bool wait) {
  std::vector<ExecutorPtr> executors;
  std::unique_ptr<JobPathWatcher> watcher;
  {
    std::unique_lock lock(mutex_);
    if (state_ == State::stopped) throw SchedulerNotRunningError("the scheduler is not running");
    state_ = State::stopped;
    ++wakeups_requested_;
    cv_.notify_all();
    // Let a loop in another thread finish its pass before executors go away.
    if (loop_thread_ != std::this_thread::get_id()) cv_.wait(lock, [&] { return !loop_active_; });
    for (auto& [alias, executor] : executors_) executors.push_back(executor);
    watcher = std::move(watcher_);
  }
  watcher.reset();
  for (auto& executor : executors) (*executor)->shutdown(wait);
  {
    std::lock_guard lock(mutex_);
    for (auto& [alias, entry] : stores_)
      if (entry.started) {
        (*entry.store)->shutdown();
        entry.started = false;
      }
  }
  spdlog::info("Scheduler has been shut down");
  listeners_.dispatch(scheduler_event(EVENT_SCHEDULER_SHUTDOWN));
}

void SchedulerCore::pause() {
  {
    std::lock_guard lock(mutex_);
    if (state_ == State::stopped) throw SchedulerNotRunningError("the scheduler is not running");
    if (state_ == State::paused) return;
    state_ = State::paused;
  }
  spdlog::info("Paused scheduler job processing");
  listeners_.dispatch(scheduler_event(EVENT_SCHEDULER_PAUSED));
}

void SchedulerCore::resume() {
  {
    std::lock_guard lock(mutex_);
    if (state_ == State::stopped) throw SchedulerNotRunningError("the scheduler is not running");
    if (state_ == State::running) return;
    state_ = State::running;
  }
  spdlog::info("Resumed scheduler job processing");
  listeners_.dispatch(scheduler_event(EVENT_SCHEDULER_RESUMED));
  notify_wakeup();
}

bool SchedulerCore::running() const {
  std::lock_guard lock(mutex_);
  return state_ != State::stopped;
}

void SchedulerCore::notify_wakeup() {
  {
    std::lock_guard lock(mutex_);
    ++wakeups_requested_;
    planned_wakeup_.reset();
  }
  cv_.notify_all();
  if (on_wakeup_) on_wakeup_();
}

void SchedulerCore::wakeup() { notify_wakeup(); }

SchedulerCore::LoopNotice SchedulerCore::notice_for(std::optional<Timestamp> next_run_time) {
  // Not running: resume() and start() wake the loop themselves.
  if (!next_run_time || state_ != State::running) return LoopNotice::none;
  if (!planned_wakeup_ || !*planned_wakeup_) return LoopNotice::wake;
  const Timestamp planned = **planned_wakeup_;
  if (*next_run_time < planned) return LoopNotice::wake;
  // A job due later is looked ahead at after the planned pass; one look ahead at a time.
  if (*next_run_time > planned || !loop_active_ || look_ahead_wanted_) return LoopNotice::none;
  look_ahead_wanted_ = true;
  return LoopNotice::look_ahead;
}

void SchedulerCore::tell_loop(LoopNotice notice) {
  if (notice == LoopNotice::wake) notify_wakeup();
  else if (notice == LoopNotice::look_ahead) cv_.notify_all();
}

void SchedulerCore::wait_for_pass(std::unique_lock<std::mutex>& lock, std::optional<Timestamp> next,
                                  std::uint64_t seen) {
  auto woken = [&] { return wakeups_requested_ != seen || state_ == State::stopped; };
  while (!woken()) {
    clock_->wait_until(cv_, lock, next, [&] { return woken() || look_ahead_wanted_; });
    if (woken() || !look_ahead_wanted_ || !next || clock_->now() >= *next) return;
    // At most one look ahead per kLookAheadPauseMicros: a stream of adds wakes this thread
    // once per pause, not once per job. A pause that ends before the wake-up need not end
    // exactly (no final poll: it was 2% of a CPU while adds went on).
    const Timestamp pause_end = clock_->now() + kLookAheadPauseMicros;
    if (pause_end < *next) clock_->pause_until(cv_, lock, pause_end, woken);
    else clock_->wait_until(cv_, lock, *next, woken);
    if (woken() || clock_->now() >= *next) return;
    look_ahead_wanted_ = false;
    lock.unlock();
    look_ahead(*next, seen);
    lock.lock();
  }
}

void SchedulerCore::run_loop() {
  std::unique_lock lock(mutex_);
  loop_active_ = true;
  loop_thread_ = std::this_thread::get_id();
  while (state_ != State::stopped) {
    const std::uint64_t seen = wakeups_requested_;
    lock.unlock();
    std::optional<Timestamp> next = process_due_jobs();
    if (next) look_ahead(*next, seen);
    else drop_retired_jobs();
    lock.lock();
    if (next && spdlog::should_log(spdlog::level::debug))
      spdlog::debug("Next wakeup is due at {}", sdk::format_datetime(*next, timezone_));
    wait_for_pass(lock, next, seen);
  }
  loop_active_ = false;
  loop_thread_ = {};
  cv_.notify_all();
}

}  // namespace apsched::core::detail
