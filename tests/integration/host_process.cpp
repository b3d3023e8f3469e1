#include "host_process.h"

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <stdexcept>
#include <system_error>

extern char** environ;

namespace apsched::test {
namespace fs = std::filesystem;

namespace {

[[noreturn]] void throw_errno(const std::string& what, int error) {
  throw std::system_error(error, std::generic_category(), what);
}

}  // namespace

std::size_t count_lines(const fs::path& file) { return count_of(read_file(file), "\n"); }

std::size_t count_of(std::string_view text, std::string_view needle) {
  std::size_t n = 0;
  for (auto at = text.find(needle); at != std::string_view::npos; at = text.find(needle, at + needle.size())) ++n;
  return n;
}

std::string location_of(std::string_view text, std::string_view needle, std::size_t occurrence) {
  std::size_t at = text.find(needle);
  for (std::size_t i = 0; i < occurrence && at != std::string_view::npos; ++i) at = text.find(needle, at + 1);
  if (at == std::string_view::npos)
    throw std::logic_error("location_of: '" + std::string(needle) + "' is not in the config text");
  std::size_t line = 1 + count_of(text.substr(0, at), "\n");
  std::size_t line_start = text.rfind('\n', at == 0 ? 0 : at - 1);
  std::size_t column = line_start == std::string_view::npos || at == 0 ? at + 1 : at - line_start;
  return std::to_string(line) + ":" + std::to_string(column);
}

std::string ExitStatus::describe() const {
  if (timed_out) return "timed out (killed)";
  if (exited) return "exit status " + std::to_string(code);
  if (signal) return std::string("killed by signal ") + strsignal(signal);
  return "not finished";
}

ChildProcess::ChildProcess(std::vector<std::string> argv, const fs::path& output_dir, const fs::path& working_dir) {
  static std::atomic<int> serial{0};
  fs::create_directories(output_dir);
  std::string stem = "child-" + std::to_string(::getpid()) + "-" + std::to_string(serial++);
  stdout_file_ = output_dir / (stem + ".stdout");
  stderr_file_ = output_dir / (stem + ".stderr");

  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_addopen(&actions, STDOUT_FILENO, stdout_file_.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  posix_spawn_file_actions_addopen(&actions, STDERR_FILENO, stderr_file_.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  if (!working_dir.empty()) posix_spawn_file_actions_addchdir_np(&actions, working_dir.c_str());

  // The child starts with no blocked signals and default SIGINT/SIGTERM handling,
  // whatever the test runner has set up for itself.
  posix_spawnattr_t attributes;
  posix_spawnattr_init(&attributes);
  sigset_t none, defaults;
  sigemptyset(&none);
  sigemptyset(&defaults);
  sigaddset(&defaults, SIGINT);
  sigaddset(&defaults, SIGTERM);
  sigaddset(&defaults, SIGPIPE);
  posix_spawnattr_setsigmask(&attributes, &none);
  posix_spawnattr_setsigdefault(&attributes, &defaults);
  posix_spawnattr_setflags(&attributes, POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);

  std::vector<char*> raw;
  for (auto& arg : argv) raw.push_back(arg.data());
  raw.push_back(nullptr);
  int error = ::posix_spawn(&pid_, raw[0], &actions, &attributes, raw.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  posix_spawnattr_destroy(&attributes);
  if (error != 0) throw_errno("posix_spawn " + argv[0], error);
}

ChildProcess::~ChildProcess() {
  if (!status_ && pid_ > 0) {
    ::kill(pid_, SIGKILL);
    int raw = 0;
    while (::waitpid(pid_, &raw, 0) < 0 && errno == EINTR) {
    }
  }
}

bool ChildProcess::try_reap() {
  if (status_) return true;
  int raw = 0;
  pid_t got = ::waitpid(pid_, &raw, WNOHANG);
  if (got == 0) return false;
  ExitStatus status;
  if (got < 0) {
    status.code = -1;  // cannot happen for our own child; report as "not finished"
  } else if (WIFEXITED(raw)) {
    status.exited = true;
    status.code = WEXITSTATUS(raw);
  } else if (WIFSIGNALED(raw)) {
    status.signal = WTERMSIG(raw);
  }
  status_ = status;
  return true;
}

bool ChildProcess::running() { return !try_reap(); }

void ChildProcess::send_signal(int signal) {
  if (status_) throw std::logic_error("send_signal: the child has already ended (" + status_->describe() + ")");
  if (::kill(pid_, signal) != 0) throw_errno("kill", errno);
}

bool ChildProcess::blocks_signal(int signal) const {
  std::string status = read_file("/proc/" + std::to_string(pid_) + "/status");
  auto at = status.find("SigBlk:");
  if (at == std::string::npos) return false;
  unsigned long long mask = std::strtoull(status.c_str() + at + 7, nullptr, 16);
  return (mask >> (signal - 1)) & 1U;
}

bool ChildProcess::wait_for_output(std::string_view needle, std::chrono::milliseconds bound, std::size_t count,
                                   std::chrono::microseconds poll) {
  auto deadline = std::chrono::steady_clock::now() + bound;
  while (true) {
    bool ended = status_.has_value() || try_reap();
    if (count_of(output(), needle) >= count) return true;
    if (ended || std::chrono::steady_clock::now() >= deadline) return false;
    std::this_thread::sleep_for(poll);
  }
}

ExitStatus ChildProcess::wait(std::chrono::milliseconds bound) {
  auto deadline = std::chrono::steady_clock::now() + bound;
  while (!try_reap()) {
    if (std::chrono::steady_clock::now() >= deadline) {
      ::kill(pid_, SIGKILL);
      int raw = 0;
      while (::waitpid(pid_, &raw, 0) < 0 && errno == EINTR) {
      }
      ExitStatus status;
      status.timed_out = true;
      status_ = status;
      break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return *status_;
}

CommandResult run_apsched(const std::vector<std::string>& args, std::chrono::milliseconds bound,
                          const fs::path& binary) {
  TempDir scratch("apsched-cmd");
  std::vector<std::string> argv{binary.string()};
  argv.insert(argv.end(), args.begin(), args.end());
  ChildProcess child(argv, scratch.path());
  CommandResult result;
  result.status = child.wait(bound);
  result.out = child.out();
  result.err = child.err();
  return result;
}

std::unique_ptr<ChildProcess> start_host(const fs::path& config, const fs::path& output_dir, const fs::path& binary) {
  return std::make_unique<ChildProcess>(std::vector<std::string>{binary.string(), "run", "-c", config.string()},
                                        output_dir, output_dir);
}

}  // namespace apsched::test
