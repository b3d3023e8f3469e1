#pragma once
#include <boost/dll/shared_library.hpp>
#include <filesystem>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "apsched/sdk/job.h"

namespace apsched::core::detail {

/** A loaded job library: its functions by name. Never unloaded while the host runs. */
struct JobLibrary {
  std::string name;
  std::filesystem::path path;
  boost::dll::shared_library library;
  std::map<std::string, sdk::JobInvoker, std::less<>> functions;
};

/** A job function and the library that must stay loaded while it can be called. */
struct JobFunction {
  sdk::JobInvoker invoke = nullptr;
  std::shared_ptr<const JobLibrary> library;
};

/** "library:function" split in two; throws SchedulerError (field "func") when malformed. */
std::pair<std::string, std::string> split_job_reference(const std::string& reference);

/**
 * Resolves "library:function" references against job libraries (`lib<library>.so`)
 * on the job path, loading each library once.
 *
 * THREADING: safe from any thread; `mutex_` guards `loaded_` and serialises loads.
 */
class JobLibraries {
 public:
  explicit JobLibraries(std::vector<std::filesystem::path> search_path);

  /**
   * Throws LoadError saying what is wrong: library not on the job path (listing it),
   * not a job library, another SDK version, or no such function (listing the library's).
   */
  JobFunction resolve(const std::string& reference);

  const std::vector<std::filesystem::path>& search_path() const noexcept { return search_path_; }

 private:
  std::shared_ptr<const JobLibrary> library(const std::string& name);

  const std::vector<std::filesystem::path> search_path_;
  std::mutex mutex_;
  std::map<std::string, std::shared_ptr<const JobLibrary>> loaded_;
};

}  // namespace apsched::core::detail
