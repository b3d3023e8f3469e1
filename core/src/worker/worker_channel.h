#pragma once
#include <csignal>
#include <mutex>
#include <string>
#include <string_view>

namespace apsched::core::detail {

/** The worker's end of the request stream: whole lines, read with blocking reads. */
class RequestChannel {
 public:
  explicit RequestChannel(int fd) : fd_(fd) {}
  /** The next line (without '\n'); false on EOF, a read error, or once `stop` is set. */
  bool next_line(std::string& line, const volatile std::sig_atomic_t& stop);

 private:
  int fd_;
  std::string buffer_;
};

/**
 * The worker's end of the reply stream. THREADING: send() may be called from any thread
 * (a job's own threads may log); `mutex_` keeps each line whole.
 */
class ReplyChannel {
 public:
  explicit ReplyChannel(int fd) : fd_(fd) {}
  /** Writes the whole line; false when the host is gone. */
  bool send(std::string_view line) noexcept;

 private:
  int fd_;
  std::mutex mutex_;
};

}  // namespace apsched::core::detail
