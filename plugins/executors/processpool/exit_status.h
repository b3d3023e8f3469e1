#pragma once
#include <string>

namespace apsched::executors {

/** No real wait status: the process ended but was reaped elsewhere (SIGCHLD ignored). */
constexpr int kUnknownWaitStatus = -1;

/** A wait status in words: "was killed by signal 11 (SIGSEGV: Segmentation fault)",
 *  "exited with status 3". */
std::string describe_exit(int wait_status);
/** "signal" or "exit": the error type of a run whose worker died this way. */
std::string exit_kind(int wait_status);

}  // namespace apsched::executors
