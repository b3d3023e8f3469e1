// The example job library used by the default config, the tests and the benchmarks.
// Written against the SDK only: referred to as "example_jobs:tick" and so on.
#include <apsched/sdk/job.h>
#include <apsched/sdk/status.h>

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <csignal>
#include <cstdlib>
#include <stdexcept>
#include <string>
#include <system_error>
#include <thread>

namespace {

using apsched::sdk::JobContext;
using apsched::sdk::LogLevel;
using apsched::sdk::Value;

/** Positional argument `index`, else keyword argument `name`; nullptr when neither is given. */
const Value* param(const JobContext& ctx, std::size_t index, std::string_view name) {
  const Value& args = ctx.args();
  if (args.is_list() && index < args.as_list().size()) return &args.as_list()[index];
  return ctx.kwarg(name);
}

const std::string& string_param(const JobContext& ctx, const char* job, std::size_t index, std::string_view name) {
  const Value* v = param(ctx, index, name);
  if (!v)
    throw std::invalid_argument(std::string(job) + " needs argument " + std::to_string(index + 1) + " ('" +
                                std::string(name) + "'), a string");
  if (!v->is_string())
    throw std::invalid_argument(std::string(job) + ": argument '" + std::string(name) + "' must be a string, got " +
                                Value::type_name(v->type()));
  return v->as_string();
}

}  // namespace

/** tick(...): logs its arguments, e.g. `tick job=every3s args=["interval job"] kwargs={}`. */
APSCHED_JOB(tick, ctx) {
  ctx.log(LogLevel::info, "tick job=" + ctx.job_id() + " args=" + ctx.args().to_json() +
                              " kwargs=" + ctx.kwargs().to_json());
  return {};
}

/** append_line(path, text): appends text and a newline to the file, creating it. */
APSCHED_JOB(append_line, ctx) {
  const std::string& path = string_param(ctx, "append_line", 0, "path");
  std::string line = string_param(ctx, "append_line", 1, "text") + "\n";
  int fd = ::open(path.c_str(), O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
  if (fd < 0)
    throw std::runtime_error("append_line: cannot open '" + path + "': " +
                             std::generic_category().message(errno));
  // One write() with O_APPEND: concurrent appenders never interleave within a line.
  std::size_t done = 0;
  while (done < line.size()) {
    ssize_t n = ::write(fd, line.data() + done, line.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      std::string reason = std::generic_category().message(errno);
      ::close(fd);
      throw std::runtime_error("append_line: cannot write to '" + path + "': " + reason);
    }
    done += static_cast<std::size_t>(n);
  }
  if (::close(fd) != 0)
    throw std::runtime_error("append_line: cannot write to '" + path + "': " +
                             std::generic_category().message(errno));
  return {};
}

/** noop(): does nothing (for benchmarks). */
APSCHED_JOB(noop, ctx) {
  (void)ctx;
  return {};
}

/** sleep(seconds): sleeps, returning early once the job is asked to stop. */
APSCHED_JOB(sleep, ctx) {
  const Value* v = param(ctx, 0, "seconds");
  if (!v || !v->is_number())
    throw std::invalid_argument(std::string("sleep needs argument 1 ('seconds'), a number") +
                                (v ? std::string(", got ") + Value::type_name(v->type()) : std::string()));
  double seconds = v->as_number();
  if (!(seconds >= 0)) throw std::invalid_argument("sleep: 'seconds' must be >= 0, got " + v->to_json());
  using Clock = std::chrono::steady_clock;
  const auto deadline = Clock::now() + std::chrono::duration_cast<Clock::duration>(
                                           std::chrono::duration<double>(std::min(seconds, 1e9)));
  constexpr auto kSlice = std::chrono::milliseconds(10);
  while (!ctx.stop_requested()) {
    auto now = Clock::now();
    if (now >= deadline) break;
    std::this_thread::sleep_for(std::min<Clock::duration>(kSlice, deadline - now));
  }
  return {};
}

/** fail(message): throws std::runtime_error(message). */
APSCHED_JOB(fail, ctx) {
  const Value* v = param(ctx, 0, "message");
  std::string message = !v ? "example_jobs:fail called" : v->is_string() ? v->as_string() : v->to_json();
  throw std::runtime_error(message);
}

/** crash(): dies of SIGSEGV (only a process-pool executor survives it). */
APSCHED_JOB(crash, ctx) {
  (void)ctx;
  std::signal(SIGSEGV, SIG_DFL);  // no handler may turn this into something else
  std::raise(SIGSEGV);
  std::abort();  // not reached
}

APSCHED_JOB_LIBRARY()
