#pragma once
#include <apsched/sdk/executor.h>
#include <apsched/sdk/host.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace apsched::executors {

/** The stop token of one run: set for this run alone (its timeout), or for all runs of
 *  an executor through `abort` (shut down without waiting). */
class RunStopToken final : public sdk::StopToken {
 public:
  explicit RunStopToken(const std::atomic<bool>& abort) : abort_(abort) {}
  bool stop_requested() const noexcept override {
    return stop_.load(std::memory_order_acquire) || abort_.load(std::memory_order_acquire);
  }
  void request_stop() noexcept { stop_.store(true, std::memory_order_release); }

 private:
  const std::atomic<bool>& abort_;
  std::atomic<bool> stop_{false};
};

/** A time limit in seconds as a steady-clock duration; limits beyond about 31 years are
 *  treated as 31 years, so that deadlines cannot overflow. */
std::chrono::steady_clock::duration limit_duration(double seconds);

/** The outcome reported for a run past its timeout: "TimeoutError", timed_out set. */
sdk::JobOutcome timeout_outcome(double limit_seconds, const std::string& consequence);

/**
 * Job timeouts for executors that run jobs in threads of the host (thread pool, inline).
 * A thread cannot be killed: at the limit the run's stop token is set and the run is
 * reported as timed out at once (from the watchdog's thread, while the job still runs);
 * when the job really returns, its outcome goes to the kernel too, which only logs it.
 * The JobRun stays alive until then, so the job still counts toward max_instances.
 *
 * One watchdog thread, started with the first run that has a timeout and joined by the
 * destructor. Destroy the watchdog only once no run() is in progress.
 *
 * The watchdog thread's rules: it reports timeouts (JobRun::end, so listeners run on it)
 * while the run's own thread waits for that report before it goes on. So nothing called
 * from a report may wait for a run to finish: an executor's shutdown() called there
 * (on_watchdog_thread()) requests the stop and returns at once, and its destructor or a
 * later shutdown() from another thread does the waiting. Destroying the executor from a
 * report is not supported (its runs could never finish).
 */
class RunWatchdog {
 public:
  explicit RunWatchdog(sdk::Host& host) : host_(host) {}
  ~RunWatchdog();
  RunWatchdog(const RunWatchdog&) = delete;
  RunWatchdog& operator=(const RunWatchdog&) = delete;

  /** Runs every run time of `run` in the calling thread (as sdk::run_in_process), each
   *  under the run's timeout. `abort` is the executor's stop-all flag. */
  void run(sdk::JobRun& run, const std::atomic<bool>& abort) noexcept;

  /** True in the watchdog thread (while it reports a timeout: a listener's call). */
  bool on_watchdog_thread() noexcept;

 private:
  using Clock = std::chrono::steady_clock;
  enum class WatchState { watching, reporting, reported };
  /** One run time being watched; lives on the stack of the thread running it. */
  struct Watch {
    sdk::JobRun& run;
    sdk::Timestamp run_time;
    RunStopToken& token;
    double limit_seconds;
    Clock::time_point deadline;
    WatchState state = WatchState::watching;
  };

  /** False when the watchdog thread could not be started (the run goes unwatched). */
  bool add(Watch& watch);
  /** Waits while the watchdog is reporting `watch`, then forgets it. */
  void remove(Watch& watch);
  void watch_loop();

  sdk::Host& host_;
  // Lock rule: mutex_ guards watches_, every Watch's state, stopping_ and thread_. It is
  // never held while a run is reported. changed_ is signalled when watches_ or stopping_
  // change, reported_ when a watch leaves the reporting state.
  std::mutex mutex_;
  std::condition_variable changed_;
  std::condition_variable reported_;
  std::vector<Watch*> watches_;
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace apsched::executors
