#include "jobs/job_path_watcher.h"

#include <poll.h>
#include <sys/eventfd.h>
#include <sys/inotify.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <set>

#include <spdlog/spdlog.h>

#include "apsched/core/errors.h"
#include "jobs/job_libraries.h"

namespace apsched::core::detail {
namespace fs = std::filesystem;
namespace {

constexpr std::uint32_t kFileEvents = IN_CLOSE_WRITE | IN_MOVED_TO | IN_DELETE | IN_MOVED_FROM;
constexpr std::uint32_t kWatchMask = kFileEvents | IN_DELETE_SELF | IN_MOVE_SELF | IN_ONLYDIR;
// On the ancestor of a directory waited for: a directory made or moved in, or the ancestor
// itself going. IN_MASK_ADD: the ancestor may be a job-path directory watched already.
constexpr std::uint32_t kAncestorMask =
    IN_CREATE | IN_MOVED_TO | IN_DELETE_SELF | IN_MOVE_SELF | IN_ONLYDIR | IN_MASK_ADD;

fs::path nearest_existing_ancestor(const fs::path& dir) {
  fs::path ancestor = dir.parent_path();
  std::error_code ec;
  while (!ancestor.empty() && ancestor != ancestor.root_path() && !fs::is_directory(ancestor, ec))
    ancestor = ancestor.parent_path();
  return ancestor.empty() ? fs::path(".") : ancestor;
}

std::string watch_failure_hint(int error) {
  switch (error) {
    case ENOSPC: return "raise fs.inotify.max_user_watches (sysctl) and restart the host";
    case EACCES: return "give the host read access to it and restart the host";
    default: return "fix it and restart the host";
  }
}

}  // namespace

JobPathWatcher::JobPathWatcher(const std::vector<fs::path>& directories, OnChange on_change, KnownNames known)
    : on_change_(std::move(on_change)), known_(std::move(known)) {
  inotify_fd_ = ::inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
  if (inotify_fd_ < 0)
    throw SchedulerError(std::string("cannot watch the job path (inotify_init1: ") + std::strerror(errno) +
                             "); raise fs.inotify.max_user_instances, or set watch_job_path: false",
                         "watch_job_path");
  wake_fd_ = ::eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
  if (wake_fd_ < 0) {
    int error = errno;
    ::close(inotify_fd_);
    throw SchedulerError(std::string("cannot watch the job path (eventfd: ") + std::strerror(error) + ")",
                         "watch_job_path");
  }
  for (const auto& dir : directories)
    if (watch(dir) == Outcome::waiting)
      spdlog::warn("Job path directory {} does not exist: job libraries put there are picked up once it is created",
                   dir.string());
  thread_ = std::thread([this] { run(); });
}

JobPathWatcher::~JobPathWatcher() {
  std::uint64_t one = 1;
  if (::write(wake_fd_, &one, sizeof one) != sizeof one)
    spdlog::error("Job path watcher: cannot wake its thread: {}", std::strerror(errno));
  thread_.join();
  ::close(wake_fd_);
  ::close(inotify_fd_);
}

JobPathWatcher::Outcome JobPathWatcher::watch(const fs::path& dir) {
  // Made between a failed attempt and the ancestor's watch, it would go unnoticed: try
  // again after each ancestor is watched, until the directory is watched or really absent.
  while (true) {
    int wd = ::inotify_add_watch(inotify_fd_, dir.c_str(), kWatchMask);
    if (wd >= 0) {
      std::lock_guard lock(mutex_);
      watches_.emplace(wd, dir);
      return Outcome::watched;
    }
    int error = errno;
    if (error != ENOENT) {
      spdlog::warn("Job path directory {} is not watched for new job libraries: {}; {}", dir.string(),
                   std::strerror(error), watch_failure_hint(error));
      return Outcome::refused;
    }
    fs::path ancestor = nearest_existing_ancestor(dir);
    int ancestor_wd = ::inotify_add_watch(inotify_fd_, ancestor.c_str(), kAncestorMask);
    if (ancestor_wd < 0) {
      error = errno;
      if (error == ENOENT) continue;  // the ancestor went meanwhile: look again
      spdlog::warn("Job path directory {} does not exist, and its creation cannot be watched (watching {}: {}); {}",
                   dir.string(), ancestor.string(), std::strerror(error), watch_failure_hint(error));
      return Outcome::refused;
    }
    ancestors_.emplace(ancestor_wd, ancestor);
    std::error_code ec;
    if (fs::is_directory(dir, ec)) continue;
    if (std::find(waiting_.begin(), waiting_.end(), dir) == waiting_.end()) waiting_.push_back(dir);
    return Outcome::waiting;
  }
}

void JobPathWatcher::retry_waiting(std::set<std::string>& found) {
  for (const auto& [wd, ancestor] : ancestors_) {
    std::lock_guard lock(mutex_);
    // The same directory watched as a job-path directory shares the descriptor: keep it.
    if (!watches_.contains(wd)) ::inotify_rm_watch(inotify_fd_, wd);
  }
  ancestors_.clear();
  std::vector<fs::path> waited = std::move(waiting_);
  waiting_.clear();
  for (const auto& dir : waited) {
    if (watch(dir) != Outcome::watched) continue;
    spdlog::info("Job path directory {} exists now: watching it for job libraries", dir.string());
    list_libraries(dir, found);
  }
}

void JobPathWatcher::list_libraries(const fs::path& dir, std::set<std::string>& names) {
  std::error_code ec;
  for (fs::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec))
    if (auto name = job_library_name(it->path().filename().string())) names.insert(*name);
}

