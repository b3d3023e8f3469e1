#include <set>

#include "apsched/core/config.h"
#include "apsched/core/errors.h"
#include "apsched/sdk/config.h"
#include "scheduler/default_plugins.h"

namespace apsched::core {

std::vector<std::string> configure(Scheduler& scheduler, const Config& config) {
  std::vector<std::string> problems;
  auto report = [&](const std::string& path, const SchedulerError& e) {
    std::string at = e.field().empty() ? path : path + "." + e.field();
    problems.push_back(config.where(at) + ": " + e.what());
  };
  std::set<std::string, std::less<>> stores, executors;
  for (const auto& store : config.jobstores()) {
    stores.insert(store.alias);
    try {
      scheduler.add_jobstore(store.alias, store.config);
    } catch (const SchedulerError& e) {
      report("jobstores." + store.alias, e);
    }
  }
  for (const auto& executor : config.executors()) {
    executors.insert(executor.alias);
    try {
      scheduler.add_executor(executor.alias, executor.config);
    } catch (const SchedulerError& e) {
      report("executors." + executor.alias, e);
    }
  }
  // The defaults a run would create, created now so that a missing plugin shows here.
  try {
    if (!stores.count("default")) scheduler.add_jobstore("default", detail::default_jobstore_config());
    stores.insert("default");
    if (!executors.count("default")) scheduler.add_executor("default", detail::default_executor_config());
    executors.insert("default");
  } catch (const SchedulerError& e) {
    problems.push_back(config.where("") + ": the default " + std::string(stores.count("default") ? "executor" : "job store") +
                       " cannot be created: " + e.what());
  }
  // "job 'a' names executor 'x', which is not configured under 'executors' (configured: ...)".
  auto unknown = [&](const ConfigJob& job, const char* key, const char* what, const char* section,
                     const std::string& name, const std::set<std::string, std::less<>>& known) {
    std::string list;
    for (const auto& k : known) list += (list.empty() ? "" : ", ") + k;
    std::string suggestion = sdk::closest_match(name, known);
    problems.push_back(config.where(job.path + "." + key) + ": job '" + *job.spec.id + "' names " + what + " '" +
                       name + "', which is not configured under '" + section + "' (configured: " + list + ")" +
                       (suggestion.empty() ? "" : "; did you mean '" + suggestion + "'?"));
  };
  for (const auto& job : config.jobs()) {
    if (!executors.count(job.spec.executor))
      unknown(job, "executor", "executor", "executors", job.spec.executor, executors);
    if (!stores.count(job.spec.jobstore)) unknown(job, "jobstore", "job store", "jobstores", job.spec.jobstore, stores);
    try {
      scheduler.add_job(job.spec);
    } catch (const SchedulerError& e) {
      report(job.path, e);
    }
  }
  return problems;
}

}  // namespace apsched::core
