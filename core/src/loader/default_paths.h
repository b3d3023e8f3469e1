#pragma once
#include <filesystem>
#include <string>
#include <vector>

namespace apsched::core::detail {

/** `<dir of the running binary>/../lib/apsched`: where built or installed plugins live. */
std::filesystem::path default_plugin_dir();
/** `<dir of the running binary>/../lib/apsched/jobs`. */
std::filesystem::path default_job_dir();

/** `<dir of the running binary>/../libexec/apsched/apsched-worker`: the job-worker program. */
std::filesystem::path default_worker_program();

/** `configured` with `fallback` appended (once). */
std::vector<std::filesystem::path> with_default(std::vector<std::filesystem::path> configured,
                                                const std::filesystem::path& fallback);

/** The paths as "a, b" for messages, each one that is no directory marked so; "(none)" when empty. */
std::string join_paths(const std::vector<std::filesystem::path>& paths);

}  // namespace apsched::core::detail
