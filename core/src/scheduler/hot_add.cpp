// Hot-adding job libraries: the job-path watcher's changes, taken into the scheduler.
#include <spdlog/spdlog.h>

#include "loader/default_paths.h"
#include "scheduler/scheduler_core.h"

namespace apsched::core::detail {
std::unique_ptr<JobPathWatcher> SchedulerCore::start_watching() {
  if (!options_.watch_job_path) return nullptr;
  auto watcher = std::make_unique<JobPathWatcher>(
      libraries_.search_path(), [this](const std::string& name) { job_library_changed(name); },
      [this] { return libraries_.loaded_names(); });
  spdlog::info("Watching the job path for job libraries (install them by atomic rename): {}",
               join_paths(watcher->watched()));
  return watcher;
}

void SchedulerCore::job_library_changed(const std::string& name) {
  LibraryChange change = libraries_.refresh(name);
  switch (change.kind) {
    case LibraryChange::unchanged:
      spdlog::debug("Job library '{}': {} holds the version in use", name, change.file.string());
      return;
    case LibraryChange::loaded:
      spdlog::info("Job library '{}' loaded from {} (functions: {})", name, change.file.string(),
                   change.current->function_list());
      break;
    case LibraryChange::replaced:
      spdlog::info(
          "Job library '{}' replaced by the new version in {} (functions: {}): new runs use it; runs in progress "
          "finish on the previous version",
          name, change.file.string(), change.current->function_list());
      break;
    case LibraryChange::removed:
      spdlog::warn(
          "Job library '{}' was removed ({} is gone): its jobs wait until it is installed again (they are kept, "
          "never deleted); runs in progress finish",
          name, change.file.string());
      return;
    case LibraryChange::refused:
      if (change.current)
        spdlog::error(
            "Job library '{}' not replaced: {}. The version loaded from {} stays in use; install a fixed build "
            "(write it under another name, then rename it over {})",
            name, change.error, change.current->path.string(), change.file.string());
      else
        spdlog::error(
            "Job library '{}' not loaded: {}. Nothing else changed (jobs that use it keep waiting); install a fixed "
            "build by atomic rename",
            name, change.error);
      return;
  }
  release_waiting_jobs();
}

void SchedulerCore::release_waiting_jobs() {
  {
    std::lock_guard lock(mutex_);
    if (state_ == State::stopped) return;
    std::vector<std::string> ids;
    for (const auto& [id, reason] : waiting_) ids.push_back(id);
    // The parking lease, expired now: the next pass acquires them like any due job.
    sdk::Lease expired{waiting_owner(), clock_->now()};
    for (auto& [alias, entry] : stores_) {
      if (!entry.started || ids.empty()) continue;
      sdk::Status status = (*entry.store)->hold(ids, expired);
      if (!status.ok())
        spdlog::error("Job store '{}' could not release its waiting jobs ({}); they are tried again after {} s",
                      alias, status.message, options_.waiting_retry_seconds);
    }
  }
  notify_wakeup();
}

}  // namespace apsched::core::detail
