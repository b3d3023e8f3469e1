#pragma once
#include <filesystem>
#include <string>
#include <vector>

#include "apsched/core/job.h"
#include "apsched/core/scheduler.h"

namespace apsched::core {

/** A job store or executor from the config: alias and its mapping (`type` and options). */
struct PluginConfig {
  std::string alias;
  Value config;
};

/** A job from the config's `jobs:` list. */
struct ConfigJob {
  JobSpec spec;
  std::string path;  ///< "jobs[2]", for error locations
  Value source;      ///< the job's mapping as written, to tell whether it changed
};

/**
 * A parsed YAML config (after APScheduler's configure()). Unknown keys, wrong types and
 * bad values are refused with file:line:column and what was expected. Paths in it are
 * relative to the config file.
 */
class Config {
 public:
  /** Throws ConfigError on the first problem. */
  static Config load(const std::filesystem::path& file);

  const std::filesystem::path& file() const noexcept { return file_; }
  const SchedulerOptions& options() const noexcept { return options_; }
  const std::string& log_level() const noexcept { return log_level_; }
  const std::vector<PluginConfig>& jobstores() const noexcept { return jobstores_; }
  const std::vector<PluginConfig>& executors() const noexcept { return executors_; }
  const std::vector<ConfigJob>& jobs() const noexcept { return jobs_; }

  /** "file:line:column" for a config path ("jobs[1].trigger.hour"), or its nearest parent. */
  std::string where(const std::string& path) const;

  /** Everything but `jobs:`, as written: what a reload cannot change in a running host. */
  const Value& settings() const noexcept { return settings_; }

 private:
  friend class ConfigReaderImpl;
  std::filesystem::path file_;
  SchedulerOptions options_;
  std::string log_level_ = "info";
  std::vector<PluginConfig> jobstores_;
  std::vector<PluginConfig> executors_;
  std::vector<ConfigJob> jobs_;
  Value settings_;
  std::map<std::string, std::pair<int, int>, std::less<>> marks_;
};

/**
 * Adds the config's job stores, executors and jobs to `scheduler` (not started), and
 * checks what a run would need (executor and job store names). Returns every problem
 * found, each as "file:line:column: message"; empty when all is well.
 */
std::vector<std::string> configure(Scheduler& scheduler, const Config& config);

/** configure() on a scratch scheduler that is never started: every problem the config has. */
std::vector<std::string> validate(const Config& config);

/** What reload_jobs() did, by job id. */
struct ReloadResult {
  std::vector<std::string> added, changed, removed;
  /** Jobs that could not be applied (e.g. an id already used by a job added at run time). */
  std::vector<std::string> problems;
  bool settings_changed = false;  ///< sections other than jobs: differ; they need a restart
};

/**
 * Applies a new config's `jobs:` list to a running scheduler started on `previous`: jobs
 * new in it are added, changed ones replaced (keeping their schedule when their trigger
 * is unchanged), and ones no longer in it removed. Jobs that did not come from the config
 * are untouched. Call it only with a config that validate() accepts.
 */
ReloadResult reload_jobs(Scheduler& scheduler, const Config& previous, const Config& next);

}  // namespace apsched::core
