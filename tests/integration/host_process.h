#pragma once
// Starting the real `apsched` binary from tests: a child process with its stdout and
// stderr captured to files, waited for with generous bounds, signalled, and reaped.
// Also the small file and text helpers the integration tests share.
#include <sys/types.h>

#include <chrono>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "temp_dir.h"

namespace apsched::test {

using namespace std::chrono_literals;

/** How long tests wait for anything the host should do within a second or two. */
inline constexpr std::chrono::milliseconds kGenerous = 20s;

using apsched::testing::read_file;
using apsched::testing::TempDir;
using apsched::testing::write_file;

/** Number of '\n'-terminated lines in the file (0 when it does not exist). */
std::size_t count_lines(const std::filesystem::path& file);
/** Occurrences of `needle` in `text`. */
std::size_t count_of(std::string_view text, std::string_view needle);

/**
 * "line:column" (1-based) where the `occurrence`-th (0-based) `needle` starts in `text`.
 * Fails the test (throws std::logic_error) when the needle is not there.
 */
std::string location_of(std::string_view text, std::string_view needle, std::size_t occurrence = 0);

/** How a finished child ended. */
struct ExitStatus {
  bool exited = false;     ///< exited normally, with `code`
  int code = -1;
  int signal = 0;          ///< killed by this signal
  bool timed_out = false;  ///< did not end in time; it was killed with SIGKILL

  std::string describe() const;
};

/**
 * A running child process. stdout and stderr each go to their own file in `output_dir`
 * (so that a command's result on stdout can be told from its messages on stderr).
 * The destructor kills (SIGKILL) and reaps a child that is still running.
 */
class ChildProcess {
 public:
  /** Starts `argv[0]` with `argv` in `working_dir` (the current one if empty). Throws on failure. */
  ChildProcess(std::vector<std::string> argv, const std::filesystem::path& output_dir,
               const std::filesystem::path& working_dir = {});
  ~ChildProcess();
  ChildProcess(const ChildProcess&) = delete;
  ChildProcess& operator=(const ChildProcess&) = delete;

  pid_t pid() const noexcept { return pid_; }
  std::string out() const { return read_file(stdout_file_); }
  std::string err() const { return read_file(stderr_file_); }
  /** stdout then stderr: for messages whose stream does not matter, and for failure reports. */
  std::string output() const { return out() + err(); }

  /**
   * Waits until `needle` occurs `count` times in the output, polling every `poll`; false when
   * the bound passes or the process has ended without it.
   */
  bool wait_for_output(std::string_view needle, std::chrono::milliseconds bound = kGenerous, std::size_t count = 1,
                       std::chrono::microseconds poll = std::chrono::milliseconds(20));
  /** Waits until `predicate()` holds (polled every 20 ms); false when the bound passes. */
  template <typename Predicate>
  bool wait_until(Predicate predicate, std::chrono::milliseconds bound = kGenerous);

  void send_signal(int signal);
  /** True once the child blocks `signal` in its main thread (read from /proc/<pid>/status). */
  bool blocks_signal(int signal) const;
  /** True while the child has not been reaped and has not exited (reaps it if it has). */
  bool running();
  /** Waits for the child to end; past `bound` it is killed with SIGKILL and reported as timed out. */
  ExitStatus wait(std::chrono::milliseconds bound = kGenerous);

 private:
  bool try_reap();

  pid_t pid_ = -1;
  std::optional<ExitStatus> status_;
  std::filesystem::path stdout_file_;
  std::filesystem::path stderr_file_;
};

template <typename Predicate>
bool ChildProcess::wait_until(Predicate predicate, std::chrono::milliseconds bound) {
  auto deadline = std::chrono::steady_clock::now() + bound;
  while (true) {
    if (predicate()) return true;
    if (std::chrono::steady_clock::now() >= deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
}

/** What a command that ran to its end printed, and how it ended. */
struct CommandResult {
  ExitStatus status;
  std::string out;
  std::string err;
  std::string output() const { return out + err; }
};

/** Runs the `apsched` under test with `args` to completion (killed after `bound`). */
CommandResult run_apsched(const std::vector<std::string>& args, std::chrono::milliseconds bound = kGenerous,
                          const std::filesystem::path& binary = APSCHED_BINARY);

/** Starts `apsched run -c config` (of `binary`) in `output_dir`, its output captured there. */
std::unique_ptr<ChildProcess> start_host(const std::filesystem::path& config, const std::filesystem::path& output_dir,
                                         const std::filesystem::path& binary = APSCHED_BINARY);

}  // namespace apsched::test

/**
 * REQUIRE that the child prints `needle` (ChildProcess::wait_for_output's arguments); on
 * failure the report shows the child's output as it was then.
 */
#define REQUIRE_OUTPUT(child, ...)                                   \
  do {                                                               \
    bool apsched_seen_ = (child).wait_for_output(__VA_ARGS__);       \
    INFO("--- output ---\n" << (child).output());                   \
    REQUIRE(apsched_seen_);                                          \
  } while (false)

/** REQUIRE that `predicate()` comes true while the child runs, showing its output if not. */
#define REQUIRE_WITHIN(child, ...)                                   \
  do {                                                               \
    bool apsched_held_ = (child).wait_until(__VA_ARGS__);            \
    INFO("--- output ---\n" << (child).output());                   \
    REQUIRE(apsched_held_);                                          \
  } while (false)
