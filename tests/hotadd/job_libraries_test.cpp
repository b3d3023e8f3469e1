// The job-library registry under hot-add: libraries loaded, replaced, refused and
// removed by refresh(), each version from a private copy.
#include <catch2/catch.hpp>

#include <atomic>
#include <fstream>
#include <iterator>
#include <thread>

#include "apsched/core/errors.h"
#include "apsched/sdk/version.h"
#include "hot_add_support.h"

using namespace apsched::testing;
using apsched::core::LoadError;
using apsched::core::detail::JobLibraries;
using apsched::core::detail::LibraryChange;
using apsched::core::detail::LoadFrom;
using Catch::Matchers::Contains;
namespace fs = std::filesystem;

namespace {

JobLibraries watched_libraries(const fs::path& dir) { return JobLibraries({dir}, LoadFrom::private_copy); }

fs::path installed_v1(const fs::path& dir) {
  install_by_rename(versioned_library("v1"), dir / "libversioned.so");
  return dir / "libversioned.so";
}

/** libversioned.so v1 in a scratch directory, loaded (lazily, as at start) by a watching registry. */
struct LoadedV1 {
  TempDir dir;
  fs::path file;
  JobLibraries libraries;
  apsched::core::detail::JobFunction function;

  explicit LoadedV1(const std::string& tag)
      : dir(tag),
        file(installed_v1(dir.path())),
        libraries(watched_libraries(dir.path())),
        function(libraries.resolve("versioned:version")) {}
};

}  // namespace

TEST_CASE("hot-add: a library installed after start is loaded and new references resolve", "[hot-add]") {
  TempDir dir("hot-registry-new");
  JobLibraries libraries = watched_libraries(dir.path());
  CHECK_THROWS_WITH(libraries.resolve("versioned:version"), Contains("job library 'versioned' not found"));
  CHECK(libraries.refresh("versioned").kind == LibraryChange::unchanged);  // nothing there, nothing loaded

  install_by_rename(versioned_library("v1"), dir.path() / "libversioned.so");
  LibraryChange change = libraries.refresh("versioned");
  CHECK(change.kind == LibraryChange::loaded);
  CHECK(change.file == dir.path() / "libversioned.so");
  CHECK(change.current->function_list() == "gated, version");
  CHECK(call(libraries.resolve("versioned:version")) == "v1");
  // The same bytes again (a second close-write, say) change nothing.
  overwrite_in_place(versioned_library("v1"), dir.path() / "libversioned.so");
  CHECK(libraries.refresh("versioned").kind == LibraryChange::unchanged);
}

TEST_CASE("hot-add: a file replaced at the same path is a new version, functions taken before keep the old code",
          "[hot-add]") {
  LoadedV1 loaded("hot-registry-replace");
  auto& [dir, file, libraries, old_function] = loaded;
  CHECK_THROWS_WITH(libraries.resolve("versioned:new_in_v2"), Contains("has no function 'new_in_v2'"));

  install_by_rename(versioned_library("v2"), file);
  LibraryChange change = libraries.refresh("versioned");
  REQUIRE(change.kind == LibraryChange::replaced);
  CHECK(change.previous == old_function.library);
  CHECK(call(libraries.resolve("versioned:version")) == "v2");
  CHECK(call(libraries.resolve("versioned:new_in_v2")) == "new");
  CHECK(call(old_function) == "v1");

  // And back: v1's bytes again are v1's code, whatever the path string.
  install_by_rename(versioned_library("v1"), file);
  CHECK(libraries.refresh("versioned").kind == LibraryChange::replaced);
  CHECK(call(libraries.resolve("versioned:version")) == "v1");
}

TEST_CASE("hot-add: a file overwritten in place never changes code already loaded", "[hot-add]") {
  LoadedV1 loaded("hot-registry-in-place");
  auto& [dir, file, libraries, function] = loaded;
  overwrite_in_place(versioned_library("v2"), file);  // would SIGBUS or run torn code if it were mapped
  CHECK(call(function) == "v1");
  CHECK(libraries.refresh("versioned").kind == LibraryChange::replaced);
  CHECK(call(libraries.resolve("versioned:version")) == "v2");
}

