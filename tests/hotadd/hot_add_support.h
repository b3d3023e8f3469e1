#pragma once
// Shared by the hot-add tests: a scratch job directory, installing library files the ways
// users do, and calling a resolved job function.
#include <filesystem>
#include <string>

#include "install_by_rename.h"
#include "jobs/job_libraries.h"

namespace apsched::testing {

/** libversioned.so as built in version "v1" or "v2". */
std::filesystem::path versioned_library(const std::string& version);
/** A fixture job library (tests/fixtures/jobs), e.g. "broken_jobs" -> libbroken_jobs.so. */
std::filesystem::path fixture_library(const std::string& name);

/** A fresh directory, removed on destruction. */
class ScratchDir {
 public:
  explicit ScratchDir(const std::string& tag);
  ~ScratchDir();
  ScratchDir(const ScratchDir&) = delete;
  ScratchDir& operator=(const ScratchDir&) = delete;
  const std::filesystem::path& path() const noexcept { return path_; }

 private:
  std::filesystem::path path_;
};

/** Overwrites `target` in place (same inode), as `cp` does. */
void overwrite_in_place(const std::filesystem::path& source, const std::filesystem::path& target);

/** Calls `function` with `args` (a list) and returns what it returned, as a string ("" on error). */
std::string call(const core::detail::JobFunction& function, const sdk::Value& args = sdk::Value::List{});

}  // namespace apsched::testing
