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

 private:
  friend class ConfigReaderImpl;
  std::filesystem::path file_;
  SchedulerOptions options_;
  std::string log_level_ = "info";
  std::vector<PluginConfig> jobstores_;
  std::vector<PluginConfig> executors_;
  std::vector<ConfigJob> jobs_;
  std::map<std::string, std::pair<int, int>, std::less<>> marks_;
};

/**
 * Adds the config's job stores, executors and jobs to `scheduler` (not started), and
 * checks what a run would need (executor and job store names). Returns every problem
 * found, each as "file:line:column: message"; empty when all is well.
 */
std::vector<std::string> configure(Scheduler& scheduler, const Config& config);

}  // namespace apsched::core
