#include <set>

#include "apsched/core/config.h"
#include "apsched/core/errors.h"
#include "scheduler/default_plugins.h"

namespace apsched::core {

std::vector<std::string> configure(Scheduler& scheduler, const Config& config) {
  std::vector<std::string> problems;
  auto report = [&](const std::string& path, const SchedulerError& e) {
    std::string at = e.field().empty() ? path : path + "." + e.field();
    problems.push_back(config.where(at) + ": " + e.what());
  };
  std::set<std::string> stores, executors;
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
  for (const auto& job : config.jobs()) {
    if (!executors.count(job.spec.executor))
      problems.push_back(config.where(job.path + ".executor") + ": job '" + *job.spec.id + "' names executor '" +
                         job.spec.executor + "', which is not configured under 'executors'");
    if (!stores.count(job.spec.jobstore))
      problems.push_back(config.where(job.path + ".jobstore") + ": job '" + *job.spec.id + "' names job store '" +
                         job.spec.jobstore + "', which is not configured under 'jobstores'");
    try {
      scheduler.add_job(job.spec);
    } catch (const SchedulerError& e) {
      report(job.path, e);
    }
  }
  return problems;
}

}  // namespace apsched::core
