#include "threadpool.h"

#include <apsched/sdk/config.h>
#include <apsched/sdk/status.h>

#include <algorithm>
#include <chrono>
#include <string>

#include "executors/common/max_workers.h"

namespace apsched::executors {

ThreadPoolExecutor::ThreadPoolExecutor(sdk::Host& host, const sdk::Value& config)
    : host_(host), max_workers_([&] {
        sdk::ConfigReader reader(config, "threadpool executor");
        reader.ignore("type");
        const std::size_t workers = read_max_workers(reader);
        reader.finish();
        return workers;
      }()),
      policy_(max_workers_, StartPolicy::parallel_for_cpus(std::thread::hardware_concurrency()), kSettle,
              kLongestWait) {}

sdk::Status ThreadPoolExecutor::start() noexcept {
  std::unique_lock lock(mutex_);
  if (state_ == State::running) return sdk::Status::success();
  if (state_ != State::created)
    return {sdk::Code::unavailable, "threadpool executor was shut down and cannot be started again", {}};
  try {
    workers_.reserve(max_workers_);
    for (std::size_t slot = 0; slot < max_workers_; ++slot) workers_.emplace_back([this, slot] { work(slot); });
  } catch (const std::exception& e) {
    // Could not start them all: stop and join the ones that did start.
    std::string started = std::to_string(workers_.size());
    state_ = State::stopped;
    std::vector<std::thread> threads = std::move(workers_);
    workers_.clear();
    Notice notice;
    wake(unreached_, StartPolicy::Wake::everyone, notice);
    lock.unlock();
    notify(notice);
    for (auto& t : threads) t.join();
    return {sdk::Code::unavailable,
            "threadpool executor could not start " + std::to_string(max_workers_) + " worker threads (started " +
                started + "): " + e.what() + "; lower max_workers",
            "max_workers"};
  }
  state_ = State::running;
  return sdk::Status::success();
}

sdk::Status ThreadPoolExecutor::submit(std::unique_ptr<sdk::JobRun> run) noexcept {
  sdk::Status status;
  enqueue({&run, 1}, {&status, 1});
  // On error `run` (not moved) is destroyed here, outside the lock.
  return status;
}

void ThreadPoolExecutor::submit_all(std::vector<std::unique_ptr<sdk::JobRun>> runs,
                                    std::vector<sdk::Status>& statuses) noexcept {
  statuses.clear();
  statuses.resize(runs.size());  // each a success until enqueue says otherwise (cheaper than copying one)
  enqueue(runs, statuses);
  // The runs not queued are destroyed with `runs`, outside the lock.
}

void ThreadPoolExecutor::enqueue(std::span<std::unique_ptr<sdk::JobRun>> runs,
                                 std::span<sdk::Status> statuses) noexcept {
  Notice notice;
  {
    std::lock_guard lock(mutex_);
    const std::size_t waiting = queue_.size();
    const StartPolicy::Clock::time_point now = StartPolicy::Clock::now();
    std::size_t queued = 0;
    for (std::size_t i = 0; i < runs.size(); ++i) {
      if (state_ != State::running) {
        statuses[i] = {sdk::Code::unavailable,
                       state_ == State::created ? "threadpool executor is not started"
                                                : "threadpool executor is shut down",
                       {}};
        continue;
      }
      try {
        queue_.push_back({std::move(runs[i]), now});
        ++queued;
      } catch (const std::exception& e) {
        statuses[i] = {sdk::Code::internal, std::string("threadpool executor could not queue the run: ") + e.what(),
                       {}};
      }
    }
    if (queued > 0) {
      const StartPolicy::Wakes wakes = policy_.submitted(now, queued, waiting, unreached_);
      wake(wakes.takers, StartPolicy::Wake::take, notice);
      if (wakes.watcher) wake(1, StartPolicy::Wake::watch, notice);
    }
  }
  notify(notice);
}

void ThreadPoolExecutor::wake(std::size_t count, StartPolicy::Wake why, Notice& notice) {
  count = std::min(count, unreached_);
  unreached_ -= count;
  pending_[static_cast<std::size_t>(why)] += count;
  notice.count += count;
  notice.all = notice.all || unreached_ == 0;  // every waiting worker has a wake-up: one call wakes them
}

StartPolicy::Wake ThreadPoolExecutor::claim() {
  for (StartPolicy::Wake why : {StartPolicy::Wake::take, StartPolicy::Wake::watch, StartPolicy::Wake::everyone}) {
    std::size_t& pending = pending_[static_cast<std::size_t>(why)];
    if (pending > 0) {
      --pending;
      return why;
    }
  }
  return StartPolicy::Wake::none;
}

void ThreadPoolExecutor::notify(const Notice& notice) noexcept {
  if (notice.count == 0) return;
  if (notice.all) {
    work_ready_.notify_all();
  } else {
    for (std::size_t i = 0; i < notice.count; ++i) work_ready_.notify_one();
  }
}

void ThreadPoolExecutor::work(std::size_t slot) noexcept {
  StartPolicy::Wake why = StartPolicy::Wake::none;
  auto claimed = [this, &why] {
    why = claim();
    return why != StartPolicy::Wake::none;
  };
  std::unique_lock lock(mutex_);
  while (true) {
    const StartPolicy::Clock::time_point now = StartPolicy::Clock::now();
    if (!queue_.empty() && policy_.may_take(slot, now)) {
      std::unique_ptr<sdk::JobRun> run = std::move(queue_.front().run);
      queue_.pop_front();
      Notice notice;
      if (policy_.took(slot, now, queue_.size(), unreached_)) wake(1, StartPolicy::Wake::watch, notice);
      lock.unlock();
      notify(notice);
      watchdog_.run(*run, abort_);
      run.reset();
      lock.lock();
      continue;
    }
    if (queue_.empty() && (state_ == State::stopping || state_ == State::stopped)) return;
    const bool watching = policy_.going_idle(slot, queue_.size());
    ++unreached_;
    if (watching) {
      const auto deadline = policy_.watch_deadline(*oldest_queued());  // a watcher has runs queued
      if (!work_ready_.wait_until(lock, deadline, claimed)) --unreached_;  // its deadline, no wake-up
    } else {
      work_ready_.wait(lock, claimed);
    }
    policy_.woke(slot, why);
    if (watching && policy_.watched(StartPolicy::Clock::now(), oldest_queued())) {
      Notice notice;
      wake(unreached_, StartPolicy::Wake::everyone, notice);
      lock.unlock();
      notify(notice);
      lock.lock();
    }
  }
}

std::optional<StartPolicy::Clock::time_point> ThreadPoolExecutor::oldest_queued() const {
  if (queue_.empty()) return std::nullopt;
  return queue_.front().queued_at;
}

void ThreadPoolExecutor::shutdown(bool wait) noexcept {
  std::lock_guard serial(shutdown_mutex_);
  std::deque<Queued> dropped;
  Notice notice;
  {
    std::lock_guard lock(mutex_);
    if (state_ == State::stopped) return;
    if (!wait) {
      abort_.store(true, std::memory_order_release);
      dropped.swap(queue_);
    }
    state_ = State::stopping;
    policy_.drain();
    wake(unreached_, StartPolicy::Wake::everyone, notice);
  }
  notify(notice);
  if (!dropped.empty()) {
    std::size_t count = dropped.size();
    dropped.clear();  // destroyed without running, outside the lock
    if (host_.log_enabled(sdk::LogLevel::info))
      host_.log(sdk::LogLevel::info,
                "threadpool executor shut down without waiting: dropped " + std::to_string(count) + " queued run(s)");
  }
  // Called while a timeout is reported: the timed-out run's worker waits for that report,
  // so joining would deadlock. The stop is requested; the destructor (or a later
  // shutdown from another thread) joins.
  if (watchdog_.on_watchdog_thread()) return;
  join_workers();
  std::lock_guard lock(mutex_);
  state_ = State::stopped;
}

void ThreadPoolExecutor::join_workers() noexcept {
  std::vector<std::thread> threads;
  {
    std::lock_guard lock(mutex_);
    threads.swap(workers_);
  }
  const auto self = std::this_thread::get_id();
  std::vector<std::thread> keep;
  for (auto& t : threads) {
    if (t.get_id() == self)
      keep.push_back(std::move(t));  // called from one of our own jobs: cannot join itself
    else
      t.join();
  }
  if (!keep.empty()) {
    std::lock_guard lock(mutex_);
    for (auto& t : keep) workers_.push_back(std::move(t));
  }
}

ThreadPoolExecutor::~ThreadPoolExecutor() {
  shutdown(true);
  // A worker that called shutdown() from its own job is joined here, once that job has
  // returned. Destroying the pool from that very job is not supported: all we can do
  // is detach the thread.
  for (auto& t : workers_) {
    if (t.get_id() == std::this_thread::get_id())
      t.detach();
    else
      t.join();
  }
}

}  // namespace apsched::executors
