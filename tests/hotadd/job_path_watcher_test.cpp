// The job-path watcher: which file events it reports, when, and that it stops at once.
#include <catch2/catch.hpp>

#include <chrono>
#include <condition_variable>
#include <fstream>
#include <mutex>

#include "hot_add_support.h"
#include "jobs/job_path_watcher.h"

using namespace apsched::testing;
using apsched::core::detail::JobPathWatcher;
using namespace std::chrono_literals;
namespace fs = std::filesystem;

namespace {

/** The names a watcher reported, in order; waited for with a bound. */
class Reports {
 public:
  JobPathWatcher::OnChange callback() {
    return [this](const std::string& name) {
      std::lock_guard lock(mutex_);
      names_.push_back(name);
      cv_.notify_all();
    };
  }
  /** True once `count` names have been reported (within `bound`). */
  bool wait_for(std::size_t count, std::chrono::milliseconds bound = 10s) {
    std::unique_lock lock(mutex_);
    return cv_.wait_for(lock, bound, [&] { return names_.size() >= count; });
  }
  std::vector<std::string> names() {
    std::lock_guard lock(mutex_);
    return names_;
  }

 private:
  std::mutex mutex_;  // guards names_
  std::condition_variable cv_;
  std::vector<std::string> names_;
};

}  // namespace

TEST_CASE("hot-add watcher: a file being written is reported once closed, never half-written", "[hot-add]") {
  ScratchDir dir("hot-watch-write");
  Reports reports;
  JobPathWatcher watcher({dir.path()}, reports.callback());
  {
    std::ofstream out(dir.path() / "libslow.so", std::ios::binary);
    out << "first half" << std::flush;
    CHECK_FALSE(reports.wait_for(1, 300ms));  // created and written, but still open
    out << "second half" << std::flush;
  }
  REQUIRE(reports.wait_for(1));
  CHECK(reports.names() == std::vector<std::string>{"slow"});
}

TEST_CASE("hot-add watcher: renamed in, deleted and renamed away are reported, other names are not", "[hot-add]") {
  ScratchDir dir("hot-watch-events");
  ScratchDir elsewhere("hot-watch-elsewhere");
  Reports reports;
  JobPathWatcher watcher({dir.path(), dir.path() / "missing"}, reports.callback());
  CHECK(watcher.watched() == std::vector<fs::path>{dir.path()});

  std::ofstream(dir.path() / "notes.txt") << "x";
  std::ofstream(dir.path() / "libfoo.so.1") << "x";
  install_by_rename(versioned_library("v1"), dir.path() / "liba.so");  // its temporary name is ignored
  REQUIRE(reports.wait_for(1));
  fs::remove(dir.path() / "liba.so");
  REQUIRE(reports.wait_for(2));
  std::ofstream(elsewhere.path() / "libb.so") << "x";
  fs::rename(elsewhere.path() / "libb.so", dir.path() / "libb.so");
  REQUIRE(reports.wait_for(3));
  fs::rename(dir.path() / "libb.so", elsewhere.path() / "libb.so");
  REQUIRE(reports.wait_for(4));
  CHECK(reports.names() == std::vector<std::string>{"a", "a", "b", "b"});
}

TEST_CASE("hot-add watcher: stopping wakes its thread at once", "[hot-add]") {
  ScratchDir dir("hot-watch-stop");
  auto started = std::chrono::steady_clock::now();
  { JobPathWatcher watcher({dir.path()}, [](const std::string&) {}); }
  CHECK(std::chrono::steady_clock::now() - started < 1s);
}
