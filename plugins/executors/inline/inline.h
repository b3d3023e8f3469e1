#pragma once
#include <apsched/sdk/executor.h>
#include <apsched/sdk/host.h>
#include <apsched/sdk/value.h>

#include <atomic>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

#include "executors/common/run_watchdog.h"

namespace apsched::executors {

/**
 * Runs each job synchronously in the thread that calls submit(), which returns once
 * the run is done (APScheduler's DebugExecutor). For tests and debugging: a slow job
 * stalls the scheduler. No configuration besides `type`.
 *
 * shutdown(true) waits for runs in progress in other threads; shutdown(false) asks
 * them to stop through their StopToken and returns. Either may be called from a job.
 *
 * Timeouts as in the thread pool: at the limit the run is reported timed out (from the
 * watchdog's thread) and its stop token is set; submit() still returns only when the job
 * does.
 */
class InlineExecutor final : public sdk::Executor {
 public:
  InlineExecutor(sdk::Host& host, const sdk::Value& config);
  ~InlineExecutor() override;

  sdk::Status start() noexcept override;
  sdk::Status submit(std::unique_ptr<sdk::JobRun> run) noexcept override;
  void shutdown(bool wait) noexcept override;

 private:
  enum class State { created, running, stopped };

  std::atomic<bool> abort_{false};  // set by shutdown(false); read by tokens without the lock
  RunWatchdog watchdog_;

  // Lock rule: mutex_ guards state_ and active_; it is not held while a run executes
  // or is destroyed. idle_ is signalled whenever a run leaves active_.
  std::mutex mutex_;
  std::condition_variable idle_;
  State state_ = State::created;
  std::vector<std::thread::id> active_;  // threads inside submit() running a job
};

}  // namespace apsched::executors
