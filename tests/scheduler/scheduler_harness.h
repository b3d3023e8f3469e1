#pragma once
// A scheduler for exact tests: manual clock, event-loop integration (the test runs each
// pass), inline executor unless told otherwise, and a record of every event.
#include <apsched/core/scheduler.h>

#include <filesystem>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

namespace apsched::testing {

using core::Timestamp;
constexpr Timestamp kSecond = sdk::kMicrosPerSecond;
/** 2026-01-05T12:00:00Z, a Monday. */
constexpr Timestamp kStart = 1767614400LL * kSecond;

class SchedulerHarness {
 public:
  /** `more_plugins`: directories searched for plugins after the built ones (the test fixtures'). */
  explicit SchedulerHarness(core::JobDefaults defaults = {}, const char* executor = "inline",
                            const std::vector<std::filesystem::path>& more_plugins = {});

  core::EventLoopScheduler& scheduler() { return *scheduler_; }
  core::ManualClock& clock() { return *clock_; }
  void advance(double seconds) { clock_->advance_seconds(seconds); }
  /** One scheduler pass at the current manual time; returns the next wake-up. */
  std::optional<Timestamp> pass() { return scheduler_->process_due_jobs(); }

  std::vector<core::Event> events() const;
  std::vector<core::Event> events(core::EventCode code) const;
  /** Event names in order, e.g. {"EVENT_JOB_ADDED", ...}, optionally filtered by mask. */
  std::vector<std::string> event_names(std::uint32_t mask = core::EVENT_ALL) const;
  void clear_events();
  int wakeups() const;

  /** Options for a scheduler in these tests: UTC, the built plugins and job libraries. */
  static core::SchedulerOptions test_options();
  /** A spec for example_jobs:noop with an interval trigger of `seconds`. */
  static core::JobSpec interval_job(const std::string& id, double seconds, const char* func = "example_jobs:noop");

 private:
  std::shared_ptr<core::ManualClock> clock_;
  mutable std::mutex mutex_;  // guards events_ and wakeups_
  std::vector<core::Event> events_;
  int wakeups_ = 0;
  // Last: destroyed first, so its shutdown events still find events_ alive.
  std::unique_ptr<core::EventLoopScheduler> scheduler_;
};

}  // namespace apsched::testing
