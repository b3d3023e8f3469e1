#include "jobs/job_path_watcher.h"

#include <poll.h>
#include <sys/eventfd.h>
#include <sys/inotify.h>
#include <unistd.h>

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

std::string watch_failure_hint(int error) {
  switch (error) {
    case ENOENT: return "create the directory and restart the host to watch it";
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
  for (const auto& dir : directories) {
    int wd = ::inotify_add_watch(inotify_fd_, dir.c_str(), kWatchMask);
    if (wd < 0) {
      int error = errno;
      spdlog::warn("Job path directory {} is not watched for new job libraries: {}; {}", dir.string(),
                   std::strerror(error), watch_failure_hint(error));
      continue;
    }
    watches_.emplace(wd, dir);
  }
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

std::vector<fs::path> JobPathWatcher::watched() const {
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
      } else if (event->mask & (IN_DELETE_SELF | IN_MOVE_SELF)) {
        auto dir = watches_.find(event->wd);
        spdlog::warn("Job path directory {} was removed or moved: it is no longer watched; restart the host to "
                     "watch it again",
                     dir == watches_.end() ? std::string("?") : dir->second.string());
      } else if ((event->mask & kFileEvents) && event->len > 0) {
        if (auto name = job_library_name(event->name)) changed.insert(*name);
      }
    }
  }
  if (overflow) {
    spdlog::warn("Job path watcher: too many file events at once; looking at every job library again");
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
  for (const auto& [wd, dir] : watches_) {
    std::error_code ec;
    for (fs::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec))
      if (auto name = job_library_name(it->path().filename().string())) names.insert(*name);
  }
  for (const auto& name : names) notify(name);
}

}  // namespace apsched::core::detail
