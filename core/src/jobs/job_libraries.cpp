#include "jobs/job_libraries.h"

#include <set>

#include "apsched/core/errors.h"
#include "apsched/sdk/config.h"
#include "loader/shared_object.h"

namespace apsched::core::detail {
namespace fs = std::filesystem;
namespace {

bool valid_name(const std::string& s) {
  if (s.empty()) return false;
  for (char c : s)
    if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-' || c == '.')) return false;
  return true;
}

std::string join(const std::vector<fs::path>& paths) {
  std::string out;
  for (const auto& p : paths) out += (out.empty() ? "" : ", ") + p.string();
  return out.empty() ? "(none)" : out;
}

std::shared_ptr<JobLibrary> load_job_library(const std::string& name, const fs::path& file) {
  auto lib = std::make_shared<JobLibrary>();
  lib->name = name;
  lib->path = file;
  lib->library = open_shared_object(file, APSCHED_STRINGIFY(APSCHED_JOBS_ALIAS), "job library");
  auto entry =
      lib->library.get_alias<const apsched_job_library_descriptor*()>(APSCHED_STRINGIFY(APSCHED_JOBS_ALIAS));
  const apsched_job_library_descriptor* d = entry();
  if (d == nullptr) throw LoadError(file.string() + ": the job library returned no descriptor");
  check_sdk_version(file, d->struct_size, sizeof(apsched_job_library_descriptor), d->api_major, d->api_minor,
                    d->toolchain);
  for (std::uint32_t i = 0; i < d->count; ++i) {
    const auto& e = d->entries[i];
    if (!lib->functions.emplace(e.name, reinterpret_cast<sdk::JobInvoker>(e.invoke)).second)
      throw LoadError(file.string() + ": job function '" + e.name + "' is registered twice");
  }
  return lib;
}

}  // namespace

std::pair<std::string, std::string> split_job_reference(const std::string& reference) {
  auto colon = reference.find(':');
  if (colon == std::string::npos || reference.find(':', colon + 1) != std::string::npos)
    throw SchedulerError("invalid job function reference '" + reference +
                             "': expected 'library:function', e.g. 'example_jobs:tick'",
                         "func");
  std::string library = reference.substr(0, colon);
  std::string function = reference.substr(colon + 1);
  if (!valid_name(library) || !valid_name(function))
    throw SchedulerError("invalid job function reference '" + reference +
                             "': library and function names are letters, digits, '_', '-' or '.'",
                         "func");
  return {library, function};
}

JobLibraries::JobLibraries(std::vector<fs::path> search_path) : search_path_(std::move(search_path)) {}

std::shared_ptr<const JobLibrary> JobLibraries::library(const std::string& name) {
  std::lock_guard lock(mutex_);
  if (auto it = loaded_.find(name); it != loaded_.end()) return it->second;
  std::string file_name = "lib" + name + ".so";
  for (const auto& dir : search_path_) {
    std::error_code ec;
    if (!fs::is_regular_file(dir / file_name, ec)) continue;
    auto lib = load_job_library(name, dir / file_name);
    loaded_.emplace(name, lib);
    return lib;
  }
  throw LoadError("job library '" + name + "' not found: no " + file_name + " in the job path [" +
                      join(search_path_) + "]; add its directory to scheduler.job_path",
                  "func");
}

JobFunction JobLibraries::resolve(const std::string& reference) {
  auto [library_name, function_name] = split_job_reference(reference);
  auto lib = library(library_name);
  auto it = lib->functions.find(function_name);
  if (it == lib->functions.end()) {
    std::set<std::string, std::less<>> names;
    std::string listed;
    for (const auto& [name, fn] : lib->functions) {
      names.insert(name);
      listed += (listed.empty() ? "" : ", ") + name;
    }
    std::string suggestion = sdk::closest_match(function_name, names);
    throw LoadError("job library '" + library_name + "' (" + lib->path.string() + ") has no function '" +
                        function_name + "'" + (suggestion.empty() ? "" : "; did you mean '" + suggestion + "'?") +
                        " (it has: " + (listed.empty() ? "none" : listed) + ")",
                    "func");
  }
  return {it->second, lib};
}

}  // namespace apsched::core::detail
