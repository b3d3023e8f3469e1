#include "scheduler_harness.h"

namespace apsched::testing {

SchedulerHarness::SchedulerHarness(core::JobDefaults defaults, const char* executor,
                                   const std::vector<std::filesystem::path>& more_plugins)
    : clock_(std::make_shared<core::ManualClock>(kStart)) {
  core::SchedulerOptions options = test_options();
  options.plugin_path.insert(options.plugin_path.end(), more_plugins.begin(), more_plugins.end());
  options.job_defaults = defaults;
  options.clock = clock_;
  scheduler_ = std::make_unique<core::EventLoopScheduler>(options, [this] {
    std::lock_guard lock(mutex_);
    ++wakeups_;
  });
  scheduler_->add_executor("default", sdk::Value::Map{{"type", executor}});
  scheduler_->add_listener([this](const core::Event& e) {
    std::lock_guard lock(mutex_);
    events_.push_back(e);
  });
}

std::vector<core::Event> SchedulerHarness::events() const {
  std::lock_guard lock(mutex_);
  return events_;
}

std::vector<core::Event> SchedulerHarness::events(core::EventCode code) const {
  std::vector<core::Event> out;
  for (const auto& e : events())
    if (e.code == code) out.push_back(e);
  return out;
}

std::vector<std::string> SchedulerHarness::event_names(std::uint32_t mask) const {
  std::vector<std::string> out;
  for (const auto& e : events())
    if (e.code & mask) out.push_back(core::event_name(e.code));
  return out;
}

void SchedulerHarness::clear_events() {
  std::lock_guard lock(mutex_);
  events_.clear();
}

int SchedulerHarness::wakeups() const {
  std::lock_guard lock(mutex_);
  return wakeups_;
}

core::SchedulerOptions SchedulerHarness::test_options() {
  core::SchedulerOptions options;
  options.timezone = "UTC";
  options.plugin_path = {APSCHED_PLUGIN_DIR};
  options.job_path = {APSCHED_JOBS_DIR, APSCHED_TEST_JOBS_DIR};
  return options;
}

core::JobSpec SchedulerHarness::interval_job(const std::string& id, double seconds, const char* func) {
  core::JobSpec spec;
  spec.id = id;
  spec.func = func;
  spec.trigger = core::TriggerSpec::make("interval", {{"seconds", seconds}});
  return spec;
}

}  // namespace apsched::testing
