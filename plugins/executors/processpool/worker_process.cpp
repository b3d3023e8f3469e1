#include "worker_process.h"

#include "exit_status.h"

#include <apsched/sdk/job_worker.h>
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <stdexcept>
#include <system_error>

extern char** environ;

namespace apsched::executors {
namespace {

[[noreturn]] void fail(const std::string& what, int error) {
  throw std::runtime_error(what + ": " + std::generic_category().message(error));
}

void close_fd(int& fd) noexcept {
  if (fd >= 0) ::close(fd);
  fd = -1;
}

/** The fds a spawn creates, closed on every path unless handed on. */
struct Fds {
  int fds[8] = {-1, -1, -1, -1, -1, -1, -1, -1};
  ~Fds() {
    for (int& fd : fds) close_fd(fd);
  }
  int take(int i) {
    int fd = fds[i];
    fds[i] = -1;
    return fd;
  }
};

// Child ends are moved to fds >= 5 first, so that the dup2s onto 0-4 cannot clobber one another.
constexpr int kFirstFreeFd = 5;

int above_protocol_fds(int& fd) {
  if (fd >= kFirstFreeFd) return fd;
  int moved = ::fcntl(fd, F_DUPFD_CLOEXEC, kFirstFreeFd);
  if (moved < 0) fail("cannot move a pipe fd", errno);
  ::close(fd);
  fd = moved;
  return fd;
}

}  // namespace

LineReader::~LineReader() { close_fd(fd_); }

void LineReader::attach(int fd) {
  close_fd(fd_);
  fd_ = fd;
  ::fcntl(fd_, F_SETFL, ::fcntl(fd_, F_GETFL) | O_NONBLOCK);
}

void LineReader::drain(std::vector<std::string>& lines) {
  char chunk[8192];
  while (!eof_ && fd_ >= 0) {
    ssize_t n = ::read(fd_, chunk, sizeof chunk);
    if (n > 0) {
      buffer_.append(chunk, static_cast<std::size_t>(n));
    } else if (n < 0 && errno == EINTR) {
      continue;
    } else {
      if (n == 0 || (errno != EAGAIN && errno != EWOULDBLOCK)) eof_ = true;
      break;
    }
  }
  std::size_t start = 0;
  for (std::size_t end; (end = buffer_.find('\n', start)) != std::string::npos; start = end + 1)
    lines.push_back(buffer_.substr(start, end - start));
  buffer_.erase(0, start);
}

std::optional<std::string> LineReader::take_rest() {
  if (buffer_.empty()) return std::nullopt;
  std::string rest = std::move(buffer_);
  buffer_.clear();
  return rest;
}

WorkerProcess::WorkerProcess(const std::vector<std::string>& argv) {
  if (argv.empty()) throw std::runtime_error("empty job-worker command");
  // Pairs: requests (a socket, so that the pool can write with MSG_NOSIGNAL: a dead worker
  // raises no SIGPIPE in the host), replies, stdout, stderr. fds[even] stay with the
  // pool, fds[odd] go to the worker.
  Fds f;
  if (::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, f.fds) != 0) fail("cannot create a socket pair", errno);
  for (int i = 2; i < 8; i += 2)
    if (::pipe2(f.fds + i, O_CLOEXEC) != 0) fail("cannot create a pipe", errno);
  int child_request = above_protocol_fds(f.fds[1]);
  int child_reply = above_protocol_fds(f.fds[3]);
  int child_out = above_protocol_fds(f.fds[5]);
  int child_err = above_protocol_fds(f.fds[7]);

  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_adddup2(&actions, child_out, 1);
  posix_spawn_file_actions_adddup2(&actions, child_err, 2);
  posix_spawn_file_actions_adddup2(&actions, child_request, sdk::worker::kRequestFd);
  posix_spawn_file_actions_adddup2(&actions, child_reply, sdk::worker::kReplyFd);
  posix_spawn_file_actions_addclosefrom_np(&actions, kFirstFreeFd);

  // The host may block or ignore signals (apsched blocks SIGINT/SIGTERM for its signal
  // thread); a worker starts clean. Its own process group keeps a terminal's Ctrl-C to
  // the host, which then shuts the pool down in order.
  posix_spawnattr_t attributes;
  posix_spawnattr_init(&attributes);
  sigset_t none, all;
  sigemptyset(&none);
  sigfillset(&all);
  sigdelset(&all, SIGKILL);
  sigdelset(&all, SIGSTOP);
  posix_spawnattr_setsigmask(&attributes, &none);
  posix_spawnattr_setsigdefault(&attributes, &all);
  posix_spawnattr_setpgroup(&attributes, 0);
  posix_spawnattr_setflags(&attributes, POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETPGROUP);

  std::vector<char*> args;
  for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  int error = ::posix_spawn(&pid_, args[0], &actions, &attributes, args.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  posix_spawnattr_destroy(&attributes);
  if (error == EAGAIN)
    fail("cannot start the job worker " + argv[0] +
             " (the user's process limit, ulimit -u, is reached: lower max_workers or raise the limit)",
         error);
  if (error != 0) fail("cannot start the job worker " + argv[0], error);

  pidfd_ = static_cast<int>(::syscall(SYS_pidfd_open, pid_, 0));
  if (pidfd_ < 0) {
    int saved = errno;
    ::kill(pid_, SIGKILL);
    ::waitpid(pid_, nullptr, 0);
    reaped_ = true;
    fail("cannot watch the job worker (pidfd_open)", saved);
  }
  request_fd_ = f.take(0);
  replies.attach(f.take(2));
  out.attach(f.take(4));
  err.attach(f.take(6));
}

WorkerProcess::~WorkerProcess() {
  close_fd(request_fd_);
  if (!reaped_) {
    ::kill(pid_, SIGKILL);
    while (::waitpid(pid_, nullptr, 0) < 0 && errno == EINTR) {
    }
  }
  close_fd(pidfd_);
}

void WorkerProcess::send(std::string_view line) {
  unsent_.append(line);
  send_pending();
}

void WorkerProcess::send_pending() noexcept {
  std::size_t sent = 0;
  while (sent < unsent_.size() && request_fd_ >= 0) {
    ssize_t n = ::send(request_fd_, unsent_.data() + sent, unsent_.size() - sent, MSG_NOSIGNAL | MSG_DONTWAIT);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) break;  // full: the rest when it is writable
    if (n <= 0) {
      sent = unsent_.size();  // the worker is gone
      break;
    }
    sent += static_cast<std::size_t>(n);
  }
  unsent_.erase(0, sent);
}

void WorkerProcess::close_requests() noexcept { close_fd(request_fd_); }

void WorkerProcess::signal(int signal) noexcept {
  if (!reaped_) ::kill(pid_, signal);
}

std::optional<int> WorkerProcess::reap() noexcept {
  if (reaped_) return std::nullopt;
  int status = 0;
  pid_t done;
  while ((done = ::waitpid(pid_, &status, WNOHANG)) < 0 && errno == EINTR) {
  }
  // ECHILD: reaped by the kernel (SIGCHLD ignored somewhere in the process); the pidfd says it ended.
  if (done < 0 && errno == ECHILD) status = kUnknownWaitStatus;
  else if (done != pid_) return std::nullopt;
  reaped_ = true;
  return status;
}

}  // namespace apsched::executors
