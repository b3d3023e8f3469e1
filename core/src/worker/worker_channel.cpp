#include "worker/worker_channel.h"

#include <unistd.h>

#include <cerrno>

namespace apsched::core::detail {

bool RequestChannel::next_line(std::string& line, const volatile std::sig_atomic_t& stop) {
  while (true) {
    if (auto end = buffer_.find('\n'); end != std::string::npos) {
      line = buffer_.substr(0, end);
      buffer_.erase(0, end + 1);
      return true;
    }
    char chunk[4096];
    ssize_t n = ::read(fd_, chunk, sizeof chunk);
    if (n > 0) {
      buffer_.append(chunk, static_cast<std::size_t>(n));
    } else if (n < 0 && errno == EINTR) {
      if (stop) return false;
    } else {
      return false;  // EOF: the host closed the stream (or is gone)
    }
  }
}

bool ReplyChannel::send(std::string_view line) noexcept {
  std::lock_guard lock(mutex_);
  while (!line.empty()) {
    ssize_t n = ::write(fd_, line.data(), line.size());
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    line.remove_prefix(static_cast<std::size_t>(n));
  }
  return true;
}

}  // namespace apsched::core::detail
