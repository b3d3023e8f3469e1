// `apsched run`: the host process, a blocking scheduler on a YAML config.
#include <pthread.h>
#include <signal.h>

#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <system_error>
#include <thread>

#include <boost/dll/runtime_symbol_info.hpp>
#include <spdlog/spdlog.h>

#include "apsched/core/errors.h"
#include "apsched/core/scheduler.h"
#include "cli.h"

namespace apsched::host {
namespace {
namespace fs = std::filesystem;

/** configs/default.yaml in the working directory, else the one of the source or install tree. */
fs::path default_config() {
  fs::path here = "configs/default.yaml";
  if (fs::exists(here)) return here;
  fs::path binary_dir = boost::dll::program_location().parent_path().string();
  for (fs::path candidate : {binary_dir / "../../configs/default.yaml", binary_dir / "../share/apsched/default.yaml"})
    if (fs::exists(candidate)) return candidate.lexically_normal();
  return here;
}

/**
 * SIGHUP re-reads the config (reload_config). SIGINT/SIGTERM: the first shuts down
 * gracefully (waiting for running jobs), a second one exits at once. The signals are blocked in every thread (the mask is set before any
 * thread starts) and taken by sigwait in one thread of ours. A signal that comes while
 * the scheduler is still starting is kept until it has started, so it is never lost.
 * The thread that shuts down is started with the signal thread, not when a signal comes:
 * a host at the process limit (ulimit -u) could not start it then.
 *
 * Locking rule: `mutex_` guards started_, requested_ and abandoned_. The two threads are
 * started and joined by the thread that owns the handler (the host's main thread).
 */
class SignalHandler {
 public:
  /** `reload` runs in the signal thread on SIGHUP. */
  SignalHandler(core::Scheduler& scheduler, std::function<void()> reload)
      : scheduler_(scheduler), reload_(std::move(reload)) {
    sigemptyset(&signals_);
    sigaddset(&signals_, SIGINT);
    sigaddset(&signals_, SIGTERM);
    sigaddset(&signals_, SIGHUP);
    sigaddset(&signals_, kQuitSignal);
    pthread_sigmask(SIG_BLOCK, &signals_, nullptr);
    scheduler_.add_listener(
        [this](const core::Event&) {
          std::lock_guard lock(mutex_);
          started_ = true;
          cv_.notify_all();
        },
        core::EVENT_SCHEDULER_STARTED);
  }

  ~SignalHandler() {
    {
      std::lock_guard lock(mutex_);
      abandoned_ = true;  // start() failed or the host is done: no shutdown to wait for
      cv_.notify_all();
    }
    if (listener_.joinable()) {
      pthread_kill(listener_.native_handle(), kQuitSignal);
      listener_.join();
    }
    if (shutdown_.joinable()) shutdown_.join();
  }

  /** Starts the signal and shutdown threads; throws std::system_error when it cannot. */
  void listen() {
    shutdown_ = std::thread([this] { shut_down(); });
    listener_ = std::thread([this] {
      for (int received = 0;;) {
        int signal = 0;
        if (sigwait(&signals_, &signal) != 0) continue;
        if (signal == kQuitSignal) return;
        if (signal == SIGHUP) {
          reload_();
          continue;
        }
        if (++received > 1) {
          spdlog::warn("Received {} again: exiting without waiting for running jobs", strsignal(signal));
          std::_Exit(128 + signal);
        }
        spdlog::info("Received {}: shutting down, waiting for running jobs (send it again to exit at once)",
                     strsignal(signal));
        std::lock_guard lock(mutex_);
        requested_ = true;
        cv_.notify_all();
      }
    });
  }

  /** After the loop has stopped: waits until the shutdown (running jobs) has finished. */
  void wait_for_shutdown() {
    {
      std::lock_guard lock(mutex_);
      abandoned_ = true;  // a shutdown already asked for still runs (it is past its wait)
      cv_.notify_all();
    }
    if (shutdown_.joinable()) shutdown_.join();
  }

 private:
  static constexpr int kQuitSignal = SIGUSR2;

  void shut_down() {
    {
      std::unique_lock lock(mutex_);
      cv_.wait(lock, [this] { return (started_ && requested_) || abandoned_; });
      if (!(started_ && requested_)) return;
    }
    try {
      scheduler_.shutdown(true);
    } catch (const core::SchedulerError& e) {
      spdlog::error("Shutdown failed: {}", e.what());
    }
  }

  core::Scheduler& scheduler_;
  const std::function<void()> reload_;
  sigset_t signals_;
  std::mutex mutex_;
  std::condition_variable cv_;
  bool started_ = false;
  bool requested_ = false;  ///< a first SIGINT/SIGTERM came
  bool abandoned_ = false;
  std::thread shutdown_;
  std::thread listener_;
};

/**
 * SIGHUP: re-reads `file` and applies its `jobs:` list to the running host. A config with
 * any problem is refused whole; the host keeps running on the one it has.
 */
void reload_config(core::Scheduler& scheduler, const std::string& file, core::Config& current) {
  spdlog::info("Received SIGHUP: reloading {}", file);
  std::optional<core::Config> next;
  try {
    next = core::Config::load(file);
  } catch (const core::SchedulerError& e) {
    spdlog::error("Config reload refused, still running the previous config: {}", e.what());
    return;
  }
  auto problems = core::validate(*next);
  if (!problems.empty()) {
    for (const auto& problem : problems) spdlog::error("{}", problem);
    spdlog::error("Config reload refused ({} problem{}), still running the previous config", problems.size(),
                  problems.size() == 1 ? "" : "s");
    return;
  }
  core::ReloadResult result = core::reload_jobs(scheduler, current, *next);
  for (const auto& problem : result.problems) spdlog::warn("{}", problem);
  if (result.settings_changed)
    spdlog::warn("Changes outside 'jobs:' (scheduler, jobstores, executors, job_defaults) take effect after a restart");
  spdlog::info("Config reloaded: {} added, {} changed, {} removed", result.added.size(), result.changed.size(),
               result.removed.size());
  current = std::move(*next);
}

}  // namespace

int run_command(const std::vector<std::string>& args) {
  Options options(args, {{"-c", "config"}, {"--config", "config"}});
  std::string file = options.get("config").value_or(default_config().string());
  auto config = load_config_or_report(file);
  if (!config) return 1;
  setup_logging(config->log_level(), false);
  try {
    core::BlockingScheduler scheduler(config->options());
    // Before any thread starts, so that all inherit the signal mask.
    SignalHandler signals(scheduler, [&] { reload_config(scheduler, file, *config); });
    if (!report_problems(core::configure(scheduler, *config), file)) return 1;
    spdlog::info("apsched host running {} (Ctrl-C or SIGTERM to stop)", file);
    signals.listen();
    scheduler.start();
    signals.wait_for_shutdown();
  } catch (const core::SchedulerError& e) {
    spdlog::critical("{}", e.what());
    return 1;
  } catch (const std::system_error& e) {
    spdlog::critical("cannot start the host's threads: {} (is the user's process limit, ulimit -u, reached?)",
                     e.what());
    return 1;
  }
  return 0;
}

}  // namespace apsched::host
