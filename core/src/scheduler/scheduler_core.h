#pragma once
#include <condition_variable>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <ostream>
#include <thread>
#include <unordered_set>
#include <vector>

#include "apsched/core/scheduler.h"
#include "apsched/sdk/executor.h"
#include "apsched/sdk/store.h"
#include "jobs/job_document.h"
#include "jobs/job_libraries.h"
#include "jobs/job_path_watcher.h"
#include "loader/plugin_catalog.h"
#include "scheduler/id_table.h"
#include "scheduler/job_run.h"
#include "scheduler/kernel_host.h"
#include "scheduler/listeners.h"
#include "scheduler/running_instances.h"

namespace apsched::core::detail {

using StorePtr = std::shared_ptr<PluginObject<sdk::JobStore>>;
using ExecutorPtr = std::shared_ptr<PluginObject<sdk::Executor>>;

/**
 * What a pass does for one due job, in APScheduler's order: hand the run to its executor
 * (if any), announce the submission, then the events that follow (max_instances, removed).
 */
struct Step {
  ExecutorPtr executor;  ///< null: nothing to submit
  std::shared_ptr<const RunSpec> spec;  ///< the run's job (for a refused run's message)
  std::unique_ptr<JobRunImpl> run;
  std::unique_ptr<Event> submitted;  ///< built only when a listener wants it
  std::vector<Event> after;
  bool cancelled = false;  ///< drop the run instead of submitting it
  bool taken = false;      ///< the store removed the job at hand-over: its last run
};

/**
 * A pass's working arrays, kept by each thread that runs passes (process_jobs.cpp): for a
 * batch of 1,024 runs some are well over 64 KB, and freeing a block that large made glibc
 * consolidate the small free blocks the pass had left (the runs' and records') every time.
 * Empty but for their capacity between passes.
 */
struct PassBuffers {
  std::vector<Step> steps;
  std::vector<sdk::Status> statuses;   ///< one executor's answers
  std::vector<std::pair<ExecutorPtr, std::vector<std::size_t>>> by_executor;  ///< indices into steps
  bool in_use = false;  ///< a pass on this thread is using them (a pass within it gets its own)
};

/**
 * Everything behind the public Scheduler.
 *
 * Locking rule: `mutex_` guards the members below it up to `watcher_` (state,
 * stores, executors, pending jobs, waiting jobs, loop flags) and serialises all calls on job
 * stores. It is never held while calling an executor's submit/shutdown, a job, or a
 * listener; events are collected under it and dispatched after it is released.
 */
class SchedulerCore final : public RunReporter {
 public:
  SchedulerCore(SchedulerOptions options, std::function<void()> on_wakeup);
  ~SchedulerCore() override;

  void add_jobstore(const std::string& alias, const Value& config);
  void remove_jobstore(const std::string& alias, bool shutdown);
  void add_executor(const std::string& alias, const Value& config);
  void remove_executor(const std::string& alias, bool shutdown);

  Job add_job(const JobSpec& spec);
  Job modify_job(const std::string& id, const JobChanges& changes, const std::string& jobstore);
  Job reschedule_job(const std::string& id, const TriggerSpec& trigger, const std::string& jobstore);
  Job pause_job(const std::string& id, const std::string& jobstore);
  Job resume_job(const std::string& id, const std::string& jobstore);
  void remove_job(const std::string& id, const std::string& jobstore);
  void remove_all_jobs(const std::string& jobstore);
  std::optional<Job> get_job(const std::string& id, const std::string& jobstore);
  /** `unlisted`: when given, a store that cannot be listed goes there (alias: why) instead of throwing. */
  std::vector<Job> get_jobs(const std::string& jobstore, std::map<std::string, std::string>* unlisted = nullptr);
  void print_jobs(std::ostream& out, const std::string& jobstore);

  void start(bool paused);
  void shutdown(bool wait);
  void pause();
  void resume();
  void wakeup();
  bool running() const;
  std::optional<Timestamp> process_due_jobs();
  /**
   * Decodes the jobs due at `until` (the next wake-up) into the stores' decoded-job caches
   * while the scheduler would otherwise wait, so that their runs start without decoding.
   * Works in chunks, each under the lock; stops short of `until`, after
   * look_ahead_most() jobs (as many as a decoded-job cache keeps, less a pass's
   * batch), or
   * at a wake-up request: any after `seen` (the count a pass started with; default: the
   * count now). Unless `until` is (nearly) now, it first destroys the jobs passes retired.
   * Takes the lock.
   */
  void look_ahead(Timestamp until, std::optional<std::uint64_t> seen = std::nullopt);
  /** Destroys the jobs that passes retired (see retired_), outside the lock, then
   *  release_freed_memory. Takes the lock. */
  void drop_retired_jobs();
  void run_loop();

