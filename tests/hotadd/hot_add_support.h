#pragma once
// Shared by the hot-add tests: the fixture libraries, installing library files the ways
// users do, and calling a resolved job function.
#include <filesystem>
#include <string>

#include "install_by_rename.h"
#include "jobs/job_libraries.h"
#include "temp_dir.h"

namespace apsched::testing {

/** libversioned.so as built in version "v1" or "v2". */
std::filesystem::path versioned_library(const std::string& version);
/** A fixture job library (tests/fixtures/jobs), e.g. "broken_jobs" -> libbroken_jobs.so. */
std::filesystem::path fixture_library(const std::string& name);

/** Overwrites `target` in place (same inode), as `cp` does. */
void overwrite_in_place(const std::filesystem::path& source, const std::filesystem::path& target);

/** Calls `function` with `args` (a list) and returns what it returned, as a string ("" on error). */
std::string call(const core::detail::JobFunction& function, const sdk::Value& args = sdk::Value::List{});

}  // namespace apsched::testing
