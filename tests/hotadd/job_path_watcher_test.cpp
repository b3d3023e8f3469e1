// The job-path watcher: which file events it reports, when, and that it stops at once.
#include <catch2/catch.hpp>

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <fstream>
#include <mutex>
#include <set>

#include "eventually.h"
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
  /**
   * The names reported, each once. A directory that comes (back) is listed as soon as it
   * is watched, so a library put there at that moment may be reported by the listing and
   * by its own event: harmless (taking a library in again is a no-op), and not an error.
   */
  std::set<std::string> distinct() {
    std::lock_guard lock(mutex_);
    return {names_.begin(), names_.end()};
  }
  /** True once `name` has been reported (within `bound`). */
  bool wait_for_name(const std::string& name, std::chrono::milliseconds bound = 10s) {
    std::unique_lock lock(mutex_);
    return cv_.wait_for(lock, bound, [&] { return std::find(names_.begin(), names_.end(), name) != names_.end(); });
  }

 private:
  std::mutex mutex_;  // guards names_
  std::condition_variable cv_;
  std::vector<std::string> names_;
};

}  // namespace

TEST_CASE("hot-add watcher: a file being written is reported once closed, never half-written", "[hot-add]") {
  TempDir dir("hot-watch-write");
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
  TempDir dir("hot-watch-events");
  TempDir elsewhere("hot-watch-elsewhere");
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
  TempDir dir("hot-watch-stop");
  auto started = std::chrono::steady_clock::now();
  { JobPathWatcher watcher({dir.path()}, [](const std::string&) {}); }
  CHECK(std::chrono::steady_clock::now() - started < 1s);
}

TEST_CASE("hot-add watcher: after lost events (queue overflow) a library in use whose file went is reported",
          "[hot-add]") {
  std::size_t queue_limit = 0;
  std::ifstream("/proc/sys/fs/inotify/max_queued_events") >> queue_limit;
  if (queue_limit == 0 || queue_limit > 100000) {
    WARN("fs.inotify.max_queued_events is " << queue_limit << ": too large to overflow in a test");
    return;
  }
  TempDir dir("hot-watch-overflow");
  Reports reports;
  std::mutex gate_mutex;
  std::condition_variable gate_cv;
  bool gate_open = false;
  auto record = reports.callback();
  // The first report blocks the watcher's thread, so the events that follow pile up in the queue.
  JobPathWatcher watcher(
      {dir.path()},
      [&](const std::string& name) {
        record(name);
        std::unique_lock lock(gate_mutex);
        gate_cv.wait(lock, [&] { return gate_open; });
      },
      [] { return std::vector<std::string>{"gone"}; });  // what the scheduler has loaded
  std::ofstream(dir.path() / "libgone.so") << "x";
  REQUIRE(reports.wait_for(1));
  for (std::size_t i = 0; i <= queue_limit; ++i) std::ofstream(dir.path() / ("f" + std::to_string(i))) << "x";
  fs::remove(dir.path() / "libgone.so");  // its event is lost: the queue is full
  {
    std::lock_guard lock(gate_mutex);
    gate_open = true;
  }
  gate_cv.notify_all();
  REQUIRE(reports.wait_for(2));
  CHECK(reports.names() == std::vector<std::string>{"gone", "gone"});
}

TEST_CASE("hot-add watcher: a job-path directory made after start is watched from then on", "[hot-add]") {
  TempDir dir("hot-watch-later");
  Reports reports;
  const fs::path jobs = dir.path() / "deploy" / "jobs";
  JobPathWatcher watcher({jobs}, reports.callback());
  CHECK(watcher.watched().empty());

  std::ofstream(dir.path() / "libnotajobdir.so") << "x";  // in the ancestor watched meanwhile: not a job library
  fs::create_directories(jobs);                            // two levels at once
  REQUIRE(eventually([&] { return watcher.watched() == std::vector<fs::path>{jobs}; }));
  install_by_rename(versioned_library("v1"), jobs / "liba.so");
  REQUIRE(reports.wait_for_name("a"));
  CHECK(reports.distinct() == std::set<std::string>{"a"});
}

TEST_CASE("hot-add watcher: a directory moved in with libraries in it reports them", "[hot-add]") {
  TempDir dir("hot-watch-moved-in");
  TempDir staging("hot-watch-staging");
  Reports reports;
  const fs::path jobs = dir.path() / "jobs";
  JobPathWatcher watcher({jobs}, reports.callback());
  fs::create_directories(staging.path() / "release");
  std::ofstream(staging.path() / "release" / "libb.so") << "x";
  fs::rename(staging.path() / "release", jobs);
  REQUIRE(reports.wait_for(1));
  CHECK(reports.names() == std::vector<std::string>{"b"});
  CHECK(watcher.watched() == std::vector<fs::path>{jobs});
}

TEST_CASE("hot-add watcher: a watched directory removed and made again is watched again", "[hot-add]") {
  TempDir dir("hot-watch-again");
  TempDir elsewhere("hot-watch-away");
  Reports reports;
  const fs::path jobs = dir.path() / "jobs";
  fs::create_directories(jobs);
  JobPathWatcher watcher({jobs}, reports.callback());
  REQUIRE(watcher.watched() == std::vector<fs::path>{jobs});

  fs::remove_all(jobs);
  REQUIRE(eventually([&] { return watcher.watched().empty(); }));
  fs::create_directories(jobs);
  REQUIRE(eventually([&] { return watcher.watched() == std::vector<fs::path>{jobs}; }));
  install_by_rename(versioned_library("v1"), jobs / "libc.so");
  REQUIRE(reports.wait_for_name("c"));

  // Moved away, it is no longer watched where it went: only the path counts.
  fs::rename(jobs, elsewhere.path() / "jobs");
  REQUIRE(eventually([&] { return watcher.watched().empty(); }));
  std::ofstream(elsewhere.path() / "jobs" / "libd.so") << "x";
  fs::create_directories(jobs);
  REQUIRE(eventually([&] { return watcher.watched() == std::vector<fs::path>{jobs}; }));
  install_by_rename(versioned_library("v1"), jobs / "libe.so");
  REQUIRE(reports.wait_for_name("e"));
  CHECK(reports.distinct() == std::set<std::string>{"c", "e"});  // not "d", written where it went
}
