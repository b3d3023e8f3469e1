#pragma once
#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <filesystem>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <ostream>
#include <string>
#include <thread>
#include <vector>

#include "apsched/core/clock.h"
#include "apsched/core/errors.h"
#include "apsched/core/events.h"
#include "apsched/core/job.h"

namespace apsched::core {

namespace detail {
class SchedulerCore;
}

/** Where a scheduler finds its plugins and job libraries, and how it behaves. */
struct SchedulerOptions {
  std::string timezone;  ///< empty: the host's local zone
  /** Searched in order; the directories beside the running binary are appended. */
  std::vector<std::filesystem::path> plugin_path;
  std::vector<std::filesystem::path> job_path;
  /**
   * Hot-add: while the scheduler runs, watch the job-path directories (inotify) and load
   * job libraries installed, replaced or removed there. Waiting jobs whose library
   * arrives run at once. Each version is loaded from a private copy and stays mapped for
   * the life of the process (see the README, "Hot-adding job libraries").
   */
  bool watch_job_path = false;
  /** The job-worker program that process-pool executors start; empty: the one beside
   *  the running binary (<binary dir>/../libexec/apsched/apsched-worker). */
  std::filesystem::path worker_program;
  /** Relative paths in plugin options (e.g. a database file) are relative to this. */
  std::filesystem::path base_directory = ".";
  /** Stable name of this scheduler in shared stores (leases); default: the host name. */
  std::string instance_id;
  /** How long a job whose library is missing waits before it is tried again. */
  double waiting_retry_seconds = 30;
  /**
   * After destroying 1,024 jobs or more at once (start() storing its pending jobs, one-shot
   * jobs dropped after they ran), merge the allocator's free lists and return its free
   * pages to the system (glibc's malloc_trim), so that the next pass does not pay for the
   * merge. It is process-wide: it takes each of the process's malloc arenas' locks in turn.
   * false: leave the allocator alone.
   */
  bool release_freed_memory = true;
  /**
   * Decoded jobs each job store's cache keeps. Decoding a job (its document, its trigger
   * through the plugin) costs 10–25k instructions, so a recurring job is decoded once and
   * kept while its stored document is unchanged, and the jobs due at the next wake-up are
   * decoded ahead, up to this many less a pass's batch (1,024). A decoded date job takes
   * about 1.2 KB (more with large args): ~300 MB at the default. Lower it to bound memory
   * where very many jobs run; jobs beyond it are decoded when they run, at a fraction of
   * the rate. At least kFewestDecodedJobsKept.
   */
  std::size_t decoded_jobs_kept = 262144;
  static constexpr std::size_t kFewestDecodedJobsKept = 2048;
  JobDefaults job_defaults;
  std::shared_ptr<const Clock> clock;  ///< null: the system clock
};

/**
 * The scheduler, with APScheduler 3.x semantics and API. Subclasses decide where the
 * loop runs: BackgroundScheduler (own thread), BlockingScheduler (the caller's thread),
 * EventLoopScheduler (the caller's event loop calls process_due_jobs()).
 *
 * THREADING: every public method may be called from any thread, including from jobs
 * and listeners. Listeners run in the thread that caused the event (the scheduler loop
 * or an executor worker), outside the scheduler's locks.
 */
class Scheduler {
 public:
  explicit Scheduler(SchedulerOptions options = {});
  virtual ~Scheduler();
  Scheduler(const Scheduler&) = delete;
  Scheduler& operator=(const Scheduler&) = delete;

  /** Adds a job store from its configuration (`{type: sqlite, path: jobs.sqlite}`). */
  void add_jobstore(const std::string& alias, const Value& config);
  void remove_jobstore(const std::string& alias, bool shutdown = true);
  /** Adds an executor from its configuration (`{type: threadpool, max_workers: 20}`). */
  void add_executor(const std::string& alias, const Value& config);
  void remove_executor(const std::string& alias, bool shutdown = true);

