#pragma once
// A JobRun for executor tests: counts what the executor did with it and runs a body.
#include <apsched/sdk/executor.h>

#include <atomic>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "eventually.h"

namespace apsched::testing {

/** What happened to the runs of one test (shared by all its FakeRuns). */
struct RunProbe {
  std::atomic<int> begun{0};
  std::atomic<int> invoked{0};
  std::atomic<int> ended{0};
  std::atomic<int> destroyed{0};
  std::atomic<int> running{0};
  std::atomic<int> peak_running{0};
  std::atomic<int> saw_stop{0};
  std::atomic<int> ended_while_invoked{0};  // end() called while invoke() still ran (a timeout)

  std::vector<sdk::JobOutcome> outcomes;  // guarded by mutex, in the order end() got them

  std::mutex mutex;
  std::vector<std::string> order;  // job ids in the order their invoke started
  std::vector<std::thread::id> threads;
};

/** A one-shot gate: wait() blocks until open(). */
class Gate {
 public:
  void open() {
    {
      std::lock_guard lock(mutex_);
      open_ = true;
    }
    cv_.notify_all();
  }
  void wait() {
    std::unique_lock lock(mutex_);
    cv_.wait(lock, [&] { return open_; });
  }

 private:
  std::mutex mutex_;
  std::condition_variable cv_;
  bool open_ = false;
};

class FakeRun final : public sdk::JobRun {
 public:
  using Body = std::function<void(const sdk::StopToken&)>;

  FakeRun(std::string id, RunProbe& probe, Body body = {}, std::vector<sdk::Timestamp> times = {1},
          bool on_time = true)
      : id_(std::move(id)), probe_(probe), body_(std::move(body)), times_(std::move(times)), on_time_(on_time) {}
  ~FakeRun() override { ++probe_.destroyed; }

  const std::string& job_id() const noexcept override { return id_; }
  const std::string& func() const noexcept override { return func_; }
  const sdk::Value& args() const noexcept override { return args_; }
  const sdk::Value& kwargs() const noexcept override { return kwargs_; }
  std::span<const sdk::Timestamp> run_times() const noexcept override { return times_; }
  double timeout_seconds() const noexcept override { return timeout_seconds_; }
  void set_timeout(double seconds) { timeout_seconds_ = seconds; }
  const std::string& library_file() const noexcept override { return library_file_; }
  void set_library_file(std::string file) { library_file_ = std::move(file); }
  /** Called at the end of every end(), as a listener of the reported event would be. */
  void set_on_end(std::function<void(const sdk::JobOutcome&)> on_end) { on_end_ = std::move(on_end); }
  /** What an executor that calls the function itself (a process pool) calls. */
  void set_call(std::string func, sdk::Value args = sdk::Value::List{}, sdk::Value kwargs = sdk::Value::Map{}) {
    func_ = std::move(func);
    args_ = std::move(args);
    kwargs_ = std::move(kwargs);
  }

  bool begin(sdk::Timestamp) noexcept override {
    ++probe_.begun;
    return on_time_;
  }
  sdk::JobOutcome invoke(sdk::Timestamp, const sdk::StopToken& stop) noexcept override {
    ++probe_.invoked;
    {
      std::lock_guard lock(probe_.mutex);
      probe_.order.push_back(id_);
      probe_.threads.push_back(std::this_thread::get_id());
    }
    invoking_.store(true);
    int now_running = ++probe_.running;
    int peak = probe_.peak_running.load();
    while (now_running > peak && !probe_.peak_running.compare_exchange_weak(peak, now_running)) {
    }
    if (body_) body_(stop);
    if (stop.stop_requested()) ++probe_.saw_stop;
    --probe_.running;
    invoking_.store(false);
    return {};
  }
  void end(sdk::Timestamp, const sdk::JobOutcome& outcome) noexcept override {
    if (invoking_.load()) ++probe_.ended_while_invoked;
    {
      std::lock_guard lock(probe_.mutex);
      probe_.outcomes.push_back(outcome);
    }
    ++probe_.ended;
    if (on_end_) on_end_(outcome);
  }

 private:
  std::string id_;
  std::string func_ = "test:fake";
  sdk::Value args_ = sdk::Value::List{};
  sdk::Value kwargs_ = sdk::Value::Map{};
  RunProbe& probe_;
  Body body_;
  std::vector<sdk::Timestamp> times_;
  bool on_time_;
  double timeout_seconds_ = 0;
  std::string library_file_;
  std::function<void(const sdk::JobOutcome&)> on_end_;
  std::atomic<bool> invoking_{false};
};

}  // namespace apsched::testing
