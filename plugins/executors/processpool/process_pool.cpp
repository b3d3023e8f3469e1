#include "process_pool.h"

#include <apsched/sdk/config.h>
#include <apsched/sdk/job_worker.h>
#include <apsched/sdk/status.h>
#include <poll.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <algorithm>
#include <csignal>
#include <cstdint>
#include <sstream>

#include "executors/common/max_workers.h"
#include "executors/common/run_watchdog.h"
#include "exit_status.h"

namespace apsched::executors {
namespace {

std::string seconds_text(double seconds) {
  std::ostringstream text;
  text << seconds;
  return text.str();
}

}  // namespace

ProcessPoolExecutor::Options ProcessPoolExecutor::read_options(const sdk::Value& config) {
  sdk::ConfigReader reader(config, "processpool executor");
  reader.ignore("type");
  Options o;
  o.max_workers = read_max_workers(reader);
  o.kill_grace_seconds = reader.seconds("kill_grace").value_or(2);
  reader.finish();
  return o;
}

ProcessPoolExecutor::ProcessPoolExecutor(sdk::Host& host, const sdk::Value& config)
    : host_(host), options_(read_options(config)) {}

ProcessPoolExecutor::~ProcessPoolExecutor() {
  shutdown(true);
  if (supervisor_.joinable()) {
    // shutdown() came from a listener in the supervisor thread: it ends on its own.
    if (supervisor_.get_id() == std::this_thread::get_id())
      supervisor_.detach();  // destroyed from its own thread: not supported, nothing better to do
    else
      supervisor_.join();
  }
  if (wake_fd_ >= 0) ::close(wake_fd_);
}

sdk::Status ProcessPoolExecutor::start() noexcept {
  std::lock_guard lock(mutex_);
  if (state_ == State::running) return sdk::Status::success();
  if (state_ != State::created)
    return {sdk::Code::unavailable, "processpool executor was shut down and cannot be started again", {}};
  wake_fd_ = ::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
  if (wake_fd_ < 0) return {sdk::Code::unavailable, "processpool executor could not create its wake-up eventfd", {}};
  try {
    supervisor_ = std::thread([this] { supervise(); });
  } catch (const std::exception& e) {
    state_ = State::stopped;
    return {sdk::Code::unavailable, std::string("processpool executor could not start its thread: ") + e.what(), {}};
  }
  state_ = State::running;
  return sdk::Status::success();
}

sdk::Status ProcessPoolExecutor::submit(std::unique_ptr<sdk::JobRun> run) noexcept {
  {
    std::lock_guard lock(mutex_);
    if (state_ != State::running)
      return {sdk::Code::unavailable,
              state_ == State::created ? "processpool executor is not started" : "processpool executor is shut down",
              {}};
    try {
      queue_.push_back(std::move(run));
    } catch (const std::exception& e) {
      return {sdk::Code::internal, std::string("processpool executor could not queue the run: ") + e.what(), {}};
    }
  }
  wake();
  return sdk::Status::success();
}

void ProcessPoolExecutor::wake() noexcept {
  std::uint64_t one = 1;
  if (wake_fd_ < 0) return;
  [[maybe_unused]] ssize_t n = ::write(wake_fd_, &one, sizeof one);  // full only if already signalled
}

void ProcessPoolExecutor::shutdown(bool wait) noexcept {
  std::deque<std::unique_ptr<sdk::JobRun>> dropped;
  auto request = [&] {
    std::lock_guard lock(mutex_);
    if (state_ == State::created) state_ = State::stopped;
    if (state_ == State::stopped) return false;
    if (!wait) {
      state_ = State::aborting;
      dropped.swap(queue_);
    } else if (state_ == State::running) {
      state_ = State::draining;
    }
    return true;
  };
  auto report_dropped = [&] {
    if (dropped.empty()) return;
    std::size_t count = dropped.size();
    dropped.clear();  // destroyed without running, outside the lock
    log(sdk::LogLevel::info,
        "processpool executor shut down without waiting: dropped " + std::to_string(count) + " queued run(s)");
  };
  bool own_thread;
  {
    std::lock_guard lock(mutex_);
    own_thread = supervisor_.get_id() == std::this_thread::get_id();
  }
  if (own_thread) {
    // From a listener in the supervisor thread: it cannot wait for itself.
    if (request()) wake();
    report_dropped();
    return;
  }
  std::lock_guard serial(shutdown_mutex_);
  if (!request()) return;
  wake();
  report_dropped();
  if (supervisor_.joinable()) supervisor_.join();
  std::lock_guard lock(mutex_);
  state_ = State::stopped;
}

ProcessPoolExecutor::State ProcessPoolExecutor::current_state() {
  std::lock_guard lock(mutex_);
  return state_;
}

bool ProcessPoolExecutor::queue_empty() {
  std::lock_guard lock(mutex_);
  return queue_.empty();
}

std::size_t ProcessPoolExecutor::live_workers() const {
  return static_cast<std::size_t>(
      std::count_if(workers_.begin(), workers_.end(), [](const auto& w) { return !w->stopping && !w->exited; }));
}

void ProcessPoolExecutor::supervise() noexcept {
  bool aborted = false;
  while (true) {
    State state = current_state();
    if (state == State::aborting && !aborted) {
      aborted = true;
      resumed_.clear();  // run times not started are dropped, like queued runs
      for (auto& w : workers_) stop_worker(*w);
    }
    if (state == State::running)
      while (live_workers() < options_.max_workers && !start_failed_ && spawn()) {
      }
    dispatch(state);
    bool busy = std::any_of(workers_.begin(), workers_.end(), [](const auto& w) { return w->job.has_value(); });
    if (state != State::running && !busy && resumed_.empty() && queue_empty()) {
      if (!closing_) {
        closing_ = true;
        auto kill_at = Clock::now() + limit_duration(options_.kill_grace_seconds);
        for (auto& w : workers_) {
          w->process->close_requests();  // an idle worker exits on EOF
          w->kill_at = std::min(w->kill_at, kill_at);
        }
      }
      if (workers_.empty()) return;
    }
    wait_for_events();
    for (auto& w : workers_)
      if (w->process->sending()) w->process->send_pending();
    for (std::size_t i = 0; i < workers_.size(); ++i) read_worker(*workers_[i]);
    for (std::size_t i = 0; i < workers_.size(); ++i)
      if (std::optional<int> status = workers_[i]->process->reap()) handle_exit(*workers_[i], *status, state);
    std::erase_if(workers_, [](const auto& w) { return w->exited; });
    check_deadlines();
  }
}

ProcessPoolExecutor::Worker* ProcessPoolExecutor::spawn() {
  std::vector<std::string> argv;
  std::string error;
  sdk::Status status = host_.job_worker_command(argv);
  if (status.ok()) {
    try {
      auto w = std::make_unique<Worker>();
      w->process = std::make_unique<WorkerProcess>(argv);
      workers_.push_back(std::move(w));
      return workers_.back().get();
    } catch (const std::exception& e) {
      error = e.what();
    }
  } else {
    error = status.message;
  }
  if (!start_failed_ || error != start_error_)
    log(sdk::LogLevel::error, "processpool executor cannot start a job worker: " + error);
  start_failed_ = true;
  start_error_ = error;
  return nullptr;
}

ProcessPoolExecutor::Worker* ProcessPoolExecutor::free_worker() {
  Worker* starting = nullptr;
  for (auto& w : workers_) {
    if (w->job || w->stopping || w->exited) continue;
    if (w->ready) return w.get();
    if (!starting) starting = w.get();
  }
  return starting;  // a request waits in its stream until it is up
}

std::optional<ProcessPoolExecutor::Assignment> ProcessPoolExecutor::next_assignment() {
  if (!resumed_.empty()) {
    Assignment a = std::move(resumed_.front());
    resumed_.pop_front();
    return a;
  }
  std::lock_guard lock(mutex_);
  if (queue_.empty()) return std::nullopt;
  Assignment a;
  a.run = std::move(queue_.front());
  queue_.pop_front();
  return a;
}

void ProcessPoolExecutor::dispatch(State state) {
  if (state == State::aborting || closing_) return;
  while (std::optional<Assignment> a = next_assignment()) {
    Worker* w = free_worker();
    if (!w && live_workers() < options_.max_workers) w = spawn();
    if (!w) {
      if (live_workers() == 0 && start_failed_) {
        fail_remaining(*a, "WorkerError", "no job worker could be started: " + start_error_);
        continue;  // destroyed: its instance is released
      }
      resumed_.push_front(std::move(*a));  // waits for a worker to be free
      return;
    }
    if (start_next(*w, *a)) w->job = std::move(a);
  }
}

bool ProcessPoolExecutor::start_next(Worker& w, Assignment& a) {
  const auto times = a.run->run_times();
  while (a.next < times.size()) {
    sdk::Timestamp t = times[a.next++];
    if (!a.run->begin(t)) continue;  // missed (reported by the kernel)
    std::string line;
    try {
      line = sdk::worker::encode_request(
          {a.run->job_id(), a.run->func(), a.run->args(), a.run->kwargs(), t, a.run->library_file()});
    } catch (const sdk::Error& e) {
      a.run->end(t, sdk::JobOutcome::failure("apsched::sdk::Error", e.what()));
      continue;
    }
    double limit = a.run->timeout_seconds();
    a.current = t;
    a.in_flight = true;
    a.timed_out = false;  // a timeout of an earlier run time of this run is over
    a.deadline = limit > 0 ? Clock::now() + limit_duration(limit) : Clock::time_point::max();
    w.process->send(line);  // a worker that is gone is handled when it is reaped
    return true;
  }
  a.in_flight = false;
  return false;
}

void ProcessPoolExecutor::fail_remaining(Assignment& a, const std::string& type, const std::string& message) {
  const auto times = a.run->run_times();
  while (a.next < times.size()) {
    sdk::Timestamp t = times[a.next++];
    if (a.run->begin(t)) a.run->end(t, sdk::JobOutcome::failure(type, message));
  }
}

void ProcessPoolExecutor::wait_for_events() {
  std::vector<pollfd> fds{{wake_fd_, POLLIN, 0}};
  for (const auto& w : workers_) {
    fds.push_back({w->process->pidfd(), POLLIN, 0});
    if (w->process->sending()) fds.push_back({w->process->request_fd(), POLLOUT, 0});
    for (const LineReader* r : {&w->process->replies, &w->process->out, &w->process->err})
      if (!r->at_eof()) fds.push_back({r->fd(), POLLIN, 0});
  }
  auto next = Clock::time_point::max();
  for (const auto& w : workers_) {
    if (w->job && w->job->in_flight && !w->job->timed_out) next = std::min(next, w->job->deadline);
    if (!w->killed) next = std::min(next, w->kill_at);
  }
  int timeout_ms = -1;
  if (next != Clock::time_point::max()) {
    auto wait = std::chrono::ceil<std::chrono::milliseconds>(next - Clock::now()).count();
    timeout_ms = static_cast<int>(std::clamp<decltype(wait)>(wait, 0, 60'000));
  }
  ::poll(fds.data(), fds.size(), timeout_ms);
  std::uint64_t count;
  [[maybe_unused]] auto n = ::read(wake_fd_, &count, sizeof count);
}

std::string ProcessPoolExecutor::tag(const Worker& w) const {
  return w.job ? "[job " + w.job->run->job_id() + "]" : "[job worker " + std::to_string(w.process->pid()) + "]";
}

void ProcessPoolExecutor::log(sdk::LogLevel level, const std::string& message) {
  if (host_.log_enabled(level)) host_.log(level, message);
}

void ProcessPoolExecutor::log_output(Worker& w, const std::string& line, bool is_stderr) {
  if (is_stderr) w.last_stderr = line;
  log(is_stderr ? sdk::LogLevel::warning : sdk::LogLevel::info, tag(w) + " " + line);
}

void ProcessPoolExecutor::read_output(Worker& w) {
  std::vector<std::string> lines;
  w.process->out.drain(lines);
  for (const auto& line : lines) log_output(w, line, false);
  lines.clear();
  w.process->err.drain(lines);
  for (const auto& line : lines) log_output(w, line, true);
}

void ProcessPoolExecutor::read_worker(Worker& w) {
  read_output(w);
  std::vector<std::string> lines;
  w.process->replies.drain(lines);
  for (const auto& line : lines) handle_reply(w, line);
}

void ProcessPoolExecutor::flush_output(Worker& w) {
  // The worker wrote the job's output before its outcome, maybe after read_worker read
  // the output pipes: read them again, so that all of it is logged before the outcome.
  read_output(w);
  if (auto rest = w.process->out.take_rest()) log_output(w, *rest, false);
  if (auto rest = w.process->err.take_rest()) log_output(w, *rest, true);
}

void ProcessPoolExecutor::handle_reply(Worker& w, const std::string& line) {
  sdk::worker::Reply reply;
  try {
    reply = sdk::worker::decode_reply(line);
  } catch (const sdk::Error& e) {
    log(sdk::LogLevel::error, tag(w) + " the job worker (pid " + std::to_string(w.process->pid()) +
                                  ") sent a malformed message (" + e.what() + "); stopping it");
    stop_worker(w);
    return;
  }
  switch (reply.kind) {
    case sdk::worker::Reply::Kind::ready:
      w.ready = true;
      start_failed_ = false;
      return;
    case sdk::worker::Reply::Kind::log:
      log(reply.level, tag(w) + " " + reply.message);
      return;
    case sdk::worker::Reply::Kind::outcome:
      break;
  }
  if (!w.job || !w.job->in_flight) {
    log(sdk::LogLevel::warning, tag(w) + " sent an outcome without a job to report it for; ignored");
    return;
  }
  flush_output(w);
  Assignment& a = *w.job;
  a.in_flight = false;
  a.run->end(a.current, reply.outcome);  // after a reported timeout, the kernel only logs it
  if (w.stopping || w.exited) return;    // the rest of the run moves on when this worker is reaped
  if (!start_next(w, a)) w.job.reset();  // the run is over: destroying it releases its instance
}

void ProcessPoolExecutor::handle_exit(Worker& w, int status, State state) {
  w.exited = true;  // before reading its last replies: nothing more is sent to it
  read_worker(w);
  flush_output(w);
  std::string who = "the job worker (pid " + std::to_string(w.process->pid()) + ")";
  std::string how = describe_exit(status);
  if (!w.ready && !w.stopping) {
    std::string why = who + " could not start: it " + how +
                      (w.last_stderr.empty() ? std::string() : " (it said: " + w.last_stderr + ")");
    if (!start_failed_ || why != start_error_) log(sdk::LogLevel::error, "processpool executor: " + why);
    start_failed_ = true;
    start_error_ = why;
    if (w.job) {
      if (w.job->in_flight) w.job->run->end(w.job->current, sdk::JobOutcome::failure(exit_kind(status), why));
      fail_remaining(*w.job, exit_kind(status), why);
      w.job.reset();
    }
    return;
  }
  if (!w.job) {
    if (!w.stopping && !closing_)
      log(sdk::LogLevel::warning, who + " " + how + " while idle; a new worker replaces it");
    return;
  }
  Assignment a = std::move(*w.job);
  w.job.reset();
  if (a.in_flight && !a.timed_out)
    a.run->end(a.current, sdk::JobOutcome::failure(exit_kind(status),
                                                   who + " running " + a.run->func() + " " + how +
                                                       (w.stopping ? " after it was stopped" : "") +
                                                       (state == State::running ? "; a new worker replaces it" : "")));
  if (state != State::aborting && a.next < a.run->run_times().size()) resumed_.push_front(std::move(a));
  // else `a` is destroyed here: the run is over and its instance released
}

void ProcessPoolExecutor::stop_worker(Worker& w) {
  if (w.stopping || w.exited) return;
  w.stopping = true;
  w.process->signal(SIGTERM);
  w.kill_at = std::min(w.kill_at, Clock::now() + limit_duration(options_.kill_grace_seconds));
}

void ProcessPoolExecutor::check_deadlines() {
  auto now = Clock::now();
  for (auto& w : workers_) {
    if (w->job && w->job->in_flight && !w->job->timed_out && now >= w->job->deadline) {
      Assignment& a = *w->job;
      a.timed_out = true;
      a.run->end(a.current, timeout_outcome(a.run->timeout_seconds(),
                                            "its job worker (pid " + std::to_string(w->process->pid()) +
                                                ") was stopped (SIGTERM, then SIGKILL after " +
                                                seconds_text(options_.kill_grace_seconds) + " s) and is replaced"));
      stop_worker(*w);
    }
    if (!w->killed && now >= w->kill_at) {
      w->process->signal(SIGKILL);
      w->killed = true;
    }
  }
}

}  // namespace apsched::executors
