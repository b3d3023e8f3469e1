#pragma once
#include <boost/dll/shared_library.hpp>
#include <filesystem>
#include <memory>
#include <string>

namespace apsched::core::detail {

/** One version of a shared object, loaded from a private copy of its file. */
struct LoadedVersion {
  std::shared_ptr<const boost::dll::shared_library> library;
  std::string content_id;  ///< identifies the file's bytes: equal ids, same code
  /// The copy: `/proc/<pid>/fd/<n>`, readable by this process and its children for as
  /// long as this process lives, and always these bytes (a job worker loads it).
  std::filesystem::path copy;
};

/**
 * Loads what `file` holds now, as open_shared_object() does, but from a private copy in
 * a sealed memory file (memfd: no write, grow or shrink), which is a new object for
 * dlopen: so a file replaced at the same path loads as a new version (dlopen would return
 * the old object for an equal path, or an equal device and inode), and a file overwritten
 * in place never changes code that is mapped (which could SIGBUS). Nothing is written to
 * disk, and nothing is left behind when the process ends, however it ends.
 *
 * LIFETIME: every version stays mapped, and its copy open, for the life of the process
 * (RTLD_NODELETE); loading the same bytes again returns the version already mapped, so
 * nothing grows unless a new version is installed. Error messages name `file`, never the
 * copy. THREADING: safe from any thread; loads are serialised process-wide.
 */
LoadedVersion open_private_copy(const std::filesystem::path& file, const char* alias, const char* what);

}  // namespace apsched::core::detail
