#pragma once
#include <sys/types.h>

#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "jobs/job_libraries.h"

namespace apsched::core::detail {

/**
 * A job worker's job libraries. When the host hot-adds job libraries (`reload_changed`),
 * a library whose file changed since the worker last looked (another inode, size or
 * modification time) is loaded again before the run, from a private copy, so that new
 * runs use the new version in workers as in the host; a removed file makes the run fail
 * as not found (the host makes such jobs wait). THREADING: the worker's main thread only.
 */
class WorkerLibraries {
 public:
  WorkerLibraries(std::vector<std::filesystem::path> job_path, bool reload_changed);
  /** As JobLibraries::resolve. */
  JobFunction resolve(const std::string& reference);

 private:
  struct Stamp {
    dev_t device;
    ino_t inode;
    off_t size;
    std::int64_t modified_ns;
    bool operator==(const Stamp&) const = default;
  };
  std::optional<Stamp> stamp_of(const std::string& name) const;

  JobLibraries libraries_;
  const bool reload_changed_;
  std::map<std::string, std::optional<Stamp>> seen_;  // library name -> its file when last looked at
};

}  // namespace apsched::core::detail