std::vector<fs::path> JobPathWatcher::watched() const {
  std::lock_guard lock(mutex_);
  std::vector<fs::path> dirs;
  for (const auto& [wd, dir] : watches_) dirs.push_back(dir);
  return dirs;
}

void JobPathWatcher::run() {
  pollfd fds[2] = {{inotify_fd_, POLLIN, 0}, {wake_fd_, POLLIN, 0}};
  while (true) {
    if (::poll(fds, 2, -1) < 0) {
      if (errno == EINTR) continue;
      spdlog::error("Job path watcher stopped (poll: {}); new job libraries are not picked up until a restart",
                    std::strerror(errno));
      return;
    }
    if (fds[1].revents != 0) return;
    if (fds[0].revents != 0 && !drain()) return;
  }
}

bool JobPathWatcher::drain() {
  alignas(inotify_event) char buffer[16 * 1024];
  std::set<std::string> changed;
  bool overflow = false;
  bool look_again = false;  // a directory waited for may exist now (or its ancestor went)
  while (true) {
    ssize_t n = ::read(inotify_fd_, buffer, sizeof buffer);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && errno == EAGAIN) break;
    if (n <= 0) {
      spdlog::error("Job path watcher stopped (read: {}); new job libraries are not picked up until a restart",
                    n < 0 ? std::strerror(errno) : "end of file");
      return false;
    }
    for (char* at = buffer; at < buffer + n;) {
      const auto* event = reinterpret_cast<const inotify_event*>(at);
      at += sizeof(inotify_event) + event->len;
      if (event->mask & IN_Q_OVERFLOW) {
        overflow = true;
        continue;
      }
      if (ancestors_.contains(event->wd)) {
        bool directory_came = (event->mask & (IN_CREATE | IN_MOVED_TO)) && (event->mask & IN_ISDIR);
        bool ancestor_went = event->mask & (IN_DELETE_SELF | IN_MOVE_SELF);
        if (directory_came || ancestor_went) look_again = true;
      }
      auto dir = watches_.find(event->wd);
      if (dir == watches_.end()) continue;
      if (event->mask & (IN_DELETE_SELF | IN_MOVE_SELF)) {
        fs::path gone = dir->second;
        spdlog::warn("Job path directory {} was removed or moved away: job libraries put there again are picked up "
                     "once it is created again",
                     gone.string());
        ::inotify_rm_watch(inotify_fd_, event->wd);  // a moved directory would still be watched where it went
        {
          std::lock_guard lock(mutex_);
          watches_.erase(dir);
        }
        if (watch(gone) == Outcome::watched) list_libraries(gone, changed);  // already back
      } else if ((event->mask & kFileEvents) && event->len > 0) {
        if (auto name = job_library_name(event->name)) changed.insert(*name);
      }
    }
  }
  if (look_again) retry_waiting(changed);
  if (overflow) {
    spdlog::warn("Job path watcher: too many file events at once; looking at every job library again");
    retry_waiting(changed);  // a directory may have appeared unseen
    report_all();
  }
  for (const auto& name : changed) notify(name);
  return true;
}

void JobPathWatcher::notify(const std::string& name) {
  try {
    on_change_(name);
  } catch (const std::exception& e) {
    spdlog::error("Job library '{}' changed on the job path but could not be taken in: {}", name, e.what());
  }
}

void JobPathWatcher::report_all() {
  std::set<std::string> names;
  if (known_) {
    try {
      for (auto& name : known_()) names.insert(std::move(name));
    } catch (const std::exception& e) {
      spdlog::error("Job path watcher: cannot list the job libraries in use ({}); a library removed just now may "
                    "stay in use until it is replaced or the host restarts",
                    e.what());
    }
  }
  for (const auto& [wd, dir] : watches_) list_libraries(dir, names);
  for (const auto& name : names) notify(name);
}

}  // namespace apsched::core::detail
