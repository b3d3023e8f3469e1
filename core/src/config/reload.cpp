// Applying a changed config to a running host (SIGHUP).
#include <map>

#include <spdlog/spdlog.h>

#include "apsched/core/config.h"
#include "apsched/core/errors.h"

namespace apsched::core {

std::vector<std::string> validate(const Config& config) {
  try {
    Scheduler scratch(config.options());
    return configure(scratch, config);
  } catch (const SchedulerError& e) {
    return {config.where("scheduler") + ": " + e.what()};
  }
}

ReloadResult reload_jobs(Scheduler& scheduler, const Config& previous, const Config& next) {
  ReloadResult result;
  result.settings_changed = !(previous.settings() == next.settings());
  std::map<std::string, const ConfigJob*> before;
  for (const auto& job : previous.jobs()) before.emplace(*job.spec.id, &job);

  for (const auto& job : next.jobs()) {
    const std::string& id = *job.spec.id;
    auto old = before.find(id);
    bool is_new = old == before.end();
    if (!is_new) {
      const ConfigJob& earlier = *old->second;
      before.erase(old);
      if (earlier.source == job.source) continue;
      if (earlier.spec.jobstore != job.spec.jobstore) {
        try {
          scheduler.remove_job(id, earlier.spec.jobstore);  // moving to another store
        } catch (const JobLookupError&) {
        }
      }
    }
    JobSpec spec = job.spec;
    // A changed job replaces its earlier self; a new one follows its own replace_existing.
    if (!is_new) spec.replace_existing = true;
    try {
      scheduler.add_job(spec);
      (is_new ? result.added : result.changed).push_back(id);
    } catch (const SchedulerError& e) {
      result.problems.push_back(next.where(job.path) + ": job '" + id + "' not applied: " + e.what());
    }
  }
  for (const auto& [id, job] : before) {
    try {
      scheduler.remove_job(id, job->spec.jobstore);
      result.removed.push_back(id);
    } catch (const JobLookupError&) {
      result.removed.push_back(id);  // already gone (e.g. a one-off job that has run)
    } catch (const SchedulerError& e) {
      result.problems.push_back("job '" + id + "' not removed: " + e.what());
    }
  }
  return result;
}

}  // namespace apsched::core
