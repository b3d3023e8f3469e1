#include "jobs/job_libraries.h"

#include <algorithm>
#include <set>

#include "apsched/core/errors.h"
#include "apsched/sdk/config.h"
#include "loader/default_paths.h"
#include "loader/private_copy.h"
#include "loader/shared_object.h"

namespace apsched::core::detail {
namespace fs = std::filesystem;
namespace {

constexpr const char* kAlias = APSCHED_STRINGIFY(APSCHED_JOBS_ALIAS);

bool valid_name(const std::string& s) {
  // ASCII only, whatever the locale (and without a call per character: this runs per run).
  auto allowed = [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '-' ||
           c == '.';
  };
  return !s.empty() && std::all_of(s.begin(), s.end(), allowed);
}

std::string file_name_of(const std::string& name) { return "lib" + name + ".so"; }

}  // namespace

std::shared_ptr<const JobLibrary> load_job_library(const std::string& name, const fs::path& file, LoadFrom from) {
  auto lib = std::make_shared<JobLibrary>();
  lib->name = name;
  lib->path = file;
  if (from == LoadFrom::private_copy) {
    LoadedVersion version = open_private_copy(file, kAlias, "job library");
    lib->library = std::move(version.library);
    lib->content_id = std::move(version.content_id);
    lib->code_file = std::move(version.copy);
  } else {
    lib->library = std::make_shared<const boost::dll::shared_library>(open_shared_object(file, kAlias, "job library"));
    lib->code_file = file;
  }
  auto entry = lib->library->get_alias<const apsched_job_library_descriptor*()>(kAlias);
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

std::string JobLibrary::function_list() const {
  std::string listed;
  for (const auto& [name, fn] : functions) listed += (listed.empty() ? "" : ", ") + name;
  return listed.empty() ? "none" : listed;
}

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

std::optional<std::string> job_library_name(const std::string& file_name) {
  constexpr std::string_view prefix = "lib", suffix = ".so";
  if (file_name.size() <= prefix.size() + suffix.size() || !file_name.starts_with(prefix) ||
      !file_name.ends_with(suffix))
    return std::nullopt;
  std::string name = file_name.substr(prefix.size(), file_name.size() - prefix.size() - suffix.size());
  if (!valid_name(name)) return std::nullopt;
  return name;
}

JobLibraries::JobLibraries(std::vector<fs::path> search_path, LoadFrom load_from)
    : search_path_(std::move(search_path)), load_from_(load_from) {}

std::optional<fs::path> JobLibraries::find_file(const std::string& name) const {
  for (const auto& dir : search_path_) {
    std::error_code ec;
    if (fs::is_regular_file(dir / file_name_of(name), ec)) return dir / file_name_of(name);
  }
  return std::nullopt;
}

std::shared_ptr<const JobLibrary> JobLibraries::current(const std::string& name) {
  std::lock_guard lock(mutex_);
  auto it = loaded_.find(name);
  return it == loaded_.end() ? nullptr : it->second;
}

std::shared_ptr<const JobLibrary> JobLibraries::library(const std::string& name) {
  if (auto lib = current(name)) return lib;
  std::lock_guard load_lock(load_mutex_);
  if (auto lib = current(name)) return lib;  // loaded meanwhile
  std::optional<fs::path> file = find_file(name);
  if (!file)
    throw LoadError("job library '" + name + "' not found: no " + file_name_of(name) + " in the job path [" +
                        join_paths(search_path_) + "]; add its directory to scheduler.job_path",
                    "func");
  auto lib = load_job_library(name, *file, load_from_);
  std::lock_guard lock(mutex_);
  loaded_changed();
  return loaded_.emplace(name, lib).first->second;
}

void JobLibraries::loaded_changed() {
  resolved_.clear();
  generation_.fetch_add(1, std::memory_order_release);
}

std::vector<std::string> JobLibraries::loaded_names() {
  std::lock_guard lock(mutex_);
  std::vector<std::string> names;
  for (const auto& [name, library] : loaded_) names.push_back(name);
  return names;
}

LibraryChange JobLibraries::refresh(const std::string& name) {
  std::lock_guard load_lock(load_mutex_);
  LibraryChange change;
  change.previous = current(name);
  std::optional<fs::path> file = find_file(name);
  if (!file) {
    if (!change.previous) return change;
    std::lock_guard lock(mutex_);
    loaded_.erase(name);
    loaded_changed();
    change.kind = LibraryChange::removed;
    change.file = change.previous->path;
    return change;
  }
  change.file = *file;
  try {
    change.current = load_job_library(name, *file, load_from_);
  } catch (const LoadError& e) {
    change.kind = LibraryChange::refused;
    change.error = e.what();
    change.current = change.previous;
    return change;
  }
  const auto& old = change.previous;
  if (old && old->path == *file && !old->content_id.empty() && old->content_id == change.current->content_id) {
    change.current = old;
    return change;
  }
  std::lock_guard lock(mutex_);
  loaded_[name] = change.current;
  loaded_changed();
  change.kind = old ? LibraryChange::replaced : LibraryChange::loaded;
  return change;
}

JobFunction find_job_function(const std::shared_ptr<const JobLibrary>& library, const std::string& function) {
  auto it = library->functions.find(function);
  if (it == library->functions.end()) {
    std::set<std::string, std::less<>> names;
    for (const auto& [name, fn] : library->functions) names.insert(name);
    std::string suggestion = sdk::closest_match(function, names);
    throw LoadError("job library '" + library->name + "' (" + library->path.string() + ") has no function '" +
                        function + "'" + (suggestion.empty() ? "" : "; did you mean '" + suggestion + "'?") +
                        " (it has: " + library->function_list() + ")",
                    "func");
  }
  return {it->second, library};
}

JobFunction JobLibraries::resolve(const std::string& reference) {
  {
    std::lock_guard lock(mutex_);
    if (auto found = resolved_.find(reference); found != resolved_.end()) return found->second;
  }
  auto [library_name, function_name] = split_job_reference(reference);
  JobFunction function = find_job_function(library(library_name), function_name);
  std::lock_guard lock(mutex_);
  // Kept only while its library is the loaded one: a refresh may have replaced it meanwhile.
  if (auto lib = loaded_.find(library_name); lib != loaded_.end() && lib->second == function.library)
    resolved_.emplace(reference, function);
  return function;
}

}  // namespace apsched::core::detail
