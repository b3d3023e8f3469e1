#pragma once
#include <filesystem>
#include <functional>
#include <map>
#include <string>
#include <thread>
#include <vector>

namespace apsched::core::detail {

/**
 * Watches the job-path directories with inotify and reports job-library files
 * (`lib<name>.so`) that appeared complete, were replaced or went away: a file written
 * in place counts once it is closed (IN_CLOSE_WRITE), one renamed in (IN_MOVED_TO) at
 * once; one deleted or renamed away counts as gone. A file being copied is never
 * reported half-written. Other names are ignored.
 *
 * One thread, blocked in poll() on the inotify descriptor and a wake-up eventfd (no
 * polling loop); `on_change` runs in that thread with a library name, once per name per
 * batch of events. After an event-queue overflow (events lost) every library file present
 * and every name `known` returns (the libraries in use, whose files may be gone) is reported.
 *
 * THREADING: all members are set in the constructor and only read afterwards; the
 * destructor wakes the thread and joins it, so `on_change` never runs after it returns.
 * Call the destructor from a thread other than the watcher's.
 */
class JobPathWatcher {
 public:
  using OnChange = std::function<void(const std::string& library_name)>;
  using KnownNames = std::function<std::vector<std::string>()>;

  /**
   * Starts watching. A directory that cannot be watched (missing, no permission, the
   * inotify limit reached) is logged as a warning with what to do and skipped.
   * Throws SchedulerError when inotify itself is unavailable.
   */
  JobPathWatcher(const std::vector<std::filesystem::path>& directories, OnChange on_change,
                 KnownNames known = {});
  ~JobPathWatcher();
  JobPathWatcher(const JobPathWatcher&) = delete;
  JobPathWatcher& operator=(const JobPathWatcher&) = delete;

  /** The directories actually watched. */
  std::vector<std::filesystem::path> watched() const;

 private:
  void run();
  /** Handles one read() worth of events; false when the descriptor failed. */
  bool drain();
  /** After lost events: reports every library file present and every known name. */
  void report_all();
  /** Calls on_change_, logging what it throws (the thread must go on). */
  void notify(const std::string& name);

  int inotify_fd_ = -1;
  int wake_fd_ = -1;
  std::map<int, std::filesystem::path> watches_;  // watch descriptor -> directory
  OnChange on_change_;
  KnownNames known_;
  std::thread thread_;
};

}  // namespace apsched::core::detail
