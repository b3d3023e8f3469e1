#pragma once
#include <filesystem>
#include <functional>
#include <map>
#include <mutex>
#include <set>
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
 * A directory that does not exist (at start, or later: removed or moved away) is waited
 * for: its nearest existing ancestor is watched for new directories, and once it exists
 * it is watched and every library file already in it is reported.
 *
 * One thread, blocked in poll() on the inotify descriptor and a wake-up eventfd (no
 * polling loop); `on_change` runs in that thread with a library name, once per name per
 * batch of events. After an event-queue overflow (events lost) every library file present
 * and every name `known` returns (the libraries in use, whose files may be gone) is reported.
 *
 * THREADING: the watches are set up in the constructor and changed afterwards only by
 * the watcher's thread; `mutex_` guards `watches_` for watched(), called from others. The
 * destructor wakes the thread and joins it, so `on_change` never runs after it returns.
 * Call the destructor from a thread other than the watcher's.
 */
class JobPathWatcher {
 public:
  using OnChange = std::function<void(const std::string& library_name)>;
  using KnownNames = std::function<std::vector<std::string>()>;

  /**
   * Starts watching. A missing directory is waited for (logged); one that cannot be
   * watched (no permission, the inotify limit reached) is logged as a warning with what
   * to do and skipped. Throws SchedulerError when inotify itself is unavailable.
   */
  JobPathWatcher(const std::vector<std::filesystem::path>& directories, OnChange on_change,
                 KnownNames known = {});
  ~JobPathWatcher();
  JobPathWatcher(const JobPathWatcher&) = delete;
  JobPathWatcher& operator=(const JobPathWatcher&) = delete;

  /** The directories watched now (not those waited for). */
  std::vector<std::filesystem::path> watched() const;

 private:
  void run();
  /** Handles one read() worth of events; false when the descriptor failed. */
  bool drain();
  enum class Outcome { watched, waiting, refused };
  /**
   * Watches `dir`, or, when it does not exist, waits for it (watching its nearest
   * existing ancestor). `refused` (logged): it can be neither watched nor waited for.
   */
  Outcome watch(const std::filesystem::path& dir);
  /** After a directory appeared: watches the waited-for ones that exist now and adds the
   * library files in them to `found`. */
  void retry_waiting(std::set<std::string>& found);
  /** Adds the library names of the files in `dir` to `names`. */
  static void list_libraries(const std::filesystem::path& dir, std::set<std::string>& names);
  /** After lost events: reports every library file present and every known name. */
  void report_all();
  /** Calls on_change_, logging what it throws (the thread must go on). */
  void notify(const std::string& name);

  int inotify_fd_ = -1;
  int wake_fd_ = -1;
  mutable std::mutex mutex_;                      // guards watches_ (see THREADING)
  std::map<int, std::filesystem::path> watches_;  // watch descriptor -> job-path directory
  // Watcher thread only (after the constructor):
  std::map<int, std::filesystem::path> ancestors_;  // watch descriptor -> ancestor of a waited-for directory
  std::vector<std::filesystem::path> waiting_;      // job-path directories that do not exist now
  OnChange on_change_;
  KnownNames known_;
  std::thread thread_;
};

}  // namespace apsched::core::detail