  Listeners& listeners() noexcept { return listeners_; }
  const Clock& clock() const noexcept { return *clock_; }
  const std::string& timezone() const noexcept { return timezone_; }

  // RunReporter
  Timestamp now() const override { return clock_->now(); }
  void run_missed(const std::string& job_id, const std::string& jobstore, Timestamp run_time, Timestamp late_by,
                  double grace_seconds) override;
  void run_started(const std::string& job_id, Timestamp run_time) override;
  void run_ended(const std::string& job_id, const std::string& jobstore, Timestamp run_time,
                 const sdk::JobOutcome& outcome) override;
  void run_returned_late(const std::string& job_id, Timestamp run_time, const sdk::JobOutcome& outcome) override;
  void job_log(const std::string& job_id, sdk::LogLevel level, std::string_view message) override;

 private:
  enum class State { stopped, running, paused };
  /**
   * A job added before start(), stored when the scheduler starts; one that cannot be
   * stored then (a locked database) stays here and is tried again on every pass.
   */
  struct PendingJob {
    LoadedJob job;
    bool replace_existing;
    bool next_run_time_given;
    std::string last_error;  ///< why the last attempt to store it failed
  };
  /** A job found in a store, decoded. */
  struct Found {
    std::string jobstore;
    LoadedJob job;
  };

  /**
   * Hashes ids given as std::string or std::string_view alike (the look ahead's skipped
   * set is searched with views). Not noexcept on purpose: libstdc++ then keeps each node's
   * hash, so that growing the set hashes no id again.
   */
  struct IdHash {
    using is_transparent = void;
    std::size_t operator()(std::string_view id) const { return std::hash<std::string_view>{}(id); }
  };
  /** A job as decoded from a record; valid while the store hands out that revision. */
  struct DecodedJob {
    std::uint64_t revision;
    LoadedJob job;
    /**
     * Set by the look ahead when the trigger has no fire time after the job's next run
     * time, which it was then: the run due at this instant is the job's last, and the
     * store may remove the job as it hands it over (sdk::Held::last_run).
     */
    std::optional<Timestamp> last_run_at = std::nullopt;
    /** Whether it was decoded from what the store now holds at `current` (0 never matches). */
    bool decoded_from(std::uint64_t current) const noexcept { return current != 0 && revision == current; }
  };
  using DecodedJobs = IdTable<DecodedJob>;
  using CachedJob = DecodedJobs::Entry;
  struct StoreEntry {
    StorePtr store;
    bool started = false;
    /**
     * Jobs decoded in earlier passes, by id. A store that tracks revisions (the memory
     * store) hands out the same revision until the job changes, so a recurring job is
     * decoded (its trigger re-created through its plugin) once, not on every run. Records
     * without a revision (a database store's) are decoded every time and not kept.
     */
    DecodedJobs decoded = {};
    /** Due jobs to take in the next pass: small at first so that the first runs start
     *  soon, doubling while batches come back full. */
    static constexpr std::size_t kFirstBatch = 64;
    /** Due jobs taken per pass and transaction at most. */
    static constexpr std::size_t kLargestBatch = 1024;
    std::size_t batch = kFirstBatch;
  };

