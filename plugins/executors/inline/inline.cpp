#include "inline.h"

#include <apsched/sdk/config.h>
#include <apsched/sdk/status.h>

#include <algorithm>

namespace apsched::executors {

InlineExecutor::InlineExecutor(sdk::Host& host, const sdk::Value& config) : watchdog_(host) {
  sdk::ConfigReader reader(config, "inline executor");
  reader.ignore("type");
  reader.finish();
}

InlineExecutor::~InlineExecutor() { shutdown(true); }

sdk::Status InlineExecutor::start() noexcept {
  std::lock_guard lock(mutex_);
  if (state_ == State::stopped)
    return {sdk::Code::unavailable, "inline executor was shut down and cannot be started again", {}};
  state_ = State::running;
  return sdk::Status::success();
}

sdk::Status InlineExecutor::submit(std::unique_ptr<sdk::JobRun> run) noexcept {
  const auto self = std::this_thread::get_id();
  {
    std::lock_guard lock(mutex_);
    if (state_ != State::running)
      return {sdk::Code::unavailable,
              state_ == State::created ? "inline executor is not started" : "inline executor is shut down", {}};
    try {
      active_.push_back(self);
    } catch (const std::exception& e) {
      return {sdk::Code::internal, std::string("inline executor: ") + e.what(), {}};
    }
  }
  watchdog_.run(*run, abort_);
  run.reset();
  {
    std::lock_guard lock(mutex_);
    active_.erase(std::find(active_.begin(), active_.end(), self));
  }
  idle_.notify_all();
  return sdk::Status::success();
}

void InlineExecutor::shutdown(bool wait) noexcept {
  const auto self = std::this_thread::get_id();
  // Called while a timeout is reported: that run's thread waits for the report, so
  // waiting here would deadlock (see RunWatchdog); the destructor waits.
  const bool reporting = watchdog_.on_watchdog_thread();
  std::unique_lock lock(mutex_);
  state_ = State::stopped;
  if (!wait) abort_.store(true, std::memory_order_release);
  if (!wait || reporting) return;
  // Wait for runs in other threads; a job calling shutdown() does not wait for itself.
  idle_.wait(lock, [&] { return std::all_of(active_.begin(), active_.end(), [&](auto id) { return id == self; }); });
}

}  // namespace apsched::executors
