#pragma once
#include <apsched/sdk/executor.h>
#include <apsched/sdk/host.h>
#include <apsched/sdk/value.h>

#include <chrono>
#include <cstddef>
#include <deque>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "worker_process.h"

namespace apsched::executors {

/**
 * Runs jobs in job-worker processes (APScheduler's ProcessPoolExecutor): each run's
 * `library:function` is called in a worker, which loads the job library itself
 * (protocol: apsched/sdk/job_worker.h; program: Host::job_worker_command()).
 *
 * Configuration keys:
 *  - `max_workers`: worker processes, >= 1 (default 10, as APScheduler);
 *  - `kill_grace`: seconds between SIGTERM and SIGKILL when a worker is stopped (a
 *    timeout, shutdown without waiting); default 2.
 *
 * Workers are started with the pool and reused. A job that crashes, aborts, exits or is
 * killed is reported as an error naming the signal or exit status; its worker is
 * replaced and every other run carries on. A run past its timeout is reported timed out
 * at the limit and its worker stopped (SIGTERM, then SIGKILL after `kill_grace`) and
 * replaced. What a job prints goes to the host's log, tagged with its job id.
 *
 * THREADING: one supervisor thread starts, watches and reaps the workers and drives
 * every started run (begin/end/destruction); submit() only queues and wakes it, so it
 * never waits for a job. shutdown(true) lets queued and running runs finish;
 * shutdown(false) drops queued runs and stops the workers; both return once every
 * worker is reaped. Called from the supervisor thread itself (a listener), shutdown()
 * returns at once and the destructor joins.
 */
class ProcessPoolExecutor final : public sdk::Executor {
 public:
  ProcessPoolExecutor(sdk::Host& host, const sdk::Value& config);
  ~ProcessPoolExecutor() override;
  ProcessPoolExecutor(const ProcessPoolExecutor&) = delete;
  ProcessPoolExecutor& operator=(const ProcessPoolExecutor&) = delete;

  sdk::Status start() noexcept override;
  sdk::Status submit(std::unique_ptr<sdk::JobRun> run) noexcept override;
  void shutdown(bool wait) noexcept override;

  std::size_t max_workers() const noexcept { return options_.max_workers; }
  double kill_grace_seconds() const noexcept { return options_.kill_grace_seconds; }

 private:
  struct Options {
    std::size_t max_workers = 10;
    double kill_grace_seconds = 2;
  };
  static Options read_options(const sdk::Value& config);

  using Clock = std::chrono::steady_clock;
  enum class State { created, running, draining, aborting, stopped };

  /** A run in the supervisor's hands: which of its run times is next, and the one in flight. */
  struct Assignment {
    std::unique_ptr<sdk::JobRun> run;
    std::size_t next = 0;
    bool in_flight = false;  ///< `current` was sent to a worker and has no outcome yet
    bool timed_out = false;  ///< its timeout was reported
    sdk::Timestamp current = 0;
    Clock::time_point deadline = Clock::time_point::max();
  };

  struct Worker {
    std::unique_ptr<WorkerProcess> process;
    bool ready = false;     ///< said it is up
    bool stopping = false;  ///< SIGTERM sent
    bool killed = false;    ///< SIGKILL sent
    bool exited = false;
    Clock::time_point kill_at = Clock::time_point::max();
    std::optional<Assignment> job;
    std::string last_stderr;  ///< for a worker that could not start
  };

  void supervise() noexcept;
  void wake() noexcept;
  State current_state();
  bool queue_empty();
  std::size_t live_workers() const;
  Worker* spawn();
  Worker* free_worker();
  std::optional<Assignment> next_assignment();
  void dispatch(State state);
  /** Sends the next run time of `a` to `w`; false when `a` has none left. */
  bool start_next(Worker& w, Assignment& a);
  void fail_remaining(Assignment& a, const std::string& type, const std::string& message);
  void wait_for_events();
  void read_output(Worker& w);
  void read_worker(Worker& w);
  void handle_reply(Worker& w, const std::string& line);
  void handle_exit(Worker& w, int status, State state);
  void check_deadlines();
  void stop_worker(Worker& w);
  void flush_output(Worker& w);
  void log_output(Worker& w, const std::string& line, bool is_stderr);
  std::string tag(const Worker& w) const;
  void log(sdk::LogLevel level, const std::string& message);

  sdk::Host& host_;
  const Options options_;
  int wake_fd_ = -1;  // eventfd: submit() and shutdown() wake the supervisor

  // Lock rule: mutex_ guards state_ and queue_ only. It is never held while a run is
  // called or destroyed, nor while the host is called.
  std::mutex mutex_;
  State state_ = State::created;
  std::deque<std::unique_ptr<sdk::JobRun>> queue_;

  // Serialises shutdown() calls and the destructor. Taken before mutex_.
  std::mutex shutdown_mutex_;
  std::thread supervisor_;

  // Owned by the supervisor thread alone (no lock).
  std::vector<std::unique_ptr<Worker>> workers_;
  std::deque<Assignment> resumed_;  // runs whose worker died with run times left
  bool start_failed_ = false;       // no worker could start since the last one that did
  std::string start_error_;         // why the last attempt failed
  bool closing_ = false;            // draining is done: request streams closed
};

}  // namespace apsched::executors
