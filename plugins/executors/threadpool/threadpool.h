#pragma once
#include <apsched/sdk/executor.h>
#include <apsched/sdk/host.h>
#include <apsched/sdk/value.h>

#include <array>
#include <atomic>
#include <condition_variable>
#include <cstddef>
#include <deque>
#include <memory>
#include <mutex>
#include <optional>
#include <span>
#include <thread>
#include <vector>

#include "executors/common/run_watchdog.h"
#include "executors/threadpool/start_policy.h"

namespace apsched::executors {

/**
 * Runs jobs on a fixed pool of worker threads (APScheduler's ThreadPoolExecutor).
 *
 * Configuration keys:
 *  - `max_workers`: number of worker threads, >= 1 (default 10, as APScheduler).
 *
 * Workers start in start(). submit() queues the run (FIFO) and never waits for a job.
 * Short runs are taken by as many workers as the machine has CPUs but one, so that they
 * do not crowd out the thread that submits them; a run that is long or blocks (running
 * for more than 1 ms) no longer counts, and once a run has waited 2 ms in the queue every
 * idle worker takes runs (StartPolicy).
 * shutdown(true) lets queued and running runs finish; shutdown(false) destroys queued
 * runs without running them and asks running ones to stop through their StopToken.
 * A run past its timeout is reported timed out at the limit and asked to stop; its
 * thread stays busy until the job returns (see RunWatchdog).
 * Both join the workers. A run is always destroyed outside the pool's lock, in the
 * thread that ran it (or the one that dropped it).
 *
 * A job of the pool may call shutdown(): every other worker is joined, its own thread
 * (which cannot join itself) is joined by the destructor. Destroying the pool from one
 * of its own jobs is not supported.
 */
class ThreadPoolExecutor final : public sdk::Executor {
 public:
  ThreadPoolExecutor(sdk::Host& host, const sdk::Value& config);
  ~ThreadPoolExecutor() override;

  ThreadPoolExecutor(const ThreadPoolExecutor&) = delete;
  ThreadPoolExecutor& operator=(const ThreadPoolExecutor&) = delete;

  sdk::Status start() noexcept override;
  sdk::Status submit(std::unique_ptr<sdk::JobRun> run) noexcept override;
  /** Queues them all under one lock and wakes the idle workers StartPolicy asks for. */
  void submit_all(std::vector<std::unique_ptr<sdk::JobRun>> runs, std::vector<sdk::Status>& statuses) noexcept override;
  void shutdown(bool wait) noexcept override;

  std::size_t max_workers() const noexcept { return max_workers_; }

 private:
  enum class State { created, running, stopping, stopped };

  /** How a wake-up reaches the workers once mutex_ is released (see notify()). */
  struct Notice {
    std::size_t count = 0;
    bool all = false;
  };

  /** Queues `runs[i]` or sets `statuses[i]` to why not; the runs not queued stay in `runs`. */
  void enqueue(std::span<std::unique_ptr<sdk::JobRun>> runs, std::span<sdk::Status> statuses) noexcept;
  void work(std::size_t slot) noexcept;
  /**
   * Hands out up to `count` wake-ups for `why` to waiting workers that none is on its way
   * to yet, and adds them to `notice`. Under mutex_.
   */
  void wake(std::size_t count, StartPolicy::Wake why, Notice& notice);
  /** Claims a pending wake-up (none when there is none). Under mutex_. */
  StartPolicy::Wake claim();
  /** Notifies for `notice`, outside mutex_ (a woken worker would only wait for it). */
  void notify(const Notice& notice) noexcept;
  /** When the run first in the queue was queued (none: the queue is empty). Under mutex_. */
  std::optional<StartPolicy::Clock::time_point> oldest_queued() const;
  void join_workers() noexcept;

  sdk::Host& host_;
  const std::size_t max_workers_;

  // Set once by shutdown(false); read by every RunStopToken without the lock.
  std::atomic<bool> abort_{false};
  RunWatchdog watchdog_{host_};

  // How long a run counts as holding a CPU, and how long a queued run waits at most before
  // every idle worker takes runs (see StartPolicy).
  static constexpr std::chrono::milliseconds kSettle{1};
  static constexpr std::chrono::milliseconds kLongestWait{2};

  struct Queued {
    std::unique_ptr<sdk::JobRun> run;
    StartPolicy::Clock::time_point queued_at;
  };

  // Lock rule: mutex_ guards state_, queue_, workers_, pending_, unreached_ and policy_.
  // It is never held while a run is executed or destroyed (a JobRun's destructor calls
  // into the kernel), nor while joining. work_ready_ is notified for the wake-ups policy_
  // asks for (a busy worker takes the next run without being woken) and on shutdown.
  std::mutex mutex_;
  std::condition_variable work_ready_;
  State state_ = State::created;
  std::deque<Queued> queue_;
  std::vector<std::thread> workers_;
  // Wake-ups handed out and not yet claimed, by reason (indexed by StartPolicy::Wake). A
  // worker that returns from waiting claims one (and tells the policy its reason) or,
  // finding none, waits again: whichever worker a notification reaches, and whatever
  // spurious wake-ups and deadlines happen, each wake-up is claimed by exactly one worker.
  std::array<std::size_t, static_cast<std::size_t>(StartPolicy::Wake::everyone) + 1> pending_{};
  std::size_t unreached_ = 0;  // waiting workers less pending wake-ups: those a wake-up can still go to
  StartPolicy policy_;

  // Serialises shutdown() calls (and the destructor), so a second caller returns only
  // once the workers are joined. Taken before mutex_, never the other way round.
  std::mutex shutdown_mutex_;
};

}  // namespace apsched::executors
