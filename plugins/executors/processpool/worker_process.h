#pragma once
#include <sys/types.h>

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace apsched::executors {

/** Reads whole lines from a non-blocking fd. */
class LineReader {
 public:
  LineReader() = default;
  LineReader(const LineReader&) = delete;
  LineReader& operator=(const LineReader&) = delete;
  ~LineReader();

  /** Takes ownership of `fd` (made non-blocking). */
  void attach(int fd);
  int fd() const noexcept { return fd_; }
  bool at_eof() const noexcept { return eof_; }
  /** Reads what is there now; appends each complete line (without '\n') to `lines`. */
  void drain(std::vector<std::string>& lines);
  /** Takes the unterminated rest, if any (e.g. once the writer has died). */
  std::optional<std::string> take_rest();

 private:
  int fd_ = -1;
  bool eof_ = false;
  std::string buffer_;
};

/**
 * One job-worker process as the pool sees it (protocol: apsched/sdk/job_worker.h):
 * started in its own process group with a clean signal state, watched through a pidfd,
 * reaped by reap() or, if still alive, killed and reaped by the destructor.
 * THREADING: used by one thread (the pool's supervisor); it must be the thread that
 * started it, as the worker's PR_SET_PDEATHSIG is tied to that thread.
 */
class WorkerProcess {
 public:
  /** Starts `argv`. Throws std::runtime_error saying why it could not. */
  explicit WorkerProcess(const std::vector<std::string>& argv);
  ~WorkerProcess();
  WorkerProcess(const WorkerProcess&) = delete;
  WorkerProcess& operator=(const WorkerProcess&) = delete;

  pid_t pid() const noexcept { return pid_; }
  /** Readable once the process has ended. */
  int pidfd() const noexcept { return pidfd_; }

  /**
   * Queues one request line and sends what the socket takes now, never blocking: a worker
   * that does not read (hung, still starting) must not stall the pool. Call
   * send_pending() when request_fd() is writable while sending() is true.
   */
  void send(std::string_view line);
  /** Sends more of what is queued; a worker that is gone drops it (it is reaped anyway). */
  void send_pending() noexcept;
  /** Queued bytes are waiting for the worker to read. */
  bool sending() const noexcept { return !unsent_.empty() && request_fd_ >= 0; }
  int request_fd() const noexcept { return request_fd_; }
  /** Ends the request stream: an idle worker exits. */
  void close_requests() noexcept;
  void signal(int signal) noexcept;
  /** The wait status once the process has ended (reaping it), kUnknownWaitStatus if it was
   *  reaped elsewhere; nullopt while it runs. */
  std::optional<int> reap() noexcept;

  LineReader replies;
  LineReader out;
  LineReader err;

 private:
  pid_t pid_ = -1;
  int pidfd_ = -1;
  int request_fd_ = -1;
  std::string unsent_;  // request bytes the socket did not take yet (sent with MSG_DONTWAIT)
  bool reaped_ = false;
};

}  // namespace apsched::executors