  /**
   * Adds a job. Before start() it is kept pending and stored when the scheduler starts.
   * Throws ConflictingIdError, or SchedulerError/LoadError (field set) on bad input.
   */
  Job add_job(const JobSpec& spec);
  Job modify_job(const std::string& id, const JobChanges& changes, const std::string& jobstore = {});
  /** New trigger; the next run time is recomputed from now. */
  Job reschedule_job(const std::string& id, const TriggerSpec& trigger, const std::string& jobstore = {});
  Job pause_job(const std::string& id, const std::string& jobstore = {});
  Job resume_job(const std::string& id, const std::string& jobstore = {});
  void remove_job(const std::string& id, const std::string& jobstore = {});
  void remove_all_jobs(const std::string& jobstore = {});
  std::optional<Job> get_job(const std::string& id, const std::string& jobstore = {});
  /** Pending jobs first, then each store's jobs in run-time order. */
  std::vector<Job> get_jobs(const std::string& jobstore = {});
  /**
   * APScheduler's print_jobs(). A store that cannot be listed is printed as such, the
   * others in full, and then SchedulerError is thrown naming it.
   */
  void print_jobs(std::ostream& out, const std::string& jobstore = {});

  /**
   * Starts executors and stores, stores pending jobs. `paused`: start without
   * processing jobs until resume(). Throws SchedulerAlreadyRunningError.
   */
  virtual void start(bool paused = false);
  /** Stops processing; wait=true also waits for running jobs. Throws SchedulerNotRunningError. */
  virtual void shutdown(bool wait = true);
  void pause();
  void resume();
  /** Makes the loop look at the stores again now. */
  void wakeup();
  bool running() const;

  /** Registers a listener for the events in `mask`; returns an id for remove_listener. */
  std::uint64_t add_listener(Listener listener, std::uint32_t mask = EVENT_ALL);
  void remove_listener(std::uint64_t id);

  /**
   * One pass of the scheduler (APScheduler's _process_jobs): runs what is due and
   * returns when to call again (nullopt: only after a change). Event-loop integrations
   * call it from their timer; the built-in loops call it too.
   */
  std::optional<Timestamp> process_due_jobs();
  /**
   * Decodes the jobs due at `next_wakeup` (what process_due_jobs returned) so that their
   * runs start without decoding them; returns 5 ms (plus one chunk's time) before
   * `next_wakeup`, or as soon as a wake-up is asked for. First it frees what passes left
   * for later (one-shot jobs that have run: at most 261,120 are kept for this, so that
   * destroying them is not on the next runs' path). The built-in loops do this while
   * they wait, and again (at most every 10 ms) for jobs stored meanwhile to run at that
   * wake-up; an event loop may call it when it is idle. A call for the same
   * `next_wakeup` as the last goes on where that one stopped.
   */
  void look_ahead(Timestamp next_wakeup);

  const Clock& clock() const;
  const std::string& timezone() const;

 protected:
  /** Runs passes until shutdown; used by the background and blocking schedulers. */
  void run_loop();
  /** Called when the next wake-up time may have changed. */
  virtual void on_wakeup_needed() {}

 private:
  std::unique_ptr<detail::SchedulerCore> core_;
};

/** Runs the scheduler loop in its own thread; start() returns at once. */
class BackgroundScheduler final : public Scheduler {
 public:
  using Scheduler::Scheduler;
  ~BackgroundScheduler() override;
  void start(bool paused = false) override;
  void shutdown(bool wait = true) override;

 private:
  std::mutex thread_mutex_;  // guards thread_
  std::thread thread_;
};

/** start() runs the loop in the calling thread and returns after shutdown(). */
class BlockingScheduler final : public Scheduler {
 public:
  using Scheduler::Scheduler;
  void start(bool paused = false) override;
};

/**
 * For programs with their own event loop: start() returns at once; the program calls
 * process_due_jobs() at the time it returns, and again whenever the wake-up callback
 * fires (jobs were added or changed). The callback may run in any thread.
 */
class EventLoopScheduler final : public Scheduler {
 public:
  using WakeupCallback = std::function<void()>;
  explicit EventLoopScheduler(SchedulerOptions options, WakeupCallback on_wakeup)
      : Scheduler(std::move(options)), on_wakeup_(std::move(on_wakeup)) {}

 protected:
  void on_wakeup_needed() override;

 private:
  WakeupCallback on_wakeup_;
};

}  // namespace apsched::core
