#include "scheduler/kernel_host.h"

#include <unistd.h>

#include <spdlog/spdlog.h>

#include "apsched/core/errors.h"
#include "loader/trigger_handle.h"
#include "scheduler/log_level.h"

namespace apsched::core::detail {

void KernelHost::log(sdk::LogLevel level, std::string_view message) noexcept {
  try {
    spdlog::log(to_spdlog(level), "{}", message);
  } catch (...) {
    // Logging must never take the host down.
  }
}

bool KernelHost::log_enabled(sdk::LogLevel level) const noexcept { return spdlog::should_log(to_spdlog(level)); }

sdk::Status KernelHost::create_trigger(const sdk::Value& spec, std::unique_ptr<sdk::Trigger>& out) noexcept {
  try {
    out = TriggerHandle::create(catalog_, spec, *this);
    return sdk::Status::success();
  } catch (const SchedulerError& e) {
    return {sdk::Code::invalid_argument, e.what(), e.field()};
  } catch (const std::exception& e) {
    return {sdk::Code::internal, e.what(), {}};
  }
}

sdk::Status KernelHost::job_worker_command(std::vector<std::string>& argv) noexcept {
  try {
    if (worker_.program.empty()) return {sdk::Code::unavailable, "this host starts no job workers", {}};
    if (::access(worker_.program.c_str(), X_OK) != 0)
      return {sdk::Code::not_found,
              "the job-worker program " + worker_.program.string() +
                  " is missing or not executable; install apsched-worker there (it is built beside apsched) or "
                  "set SchedulerOptions::worker_program",
              {}};
    argv = {worker_.program.string(), "--parent-pid", std::to_string(::getpid())};
    for (const auto& dir : worker_.job_path) {
      argv.push_back("--job-path");
      argv.push_back(dir.string());
    }
    return sdk::Status::success();
  } catch (const std::exception& e) {
    return {sdk::Code::internal, e.what(), {}};
  }
}

}  // namespace apsched::core::detail
