#pragma once
#include <boost/dll/shared_library.hpp>
#include <cstdint>
#include <filesystem>
#include <string>

namespace apsched::core::detail {

/**
 * Opens `file` as an apsched shared object exporting the Boost.DLL alias `alias`.
 * The alias is looked for in the file's export table first, without loading it, so that
 * an unrelated file is refused before any of its code runs. Loaded with RTLD_NOW (missing
 * dependencies surface here, not at first call) and RTLD_LOCAL (plugins cannot see each
 * other's symbols). Throws LoadError naming the file.
 */
boost::dll::shared_library open_shared_object(const std::filesystem::path& file, const char* alias,
                                              const char* what);

/**
 * Checks the frozen descriptor prefix against this host's SDK: same major, minor not
 * newer, same toolchain fingerprint. Throws LoadError naming the file and both versions.
 */
void check_sdk_version(const std::filesystem::path& file, std::uint32_t struct_size, std::uint32_t min_size,
                       std::uint32_t api_major, std::uint32_t api_minor, const char* toolchain);

}  // namespace apsched::core::detail
