#include "loader/default_paths.h"

#include <algorithm>
#include <boost/dll/runtime_symbol_info.hpp>

namespace apsched::core::detail {
namespace fs = std::filesystem;

namespace {

fs::path binary_dir() { return boost::dll::program_location().parent_path().string(); }

}  // namespace

fs::path default_plugin_dir() { return (binary_dir() / ".." / "lib" / "apsched").lexically_normal(); }

fs::path default_job_dir() { return default_plugin_dir() / "jobs"; }

// Beside lib/ rather than in bin/: embedding programs and tests live in other
// directories than bin/ but find it the same way as the plugins.
fs::path default_worker_program() {
  return (binary_dir() / ".." / "libexec" / "apsched" / "apsched-worker").lexically_normal();
}

std::vector<fs::path> with_default(std::vector<fs::path> configured, const fs::path& fallback) {
  if (std::find(configured.begin(), configured.end(), fallback) == configured.end()) configured.push_back(fallback);
  return configured;
}

std::string join_paths(const std::vector<fs::path>& paths) {
  std::string out;
  for (const auto& p : paths) {
    std::error_code error;
    const fs::file_status status = fs::status(p, error);
    const char* note = !fs::exists(status) ? " (does not exist)" : !fs::is_directory(status) ? " (not a directory)" : "";
    out += (out.empty() ? "" : ", ") + p.string() + note;
  }
  return out.empty() ? "(none)" : out;
}

}  // namespace apsched::core::detail
