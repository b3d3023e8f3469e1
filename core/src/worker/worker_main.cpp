// apsched-worker: the job-worker program of the process-pool executor. It loads the job
// library version each request names (else from the job path) and runs one job at a
// time, speaking the protocol of apsched/sdk/job_worker.h over fds 3 and 4.
#include <sys/prctl.h>
#include <unistd.h>

#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <string>
#include <vector>

#include "apsched/sdk/job_worker.h"
#include "apsched/sdk/status.h"
#include "worker/worker_channel.h"
#include "worker/worker_libraries.h"

namespace {

using namespace apsched;
namespace worker = apsched::sdk::worker;

volatile std::sig_atomic_t g_stop = 0;  // SIGTERM came: the job should stop, the worker exit
volatile std::sig_atomic_t g_busy = 0;  // a job is running

extern "C" void on_sigterm(int) {
  g_stop = 1;
  if (!g_busy) std::_Exit(0);
}

class WorkerContext final : public sdk::JobContext {
 public:
  WorkerContext(const worker::Request& request, core::detail::ReplyChannel& replies)
      : request_(request), replies_(replies) {}
  const std::string& job_id() const noexcept override { return request_.job_id; }
  const sdk::Value& args() const noexcept override { return request_.args; }
  const sdk::Value& kwargs() const noexcept override { return request_.kwargs; }
  sdk::Timestamp scheduled_run_time() const noexcept override { return request_.run_time; }
  bool stop_requested() const noexcept override { return g_stop != 0; }
  void log(sdk::LogLevel level, std::string_view message) noexcept override {
    replies_.send(worker::encode_log(level, message));
  }

 private:
  const worker::Request& request_;
  core::detail::ReplyChannel& replies_;
};

sdk::JobOutcome run(const worker::Request& request, core::detail::WorkerLibraries& libraries,
                    core::detail::ReplyChannel& replies) {
  core::detail::JobFunction function;
  try {
    function = libraries.resolve(request.func, request.library_file);
  } catch (const std::exception& e) {
    return sdk::JobOutcome::failure("LoadError", std::string("in the job worker: ") + e.what());
  }
  WorkerContext context(request, replies);
  sdk::JobOutcome outcome;
  function.invoke(context, outcome);
  return outcome;
}

int usage(const char* message) {
  std::fprintf(stderr,
               "apsched-worker: %s\nusage: apsched-worker --parent-pid PID [--job-path DIR]...\n"
               "(started by the processpool executor, not by hand)\n",
               message);
  return 2;
}

}  // namespace

int main(int argc, char** argv) {
  pid_t parent = 0;
  std::vector<std::filesystem::path> job_path;
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    if (i + 1 >= argc) return usage(("missing value after " + arg).c_str());
    if (arg == "--parent-pid")
      parent = static_cast<pid_t>(std::atoi(argv[++i]));
    else if (arg == "--job-path")
      job_path.emplace_back(argv[++i]);
    else
      return usage(("unknown argument " + arg).c_str());
  }
  if (parent <= 0) return usage("--parent-pid is required");

  // Die with the host; if it is already gone, we were started too late to notice.
  ::prctl(PR_SET_PDEATHSIG, SIGKILL);
  if (::getppid() != parent) return 0;

  struct sigaction action {};
  action.sa_handler = on_sigterm;  // no SA_RESTART: a read in progress returns EINTR
  sigemptyset(&action.sa_mask);
  ::sigaction(SIGTERM, &action, nullptr);
  // Line-buffered, so that what a job prints reaches the host's log while it runs.
  std::setvbuf(stdout, nullptr, _IOLBF, 0);

  core::detail::WorkerLibraries libraries(job_path);
  core::detail::RequestChannel requests(worker::kRequestFd);
  core::detail::ReplyChannel replies(worker::kReplyFd);
  if (!replies.send(worker::encode_ready())) return 1;

  std::string line;
  while (!g_stop && requests.next_line(line, g_stop)) {
    g_busy = 1;
    sdk::JobOutcome outcome;
    try {
      outcome = run(worker::decode_request(line), libraries, replies);
    } catch (const sdk::Error& e) {
      outcome = sdk::JobOutcome::failure("apsched::sdk::Error",
                                         std::string("the job worker got a malformed request: ") + e.what());
    }
    std::fflush(nullptr);  // the job's output before its outcome (see the protocol)
    std::string reply;
    try {
      reply = worker::encode_outcome(outcome);
    } catch (const sdk::Error& e) {
      reply = worker::encode_outcome(sdk::JobOutcome::failure("apsched::sdk::Error", e.what()));
    }
    if (!replies.send(reply)) return 1;
    g_busy = 0;
  }
  return 0;
}
