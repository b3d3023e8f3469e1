#include "loader/default_paths.h"

#include <algorithm>
#include <boost/dll/runtime_symbol_info.hpp>

namespace apsched::core::detail {
namespace fs = std::filesystem;

fs::path default_plugin_dir() {
  fs::path binary_dir = boost::dll::program_location().parent_path().string();
  return (binary_dir / ".." / "lib" / "apsched").lexically_normal();
}

fs::path default_job_dir() { return default_plugin_dir() / "jobs"; }

std::vector<fs::path> with_default(std::vector<fs::path> configured, const fs::path& fallback) {
  if (std::find(configured.begin(), configured.end(), fallback) == configured.end()) configured.push_back(fallback);
  return configured;
}

}  // namespace apsched::core::detail
