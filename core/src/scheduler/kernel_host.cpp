#include "scheduler/kernel_host.h"

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

}  // namespace apsched::core::detail
