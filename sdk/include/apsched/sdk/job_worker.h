#pragma once
/**
 * The job-worker protocol (SDK 1.1; Request::library_file since 2.1): how an executor
 * runs jobs in separate processes, as the processpool executor does. The kernel ships the
 * worker program; an executor gets its command line from Host::job_worker_command() and
 * starts it with:
 *  - fd 0 on /dev/null; fd 1 and fd 2 on pipes: what a job prints, to be logged with its
 *    job id;
 *  - fd 3 (kRequestFd): one end of a socketpair (AF_UNIX, SOCK_STREAM) that carries
 *    requests to the worker (read it like a pipe). A socket rather than a pipe so that
 *    the executor can write with send(MSG_NOSIGNAL): a worker that has died gives EPIPE,
 *    not a SIGPIPE that would kill the host;
 *  - fd 4 (kReplyFd): the write end of a pipe that carries replies back;
 *  - every signal unblocked and at its default action.
 *
 * Messages are single lines, each one JSON document (Value::to_json). The worker sends
 * a ready line once it is up, then runs one request at a time: for each it sends any
 * number of log lines (JobContext::log), then one outcome line. Before the outcome it
 * flushes the job's stdout and stderr, so that output read before the outcome belongs to
 * that job.
 *
 * The worker exits on EOF of fd 3. SIGTERM sets the running job's stop token
 * (JobContext::stop_requested); the worker exits once the job returns (at once when
 * idle). It also dies with the process that started it (PR_SET_PDEATHSIG, which Linux
 * ties to the starting *thread*: start workers from a thread that outlives them).
 *
 * THREADING: the functions below are pure; call them from any thread.
 */
#include <cstdint>
#include <string>
#include <string_view>

#include "apsched/sdk/executor.h"
#include "apsched/sdk/log.h"
#include "apsched/sdk/time.h"
#include "apsched/sdk/value.h"

namespace apsched::sdk::worker {

inline constexpr int kRequestFd = 3;
inline constexpr int kReplyFd = 4;

/** One run of a job function in the worker. */
struct Request {
  std::string job_id;
  std::string func;  ///< "library:function"
  Value args = Value::List{};
  Value kwargs = Value::Map{};
  Timestamp run_time = 0;  ///< the scheduled run time (JobContext::scheduled_run_time)
  /// SDK 2.1: the file to load the library from, JobRun::library_file(), so that the
  /// worker runs the version the host accepted. Empty (or absent):
  /// the first lib<library>.so on the job path, loaded on first use and kept.
  std::string library_file;
};

/** One line from the worker. */
struct Reply {
  enum class Kind { ready, log, outcome };
  Kind kind = Kind::ready;
  LogLevel level = LogLevel::info;  ///< log
  std::string message;              ///< log
  JobOutcome outcome;               ///< outcome
};

/**
 * The request as one line, '\n' included. Throws sdk::Error (field "args" or "kwargs")
 * when an argument cannot cross the process boundary (a non-finite float).
 */
std::string encode_request(const Request& request);
/** Throws sdk::Error on a malformed line. */
Request decode_request(std::string_view line);

std::string encode_ready();
std::string encode_log(LogLevel level, std::string_view message);
/** Throws sdk::Error when the return value cannot cross the process boundary. */
std::string encode_outcome(const JobOutcome& outcome);
/** Throws sdk::Error on a malformed line. */
Reply decode_reply(std::string_view line);

}  // namespace apsched::sdk::worker
