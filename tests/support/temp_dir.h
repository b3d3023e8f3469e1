#pragma once
// A temporary directory for a test, and whole-file reads and writes: for every kind of test.
#include <cerrno>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <string>
#include <string_view>
#include <system_error>

namespace apsched::testing {

/**
 * A fresh directory `<parent>/<tag>-XXXXXX` (mkdtemp), by default in $TMPDIR or /tmp
 * (std::filesystem::temp_directory_path()). It is 0755 so that other users can reach files
 * in it (the SQLite tests' run_unprivileged; the parent must let them through too, as /tmp
 * does). The destructor gives the owner back every permission a test took away and removes
 * the directory with everything in it, unless the environment variable
 * APSCHED_KEEP_TEST_DIRS is set (to look at a failure afterwards).
 */
class TempDir {
 public:
  explicit TempDir(std::string_view tag = "apsched-test",
                   const std::filesystem::path& parent = std::filesystem::temp_directory_path()) {
    std::string pattern = (parent / (std::string(tag) + "-XXXXXX")).string();
    if (::mkdtemp(pattern.data()) == nullptr)
      throw std::system_error(errno, std::generic_category(), "mkdtemp " + pattern);
    path_ = pattern;
    std::filesystem::permissions(path_, std::filesystem::perms(0755));
  }

  ~TempDir() {
    namespace fs = std::filesystem;
    if (std::getenv("APSCHED_KEEP_TEST_DIRS")) return;
    std::error_code ignored;
    fs::permissions(path_, fs::perms::owner_all, fs::perm_options::add, ignored);
    std::error_code ec;
    for (fs::recursive_directory_iterator it(path_, ec), end; !ec && it != end; it.increment(ec))
      if (!it->is_symlink(ignored))  // a link's target may be outside the directory
        fs::permissions(it->path(), fs::perms::owner_all, fs::perm_options::add, ignored);
    fs::remove_all(path_, ignored);
  }

  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  const std::filesystem::path& path() const noexcept { return path_; }
  std::filesystem::path operator/(const std::filesystem::path& child) const { return path_ / child; }
  /** `name` in the directory, as a string. */
  std::string file(std::string_view name) const { return (path_ / name).string(); }

 private:
  std::filesystem::path path_;
};

/** Writes `text` to `file`, creating its parent directories; throws when it cannot. */
inline void write_file(const std::filesystem::path& file, std::string_view text) {
  if (file.has_parent_path()) std::filesystem::create_directories(file.parent_path());
  std::ofstream out(file, std::ios::binary | std::ios::trunc);
  if (!(out << text).flush()) throw std::runtime_error("cannot write " + file.string());
}

/** The file's contents; empty when it does not exist. */
inline std::string read_file(const std::filesystem::path& file) {
  std::ifstream in(file, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

}  // namespace apsched::testing
