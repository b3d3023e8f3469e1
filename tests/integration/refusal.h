#pragma once
// A config that the host must refuse, run through both `apsched check` and `apsched run`.
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "host_process.h"

namespace apsched::test {

/** A config text written to config.yaml in a fresh temporary directory. */
class ConfigFile {
 public:
  explicit ConfigFile(std::string text, std::string_view tag = "apsched-config");

  const std::filesystem::path& file() const noexcept { return file_; }
  const std::filesystem::path& dir() const noexcept { return dir_.path(); }
  const std::string& text() const noexcept { return text_; }

  /** "<file>:<line>:<column>:" of the `occurrence`-th `needle` in the text: where an error must point. */
  std::string at(std::string_view needle, std::size_t occurrence = 0) const;
  /** Like at(), for the spot just after `needle`: at_after("seconds: ") is where its value starts. */
  std::string at_after(std::string_view needle, std::size_t occurrence = 0) const;

 private:
  TempDir dir_;
  std::filesystem::path file_;
  std::string text_;
};

/**
 * Runs `apsched check -c` and `apsched run -c` on the config: each must exit with
 * status 1 and print every fragment, and `run` must refuse before the scheduler starts
 * (no job can have run).
 */
void require_refused(const ConfigFile& config, const std::vector<std::string>& fragments,
                     const std::filesystem::path& binary = APSCHED_BINARY);

/** `apsched check -c` on the config must accept it (exit 0). */
void require_accepted(const ConfigFile& config, const std::filesystem::path& binary = APSCHED_BINARY);

}  // namespace apsched::test
