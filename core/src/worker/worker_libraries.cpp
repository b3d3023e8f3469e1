#include "worker/worker_libraries.h"

#include <sys/stat.h>

namespace apsched::core::detail {

WorkerLibraries::WorkerLibraries(std::vector<std::filesystem::path> job_path, bool reload_changed)
    : libraries_(std::move(job_path), reload_changed ? LoadFrom::private_copy : LoadFrom::file),
      reload_changed_(reload_changed) {}

std::optional<WorkerLibraries::Stamp> WorkerLibraries::stamp_of(const std::string& name) const {
  std::optional<std::filesystem::path> file = libraries_.find_file(name);
  struct stat info {};
  if (!file || ::stat(file->c_str(), &info) != 0) return std::nullopt;
  return Stamp{info.st_dev, info.st_ino, info.st_size,
               static_cast<std::int64_t>(info.st_mtim.tv_sec) * 1'000'000'000 + info.st_mtim.tv_nsec};
}

JobFunction WorkerLibraries::resolve(const std::string& reference) {
  if (reload_changed_) {
    std::string name = split_job_reference(reference).first;
    std::optional<Stamp> stamp = stamp_of(name);
    auto [seen, first_look] = seen_.try_emplace(name, stamp);
    if (!first_look && seen->second != stamp) {
      libraries_.refresh(name);
      seen->second = stamp;
    }
  }
  return libraries_.resolve(reference);
}

}  // namespace apsched::core::detail
