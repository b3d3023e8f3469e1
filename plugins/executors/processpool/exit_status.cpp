#include "exit_status.h"

#include <sys/wait.h>

#include <cstring>

namespace apsched::executors {

std::string describe_exit(int wait_status) {
  if (wait_status == kUnknownWaitStatus)
    return "ended with an unknown exit status (the system reaped it: SIGCHLD is set to SIG_IGN in this process; "
           "restore its default action)";
  if (WIFSIGNALED(wait_status)) {
    int signal = WTERMSIG(wait_status);
    const char* abbrev = ::sigabbrev_np(signal);
    const char* text = ::sigdescr_np(signal);
    return "was killed by signal " + std::to_string(signal) + " (SIG" + (abbrev ? abbrev : "?") + ": " +
           (text ? text : "unknown signal") + ")";
  }
  if (WIFEXITED(wait_status)) return "exited with status " + std::to_string(WEXITSTATUS(wait_status));
  return "ended (wait status " + std::to_string(wait_status) + ")";
}

std::string exit_kind(int wait_status) {
  return wait_status != kUnknownWaitStatus && WIFSIGNALED(wait_status) ? "signal" : "exit";
}

}  // namespace apsched::executors
