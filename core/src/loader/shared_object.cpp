#include "loader/shared_object.h"

#include <dlfcn.h>

#include <boost/dll/library_info.hpp>
#include <cstring>

#include "apsched/core/errors.h"
#include "apsched/sdk/descriptor.h"  // APSCHED_JOBS_ALIAS
#include "apsched/sdk/version.h"

namespace apsched::core::detail {
namespace {

enum class Alias { exported, missing, not_a_shared_object };

Alias find_alias(const std::filesystem::path& file, const char* alias) {
  try {
    boost::dll::library_info info(boost::dll::fs::path(file.string()));
    for (const auto& symbol : info.symbols("boostdll"))
      if (symbol == alias) return Alias::exported;
    return Alias::missing;
  } catch (const std::exception&) {
    return Alias::not_a_shared_object;  // not an ELF file library_info can read
  }
}

}  // namespace

boost::dll::shared_library open_shared_object(const std::filesystem::path& file, const char* alias,
                                              const char* what) {
  std::error_code status_error;
  const std::filesystem::file_status status = std::filesystem::status(file, status_error);
  if (std::filesystem::is_directory(status))
    throw LoadError(file.string() + ": is a directory: give the path of the " + what + "'s .so file");
  if (!std::filesystem::is_regular_file(status)) throw LoadError(file.string() + ": no such file");
  const Alias found = find_alias(file, alias);
  if (found == Alias::not_a_shared_object)
    throw LoadError(file.string() + ": not an apsched " + what + ": not a shared object (ELF) file at all");
  if (found == Alias::missing)
    throw LoadError(file.string() + ": not an apsched " + what + " (it exports no '" + alias +
                    "'; build it with the SDK's " +
                    (std::strcmp(alias, APSCHED_STRINGIFY(APSCHED_JOBS_ALIAS)) == 0 ? "APSCHED_JOB_LIBRARY()"
                                                                                     : "APSCHED_*_PLUGIN(...)") +
                    " macro)");
  boost::dll::fs::error_code ec;
  boost::dll::shared_library library(boost::dll::fs::path(file.string()), ec,
                                     boost::dll::load_mode::rtld_now | boost::dll::load_mode::rtld_local);
  if (ec) {
    const char* detail = dlerror();
    throw LoadError(file.string() + ": cannot load " + what + ": " + (detail ? detail : ec.message()));
  }
  return library;
}

void check_sdk_version(const std::filesystem::path& file, std::uint32_t struct_size, std::uint32_t min_size,
                       std::uint32_t api_major, std::uint32_t api_minor, const char* toolchain) {
  std::string built_with = std::to_string(api_major) + "." + std::to_string(api_minor);
  std::string ours = std::to_string(APSCHED_SDK_API_MAJOR) + "." + std::to_string(APSCHED_SDK_API_MINOR);
  if (struct_size < min_size)
    throw LoadError(file.string() + ": descriptor too small (" + std::to_string(struct_size) + " bytes, need " +
                    std::to_string(min_size) + "): not built with a compatible apsched SDK");
  if (api_major != APSCHED_SDK_API_MAJOR || api_minor > APSCHED_SDK_API_MINOR)
    throw LoadError(file.string() + ": built against apsched SDK API " + built_with + ", but this host has API " +
                    ours + " (" +
                    (api_major == APSCHED_SDK_API_MAJOR ? "a newer minor version" : "another major version") +
                    "): rebuild it against this host's sdk/");
  if (toolchain == nullptr || std::strcmp(toolchain, APSCHED_TOOLCHAIN_FINGERPRINT) != 0)
    throw LoadError(file.string() + ": built with toolchain '" + (toolchain ? toolchain : "?") +
                    "' but this host uses '" APSCHED_TOOLCHAIN_FINGERPRINT "': rebuild it with the same compiler "
                    "and standard-library settings");
}

}  // namespace apsched::core::detail
