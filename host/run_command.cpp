// `apsched run`: the host process, a blocking scheduler on a YAML config.
#include <pthread.h>
#include <signal.h>

#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <mutex>
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
 * SIGINT/SIGTERM: the first shuts down gracefully (waiting for running jobs), a second
 * one exits at once. Signals are blocked in every thread and taken by sigwait here.
 */
class SignalHandler {
 public:
  explicit SignalHandler(core::Scheduler& scheduler) : scheduler_(scheduler) {
    sigemptyset(&signals_);
    sigaddset(&signals_, SIGINT);
    sigaddset(&signals_, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &signals_, nullptr);
  }

  void listen() {
    std::thread([this] {
      for (int received = 0;;) {
        int signal = 0;
        if (sigwait(&signals_, &signal) != 0) continue;
        if (++received > 1) {
          spdlog::warn("Received {} again: exiting without waiting for running jobs", strsignal(signal));
          std::_Exit(128 + signal);
        }
        spdlog::info("Received {}: shutting down, waiting for running jobs (send it again to exit at once)",
                     strsignal(signal));
        std::lock_guard lock(mutex_);
        shutdown_ = std::thread([this] { scheduler_.shutdown(true); });
      }
    }).detach();
  }

  /** After the loop has stopped: waits until the shutdown (running jobs) has finished. */
  void wait_for_shutdown() {
    std::lock_guard lock(mutex_);
    if (shutdown_.joinable()) shutdown_.join();
  }

 private:
  core::Scheduler& scheduler_;
  sigset_t signals_;
  std::mutex mutex_;  // guards shutdown_
  std::thread shutdown_;
};

}  // namespace

int run_command(const std::vector<std::string>& args) {
  Options options(args, {{"-c", "config"}, {"--config", "config"}});
  std::string file = options.get("config").value_or(default_config().string());
  auto config = load_config_or_report(file);
  if (!config) return 1;
  setup_logging(config->log_level(), false);
  try {
    core::BlockingScheduler scheduler(config->options());
    SignalHandler signals(scheduler);  // before any thread starts, so all inherit the mask
    if (!report_problems(core::configure(scheduler, *config), file)) return 1;
    spdlog::info("apsched host running {} (Ctrl-C or SIGTERM to stop)", file);
    signals.listen();
    scheduler.start();
    signals.wait_for_shutdown();
  } catch (const core::SchedulerError& e) {
    spdlog::critical("{}", e.what());
    return 1;
  }
  return 0;
}

}  // namespace apsched::host
