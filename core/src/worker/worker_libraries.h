#pragma once
#include <filesystem>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "jobs/job_libraries.h"

namespace apsched::core::detail {

/**
 * A job worker's job libraries. A request names the file that holds the version the host
 * accepted (JobRun::library_file: the job-path file, or with hot-add the host's private
 * copy), so a worker runs the same code as the host would, whatever the job path holds
 * now. Each file is loaded once and kept. A request that names none resolves on the job
 * path, loaded on first use and kept.
 * THREADING: the worker's main thread only.
 */
class WorkerLibraries {
 public:
  explicit WorkerLibraries(std::vector<std::filesystem::path> job_path);
  /** As JobLibraries::resolve, in the library loaded from `library_file` when it is not empty. */
  JobFunction resolve(const std::string& reference, const std::string& library_file);

 private:
  JobLibraries job_path_;
  std::map<std::string, std::shared_ptr<const JobLibrary>> by_file_;
};

}  // namespace apsched::core::detail
