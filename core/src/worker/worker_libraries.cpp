#include "worker/worker_libraries.h"

#include "apsched/core/errors.h"

namespace apsched::core::detail {

WorkerLibraries::WorkerLibraries(std::vector<std::filesystem::path> job_path) : job_path_(std::move(job_path)) {}

JobFunction WorkerLibraries::resolve(const std::string& reference, const std::string& library_file) {
  if (library_file.empty()) return job_path_.resolve(reference);
  auto [library_name, function_name] = split_job_reference(reference);
  auto found = by_file_.find(library_file);
  if (found == by_file_.end()) {
    try {
      found = by_file_.emplace(library_file, load_job_library(library_name, library_file, LoadFrom::file)).first;
    } catch (const LoadError& e) {
      throw LoadError("cannot load the version of job library '" + library_name + "' that the host runs (" +
                          e.what() + "); the host must be alive and this worker its child",
                      "func");
    }
  }
  return find_job_function(found->second, function_name);
}

}  // namespace apsched::core::detail