TEST_CASE("hot-add: a broken library is refused with the reason, and the version in use stays", "[hot-add]") {
  auto [fixture, reason] = GENERATE(table<std::string, std::string>({
      {"broken_jobs", "built against apsched SDK API " + std::to_string(APSCHED_SDK_API_MAJOR + 1) + "." +
                          std::to_string(APSCHED_SDK_API_MINOR) + ", but this host has API " +
                          std::to_string(APSCHED_SDK_API_MAJOR) + "." + std::to_string(APSCHED_SDK_API_MINOR)},
      {"broken_jobs_toolchain", "built with toolchain"},
      {"not_jobs", "not an apsched job library"},
      {"unresolved_jobs", "undefined symbol: apsched_fixture_job_function_nobody_defines"},
      {"twice_jobs", "job function 'hello' is registered twice"},
  }));
  INFO(fixture);
  TempDir dir("hot-registry-broken");
  fs::path file = dir.path() / "libversioned.so";
  JobLibraries libraries = watched_libraries(dir.path());

  SECTION("with no earlier version") {
    install_by_rename(fixture_library(fixture), file);
    LibraryChange change = libraries.refresh("versioned");
    CHECK(change.kind == LibraryChange::refused);
    CHECK(change.current == nullptr);
    CHECK_THAT(change.error, Contains(file.string() + ": ") && Contains(reason));
    CHECK_THAT(change.error, !Contains("apsched-load-"));  // names the file, never the private copy
  }
  SECTION("over a good version") {
    installed_v1(dir.path());
    REQUIRE(libraries.refresh("versioned").kind == LibraryChange::loaded);
    install_by_rename(fixture_library(fixture), file);
    LibraryChange change = libraries.refresh("versioned");
    CHECK(change.kind == LibraryChange::refused);
    CHECK_THAT(change.error, Contains(reason));
    REQUIRE(change.current);
    CHECK(change.current == change.previous);
    CHECK(call(libraries.resolve("versioned:version")) == "v1");
  }
}

TEST_CASE("hot-add: a truncated or garbage file is refused before any of it is mapped", "[hot-add]") {
  TempDir dir("hot-registry-truncated");
  fs::path file = dir.path() / "libversioned.so";
  JobLibraries libraries = watched_libraries(dir.path());
  std::ifstream in(versioned_library("v1"), std::ios::binary);
  std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  for (double kept : {0.0, 0.1, 0.5, 0.9, 0.99}) {
    std::size_t size = static_cast<std::size_t>(static_cast<double>(bytes.size()) * kept);
    std::ofstream(file, std::ios::binary | std::ios::trunc) << bytes.substr(0, size);
    INFO(size << " of " << bytes.size() << " bytes");
    LibraryChange change = libraries.refresh("versioned");
    CHECK(change.kind == LibraryChange::refused);
    CHECK_THAT(change.error, Contains("not an apsched job library"));
  }
  std::ofstream(file, std::ios::binary | std::ios::trunc) << "\x7f" "ELF and then nothing that makes sense";
  CHECK(libraries.refresh("versioned").kind == LibraryChange::refused);
}

TEST_CASE("hot-add: a removed library no longer resolves, functions taken before still run", "[hot-add]") {
  LoadedV1 loaded("hot-registry-removed");
  auto& [dir, file, libraries, function] = loaded;
  fs::remove(file);
  LibraryChange change = libraries.refresh("versioned");
  CHECK(change.kind == LibraryChange::removed);
  CHECK(change.file == file);
  CHECK_THROWS_AS(libraries.resolve("versioned:version"), LoadError);
  CHECK(call(function) == "v1");
  CHECK(libraries.refresh("versioned").kind == LibraryChange::unchanged);
}

TEST_CASE("hot-add: the generation changes with every load, replacement and removal, and only then",
          "[hot-add]") {
  TempDir dir("hot-registry-generation");
  JobLibraries libraries = watched_libraries(dir.path());
  std::uint64_t seen = libraries.generation();
  auto changed = [&] {
    std::uint64_t now = libraries.generation();
    bool moved = now != seen;
    seen = now;
    return moved;
  };
  CHECK_THROWS_AS(libraries.resolve("versioned:version"), LoadError);
  CHECK_FALSE(changed());  // nothing to load
  install_by_rename(versioned_library("v1"), dir.path() / "libversioned.so");
  CHECK(call(libraries.resolve("versioned:version")) == "v1");
  CHECK(changed());  // loaded on first use
  libraries.resolve("versioned:version");
  CHECK_FALSE(changed());
  overwrite_in_place(versioned_library("v1"), dir.path() / "libversioned.so");
  CHECK(libraries.refresh("versioned").kind == LibraryChange::unchanged);
  CHECK_FALSE(changed());
  install_by_rename(versioned_library("v2"), dir.path() / "libversioned.so");
  CHECK(libraries.refresh("versioned").kind == LibraryChange::replaced);
  CHECK(changed());
  fs::remove(dir.path() / "libversioned.so");
  CHECK(libraries.refresh("versioned").kind == LibraryChange::removed);
  CHECK(changed());
}

TEST_CASE("hot-add: resolving from several threads while another replaces the library", "[hot-add][concurrency]") {
  LoadedV1 loaded("hot-registry-threads");
  auto& [dir, file, libraries, function] = loaded;
  std::atomic<bool> stop{false};
  std::atomic<int> wrong{0};
  std::vector<std::thread> callers;
  for (int t = 0; t < 3; ++t)
    callers.emplace_back([&] {
      while (!stop) {
        std::string got = call(libraries.resolve("versioned:version"));
        if (got != "v1" && got != "v2") ++wrong;
      }
    });
  for (int i = 0; i < 8; ++i) {
    install_by_rename(versioned_library(i % 2 ? "v1" : "v2"), file);
    CHECK(libraries.refresh("versioned").kind == LibraryChange::replaced);
  }
  stop = true;
  for (auto& t : callers) t.join();
  CHECK(wrong == 0);
}
