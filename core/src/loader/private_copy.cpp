#include "loader/private_copy.h"

#include <dlfcn.h>
#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <map>
#include <mutex>
#include <iterator>

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

/** A private directory (mode 0700) holding one copy; both are gone when this ends. */
class CopyDir {
 public:
  CopyDir() {
    std::error_code ec;
    fs::path temp = fs::temp_directory_path(ec);
    std::string pattern = (temp / "apsched-load-XXXXXX").string();
    if (ec || ::mkdtemp(pattern.data()) == nullptr)
      throw LoadError("cannot create a private directory under " + (ec ? "$TMPDIR" : temp.string()) +
                      " to load job libraries from: " + (ec ? ec.message() : std::strerror(errno)) +
                      "; set TMPDIR to a writable directory");
    dir_ = pattern;
  }
  ~CopyDir() {
    std::error_code ignored;
    fs::remove_all(dir_, ignored);
  }
  CopyDir(const CopyDir&) = delete;
  CopyDir& operator=(const CopyDir&) = delete;

  fs::path write(const std::string& name, const std::string& bytes) const {
    fs::path copy = dir_ / name;
    std::ofstream out(copy, std::ios::binary);
    if (!(out << bytes) || !out.flush())
      throw LoadError("cannot write a private copy to " + copy.string() + ": " + std::strerror(errno));
    return copy;
  }

 private:
  fs::path dir_;
};

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

  CopyDir dir;
  fs::path copy = dir.write(file.filename().string(), bytes);
  boost::dll::shared_library library;
  try {
    library = open_shared_object(copy, alias, what);
  } catch (const LoadError& e) {
    throw LoadError(replace_all(e.what(), copy.string(), file.string()), e.field());
  }
  // Pin it: dlclose never unmaps it, whatever still runs its code (threads it started,
  // GNU unique symbols, thread_local destructors).
  if (void* pinned = ::dlopen(copy.c_str(), RTLD_NOW | RTLD_NOLOAD | RTLD_NODELETE)) ::dlclose(pinned);
  LoadedVersion version{std::make_shared<const boost::dll::shared_library>(std::move(library)), id};
  loaded_versions.emplace(id, version);
  return version;
}

}  // namespace apsched::core::detail
