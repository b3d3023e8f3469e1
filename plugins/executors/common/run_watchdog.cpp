#include "executors/common/run_watchdog.h"

#include <algorithm>
#include <sstream>

namespace apsched::executors {
std::chrono::steady_clock::duration limit_duration(double seconds) {
  constexpr double kLongestLimitSeconds = 1e9;
  return std::chrono::duration_cast<std::chrono::steady_clock::duration>(
      std::chrono::duration<double>(std::min(seconds, kLongestLimitSeconds)));
}

sdk::JobOutcome timeout_outcome(double limit_seconds, const std::string& consequence) {
  std::ostringstream text;
  text << "the run exceeded its timeout of " << limit_seconds << " s; " << consequence;
  sdk::JobOutcome outcome = sdk::JobOutcome::failure("TimeoutError", text.str());
  outcome.timed_out = true;
  return outcome;
}

RunWatchdog::~RunWatchdog() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  changed_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void RunWatchdog::run(sdk::JobRun& run, const std::atomic<bool>& abort) noexcept {
  const double limit = run.timeout_seconds();
  for (sdk::Timestamp t : run.run_times()) {
    if (!run.begin(t)) continue;
    RunStopToken token(abort);
    if (limit <= 0) {
      run.end(t, run.invoke(t, token));
      continue;
    }
    auto deadline = Clock::now() + limit_duration(limit);
    Watch watch{run, t, token, limit, deadline};
    bool watched = add(watch);
    sdk::JobOutcome outcome = run.invoke(t, token);
    if (watched) remove(watch);
    run.end(t, outcome);  // after a reported timeout, the kernel only logs this
  }
}

bool RunWatchdog::on_watchdog_thread() noexcept {
  std::lock_guard lock(mutex_);
  return thread_.get_id() == std::this_thread::get_id();
}

bool RunWatchdog::add(Watch& watch) {
  {
    std::lock_guard lock(mutex_);
    try {
      if (!thread_.joinable()) thread_ = std::thread([this] { watch_loop(); });
      watches_.push_back(&watch);
    } catch (const std::exception& e) {
      if (host_.log_enabled(sdk::LogLevel::error))
        host_.log(sdk::LogLevel::error, "job '" + watch.run.job_id() + "' runs without its timeout: " + e.what());
      return false;
    }
  }
  changed_.notify_all();
  return true;
}

void RunWatchdog::remove(Watch& watch) {
  std::unique_lock lock(mutex_);
  reported_.wait(lock, [&] { return watch.state != WatchState::reporting; });
  watches_.erase(std::find(watches_.begin(), watches_.end(), &watch));
}

void RunWatchdog::watch_loop() {
  std::unique_lock lock(mutex_);
  while (!stopping_) {
    Watch* due = nullptr;
    for (Watch* w : watches_)
      if (w->state == WatchState::watching && (!due || w->deadline < due->deadline)) due = w;
    if (!due) {
      changed_.wait(lock);
      continue;
    }
    if (Clock::now() < due->deadline) {
      // A copy: wait_until reads it while unlocked, when `due` may be gone already.
      const Clock::time_point deadline = due->deadline;
      changed_.wait_until(lock, deadline);
      continue;
    }
    due->state = WatchState::reporting;
    due->token.request_stop();
    lock.unlock();
    due->run.end(due->run_time,
                 timeout_outcome(due->limit_seconds,
                                 "it was asked to stop (JobContext::stop_requested) and counts toward max_instances "
                                 "until it returns"));
    lock.lock();
    due->state = WatchState::reported;
    reported_.notify_all();
  }
}

}  // namespace apsched::executors
