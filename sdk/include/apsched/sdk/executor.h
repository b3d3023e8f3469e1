#pragma once
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "apsched/sdk/export.h"
#include "apsched/sdk/status.h"
#include "apsched/sdk/time.h"
#include "apsched/sdk/value.h"

namespace apsched::sdk {

/** Lets a job notice that it should stop (timeout, shutdown). */
class APSCHED_VISIBLE StopToken {
 public:
  virtual ~StopToken();
  virtual bool stop_requested() const noexcept = 0;
};

/** What one call of a job function gave. */
struct JobOutcome {
  bool ok = true;
  Value retval;
  std::string error_type;     ///< exception type; "TimeoutError" past the timeout; "signal"/"exit" for a dead worker
  std::string error_message;  ///< exception text
  bool timed_out = false;     ///< the run passed its timeout (ok is false)

  /** A failed outcome: `JobOutcome::failure("LoadError", "no such function")`. */
  static JobOutcome failure(std::string type, std::string message) {
    JobOutcome outcome;
    outcome.ok = false;
    outcome.error_type = std::move(type);
    outcome.error_message = std::move(message);
    return outcome;
  }
};

/**
 * One submission of a job: its due run times (several when not coalesced). Created by
 * the kernel, handed to an executor, which drives it:
 *
 *     for (Timestamp t : run->run_times())
 *       if (run->begin(t)) run->end(t, run->invoke(t, stop_token));
 *
 * (`run_in_process` does exactly this). `begin` applies misfire_grace_time at the
 * moment the run really starts and reports a missed run; `end` reports executed/error.
 *
 * Timeouts: when `timeout_seconds()` is positive, the executor reports a run that passes
 * it at the limit, with `end(t, outcome)` where `outcome.timed_out` is set, and stops
 * the job: it sets the run's stop token (a thread cannot be killed) or kills the
 * process running it. If the job still returns an outcome for `t` afterwards, the
 * executor passes it to `end(t, ...)` as well: the kernel logs that late outcome and
 * reports nothing more.
 *
 * LIFETIME: owned by the executor. Destroying it ends the submission: the kernel then
 * releases the job's instance count (max_instances). Destroy it only once the job has
 * really returned (or its process is gone), so that a timed-out job that still runs
 * keeps counting toward max_instances.
 * THREADING: one thread at a time; any thread. One exception: the timeout's `end(t, ...)`
 * may be called from another thread while `invoke(t, ...)` still runs.
 */
class APSCHED_VISIBLE JobRun {
 public:
  virtual ~JobRun();

  virtual const std::string& job_id() const noexcept = 0;
  /** "library:function" */
  virtual const std::string& func() const noexcept = 0;
  virtual const Value& args() const noexcept = 0;
  virtual const Value& kwargs() const noexcept = 0;
  /** Valid as long as the run object. */
  virtual std::span<const Timestamp> run_times() const noexcept = 0;
  /** Seconds a run may take (the job's `timeout` option); 0 = no limit. */
  virtual double timeout_seconds() const noexcept = 0;

  /** False when the run is too late (missed; reported by the kernel). */
  virtual bool begin(Timestamp run_time) noexcept = 0;
  /** Calls the job function in this process, in the calling thread. */
  virtual JobOutcome invoke(Timestamp run_time, const StopToken& stop) noexcept = 0;
  /** Reports the outcome of a run started with begin(). */
  virtual void end(Timestamp run_time, const JobOutcome& outcome) noexcept = 0;

  // ---- SDK 2.1 ----

  /**
   * The file that holds exactly the version of the job library whose function `invoke`
   * calls (with hot-add, a private copy: the job-path file may have been replaced since).
   * An executor that runs the job in another process has it load this file, so that both
   * run the same code (job_worker.h). Readable by the host's child processes for as long
   * as the host lives.
   */
  virtual const std::string& library_file() const noexcept = 0;
};

/** A token that never asks to stop. */
class APSCHED_VISIBLE NeverStop final : public StopToken {
 public:
  bool stop_requested() const noexcept override { return false; }
};

/** Drives a JobRun in the calling thread. */
inline void run_in_process(JobRun& run, const StopToken& stop) {
  for (Timestamp t : run.run_times())
    if (run.begin(t)) run.end(t, run.invoke(t, stop));
}

/**
 * Runs jobs. Created from its configuration map; `start` is called before any submit.
 *
 * THREADING: submit may be called from any thread, concurrently with itself.
 */
class APSCHED_VISIBLE Executor {
 public:
  virtual ~Executor();

  virtual Status start() noexcept = 0;
  /**
   * Takes the run and executes it, now or when a worker is free. Must not block on the
   * job. If it returns an error, the run was not started (it is destroyed, nothing ran).
   */
  virtual Status submit(std::unique_ptr<JobRun> run) noexcept = 0;

  /**
   * Takes several runs at once, as submit does each: the kernel hands over all the due
   * runs of a scheduler pass together, so that an executor can queue them under one lock
   * and wake its workers once. `statuses` gets one status per run, in order; a run whose
   * status is an error was not started (it is destroyed). The default submits them one
   * by one.
   */
  virtual void submit_all(std::vector<std::unique_ptr<JobRun>> runs, std::vector<Status>& statuses) noexcept;
  /** wait=true: finish running and queued runs first; wait=false: drop queued runs. */
  virtual void shutdown(bool wait) noexcept = 0;
};

}  // namespace apsched::sdk
