#pragma once
// Installing a file the safe way users are told to (README, hot-add): for unit and integration tests.
#include <filesystem>

namespace apsched::testing {

/** Installs `source` as `target`: written under a temporary name beside it, then renamed over it. */
inline void install_by_rename(const std::filesystem::path& source, const std::filesystem::path& target) {
  std::filesystem::path temporary = target.parent_path() / ("." + target.filename().string() + ".tmp");
  std::filesystem::copy_file(source, temporary, std::filesystem::copy_options::overwrite_existing);
  std::filesystem::rename(temporary, target);
}

}  // namespace apsched::testing