  JobFunction resolve_function(const std::string& reference);
  /** Sets `job.run`, its function resolved again only when the job libraries changed since it last was. */
  void prepare_runs(LoadedJob& job);
  LoadedJob build_job(const JobSpec& spec);
  /** Applies `change` to a pending or stored job, stores it and reports it modified.
   *  `change` returns true when it set the next run time itself. */
  Job change_job(const std::string& id, const std::string& jobstore, const std::function<bool(LoadedJob&)>& change);
  PendingJob* find_pending(const std::string& id, const std::string& jobstore);  // needs lock
  void apply_changes(LoadedJob& job, const JobChanges& changes);
  /** Keeps a job added before start() until then; returns its snapshot. Needs lock. */
  Job keep_pending(PendingJob&& pending);
  /** Stores a pending job and returns its snapshot, which the caller may move from (the
   *  pending job is spent); on failure it throws and the job is kept for another try.
   *  Needs lock. */
  Job& store_job(PendingJob& pending, std::vector<Event>& events);
  /** Stores what pending_ holds; keeps what cannot be stored now. Needs lock. */
  void store_pending(std::vector<Event>& events);
  Found find_job(const std::string& id, const std::string& jobstore);  // needs lock; throws JobLookupError
  Job update_job(Found& found, std::vector<Event>& events);             // needs lock
  /** The store named `alias`, started (opened) on first use. Needs lock. */
  sdk::JobStore& store(const std::string& alias);
  std::vector<std::string> store_aliases(const std::string& only);     // needs lock
  void add_defaults(std::vector<Event>& events);                        // needs lock
  void start_plugins();                                                 // needs lock
  void list_store(const std::string& alias, std::vector<Job>& jobs);  // appends; needs lock
  /** The public snapshot of a stored record (unrestorable ones too). */
  Job snapshot(const sdk::JobRecord& record, const std::string& alias);  // needs lock
  /** Why a stored job cannot run now (waiting reason, or its function cannot be found). */
  std::string problem_of(const Job& job);                               // needs lock
  void note_waiting(const std::string& id, const std::string& reason);  // needs lock
  void clear_waiting(const std::string& id);                            // needs lock
  void process_store(const std::string& alias, Timestamp now, std::vector<Step>& steps);  // needs lock
  /** Takes the store's next batch of due jobs (kept in pass_due_) and sizes the one after. Needs lock. */
  const std::vector<sdk::JobRecord>& acquire_batch(sdk::JobStore& jobs, StoreEntry& entry, Timestamp now);
  /**
   * Fills `step` with the due run of `job` (its record `record`, on `executor`), or with the
   * event of a run skipped by max_instances, and moves the job to its next run time (none
   * when this run is its last). Needs lock.
   */
  void plan_run(Step& step, LoadedJob& job, const sdk::JobRecord& record, const ExecutorPtr& executor,
                const std::string& alias, Timestamp now);
  /** Into `times` (cleared first): the job's run times due at `now`, one when it coalesces. */
  void due_run_times(LoadedJob& job, Timestamp now, std::vector<Timestamp>& times) const;
  /**
   * The job of a due record: from `entry.decoded` at `cached` (the record's id there, or
   * null), or decoded now and kept there (`cached` then points to it) or into `fresh` when
   * not worth keeping (`cached` then is null); throws when it cannot be. Needs lock.
   */
  LoadedJob& decoded(StoreEntry& entry, CachedJob*& cached, const sdk::JobRecord& record, const std::string& alias,
                     LoadedJob& fresh);
  /** Takes `cached` (null: none) out of `entry` into retired_ (or destroys it when that is full). Needs lock. */
  void retire(StoreEntry& entry, CachedJob* cached);
  /** Jobs a decoded-job cache keeps at most (SchedulerOptions::decoded_jobs_kept); a pass
   *  that finds no room for its batch empties it. */
  std::size_t decoded_jobs_kept() const noexcept { return options_.decoded_jobs_kept; }
  /** Jobs the look ahead decodes at most: a cache's room less a pass's batch. */
  std::size_t look_ahead_most() const noexcept { return decoded_jobs_kept() - StoreEntry::kLargestBatch; }
  static_assert(SchedulerOptions::kFewestDecodedJobsKept >= 2 * StoreEntry::kLargestBatch,
                "a cache keeps a pass's batch and a look ahead of at least as many");
  /** What `cached` (null: none) is to a record at `revision`, due at `next_run_time`. Needs lock. */
  static sdk::Held held(const CachedJob* cached, std::uint64_t revision, std::optional<Timestamp> next_run_time);
  /**
   * Stores again a job whose record the store removed at hand-over (`taken`) but that
   * cannot run now; `job` is what the pass holds of it (never null: the store takes only
   * a job the pass holds decoded). Needs lock.
   */
  void put_back(sdk::JobStore& jobs, const std::string& alias, const std::string& id, LoadedJob* job);
  /** What one look ahead has done so far (look_ahead.cpp). */
  struct LookAhead {
    Timestamp until;
    // Records it could not keep (a decoding error, no revision): their pass deals with
    // them when they are due; the look ahead only skips them.
    std::unordered_set<std::string, IdHash, std::equal_to<>> skipped = {};
    std::map<std::string, std::string> resume_after = {};  // per store alias: the last id it showed
    std::vector<sdk::JobRecord> records = {};
    std::size_t decoded = 0;
  };
  /** Sets `kept.last_run_at` when the run due at its next run time is its last. Needs lock. */
  static void note_last_run(DecodedJob& kept);
  /** Decodes one chunk of the store's jobs due at `ahead.until`; false when it had none left. Needs lock. */
  bool look_ahead_in(const std::string& alias, StoreEntry& entry, Timestamp now, LookAhead& ahead);
  /** Submits the pass's runs (outside the lock) and dispatches their events, in order. */
  void perform(PassBuffers& buffers);
  void notify_wakeup();  // needs no lock; takes it
  /** What a job stored or changed to run next at `next_run_time` asks of the loop. */
  enum class LoopNotice { none, wake, look_ahead };
  /**
   * A wake-up when the job runs before the wake-up the last pass planned (or none is
   * known); a look ahead (setting look_ahead_wanted_) when it runs at that wake-up and the
   * built-in loop waits for it, so that it is decoded like the jobs that were there. Needs lock.
   */
  LoopNotice notice_for(std::optional<Timestamp> next_run_time);
  void tell_loop(LoopNotice notice);  // needs no lock
  /**
   * The built-in loop's wait for its next pass: until `next` (nullopt: a wake-up request)
   * or a wake-up request after `seen`, looking ahead meanwhile at the jobs stored to run
   * at `next` (look_ahead_wanted_). Needs `lock` held on mutex_.
   */
  void wait_for_pass(std::unique_lock<std::mutex>& lock, std::optional<Timestamp> next, std::uint64_t seen);
  /** Who holds the leases of parked (waiting) jobs. */
  std::string waiting_owner() const { return instance_id_ + "/waiting"; }

