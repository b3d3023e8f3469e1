#include "loader/private_copy.h"

#include <dlfcn.h>
#include <fcntl.h>
#include <sys/mman.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <iterator>
#include <map>
#include <mutex>

#include "apsched/core/errors.h"
#include "loader/shared_object.h"

namespace apsched::core::detail {
namespace fs = std::filesystem;
namespace {

std::string read_bytes(const fs::path& file) {
  std::ifstream in(file, std::ios::binary);
  std::string bytes;
  if (in) bytes.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  if (!in.is_open() || in.bad()) throw LoadError(file.string() + ": cannot read the file: " + std::strerror(errno));
  return bytes;
}

/** FNV-1a over the bytes, plus their length: which version of a file this is. */
std::string content_id(const std::string& bytes) {
  std::uint64_t hash = 14695981039346656037ull;
  for (unsigned char c : bytes) hash = (hash ^ c) * 1099511628211ull;
  char id[48];
  std::snprintf(id, sizeof id, "%016llx-%zu", static_cast<unsigned long long>(hash), bytes.size());
  return id;
}

/** A sealed memory file holding `bytes`, named after `file` (as /proc shows it). */
int sealed_copy(const fs::path& file, const std::string& bytes) {
  int fd = ::memfd_create(file.filename().c_str(), MFD_CLOEXEC | MFD_ALLOW_SEALING);
  if (fd < 0)
    throw LoadError(file.string() + ": cannot create the in-memory copy to load it from (memfd_create: " +
                    std::strerror(errno) + "); raise the open-file limit (ulimit -n) if it is reached");
  for (std::size_t done = 0; done < bytes.size();) {
    ssize_t n = ::write(fd, bytes.data() + done, bytes.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      std::string reason = std::strerror(errno);
      ::close(fd);
      throw LoadError(file.string() + ": cannot write the in-memory copy to load it from: " + reason);
    }
    done += static_cast<std::size_t>(n);
  }
  ::fcntl(fd, F_ADD_SEALS, F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_WRITE | F_SEAL_SEAL);
  return fd;
}

std::string replace_all(std::string text, const std::string& from, const std::string& to) {
  for (auto at = text.find(from); at != std::string::npos; at = text.find(from, at + to.size()))
    text.replace(at, from.size(), to);
  return text;
}

std::mutex load_mutex;  // guards loaded_versions; serialises loads (Boost.DLL is not thread-safe there)
std::map<std::string, LoadedVersion> loaded_versions;  // by content id

}  // namespace

LoadedVersion open_private_copy(const fs::path& file, const char* alias, const char* what) {
  std::string bytes = read_bytes(file);
  std::string id = content_id(bytes);
  std::lock_guard lock(load_mutex);
  if (auto it = loaded_versions.find(id); it != loaded_versions.end()) return it->second;

  int fd = sealed_copy(file, bytes);
  // By process id, not /proc/self: a job worker opens the same path.
  fs::path copy = fs::path("/proc") / std::to_string(::getpid()) / "fd" / std::to_string(fd);
  boost::dll::shared_library library;
  try {
    library = open_shared_object(copy, alias, what);
  } catch (const LoadError& e) {
    ::close(fd);
    throw LoadError(replace_all(e.what(), copy.string(), file.string()), e.field());
  }
  // `fd` stays open for the life of the process: the copy's path must keep naming it.
  // Pin it: dlclose never unmaps it, whatever still runs its code (threads it started,
  // GNU unique symbols, thread_local destructors).
  if (void* pinned = ::dlopen(copy.c_str(), RTLD_NOW | RTLD_NOLOAD | RTLD_NODELETE)) ::dlclose(pinned);
  LoadedVersion version{std::make_shared<const boost::dll::shared_library>(std::move(library)), id, copy};
  loaded_versions.emplace(id, version);
  return version;
}

}  // namespace apsched::core::detail