  // Hot-add (hot_add.cpp).
  /** A watcher of the job path when options_.watch_job_path, else null. Needs no lock. */
  std::unique_ptr<JobPathWatcher> start_watching();
  /** In the watcher's thread: takes in what the job path now holds for library `name`. */
  void job_library_changed(const std::string& name);
  /** Lets parked jobs be acquired now instead of after their waiting time, and wakes the loop. Takes the lock. */
  void release_waiting_jobs();

  const SchedulerOptions options_;
  const std::shared_ptr<const Clock> clock_;
  const std::string timezone_;
  const std::string instance_id_;
  const std::function<void()> on_wakeup_;
  PluginCatalog catalog_;
  JobLibraries libraries_;
  mutable KernelHost host_;
  Listeners listeners_;

  mutable std::mutex mutex_;
  std::condition_variable cv_;
  State state_ = State::stopped;
  std::map<std::string, StoreEntry> stores_;
  // Destroyed by ~SchedulerCore before any other member: their runs report to this core.
  std::map<std::string, ExecutorPtr> executors_;
  std::vector<PendingJob> pending_;
  // Ids that may be in pending_ (a superset): add_job scans pending_ for a taken id only
  // when its id is here, so adding many jobs before start() stays linear.
  std::unordered_set<std::string> pending_ids_;
  std::map<std::string, std::string> waiting_;  // job id -> why it cannot run
  // A pass's working lists, kept between passes: allocating them anew for every batch
  // made glibc consolidate its free lists over and over (a third of a busy pass).
  std::vector<sdk::JobRecord> pass_due_;
  std::vector<sdk::Release> pass_releases_;
  std::vector<Timestamp> pass_run_times_;  // one job's due run times, copied into its run object
  // Decoded jobs that passes dropped (one-shot jobs that ran), destroyed later by
  // drop_retired_jobs when the loop is idle: destroying a job (its trigger, its document)
  // was a fifth of a one-shot run's cost on the scheduler thread, ahead of the next runs.
  // At most look_ahead_most() (as many as the look ahead decodes); beyond, a pass destroys
  // them at once, and a pass that decodes a job destroys one first (see decoded()). The
  // look ahead makes room for as many as it decoded, so that passes do not grow it.
  std::vector<DecodedJobs::Taken> retired_;
  // Wake-ups asked for (notify_wakeup, shutdown): a pass or a look ahead that sees it
  // change stops waiting or working ahead.
  std::uint64_t wakeups_requested_ = 0;
  // The next wake-up the last pass planned (inner nullopt: none, the loop waits for a
  // request), set at the end of the pass's locked part and forgotten at every wake-up
  // request. A job added or changed to run later does not wake the loop: 100k adds to an
  // idle or paused scheduler used to wake it 100k times, each pass taking this lock.
  std::optional<std::optional<Timestamp>> planned_wakeup_;
  // Jobs were stored to run at the planned wake-up since the loop last looked ahead: it
  // looks ahead again (paced, see wait_for_pass). Set by notice_for, cleared by the loop.
  bool look_ahead_wanted_ = false;
  // How far the look ahead for `until` got: a later one for the same wake-up goes on from
  // there (jobs stored since at that time come after it in the stores' order).
  std::optional<LookAhead> ahead_;
  bool loop_active_ = false;
  std::thread::id loop_thread_;
  // Set by start(), taken by shutdown(), which destroys it (joining its thread) outside
  // the lock: its callback takes the lock.
  std::unique_ptr<JobPathWatcher> watcher_;

  // The max_instances count of each job id with a live RunSpec; guarded by mutex_. A run
  // releases its count through its RunSpec, without this lock.
  RunningInstances instances_;
};

}  // namespace apsched::core::detail
