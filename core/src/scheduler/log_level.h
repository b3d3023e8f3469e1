#pragma once
#include <spdlog/common.h>

#include "apsched/sdk/log.h"

namespace apsched::core::detail {

inline spdlog::level::level_enum to_spdlog(sdk::LogLevel level) noexcept {
  switch (level) {
    case sdk::LogLevel::trace: return spdlog::level::trace;
    case sdk::LogLevel::debug: return spdlog::level::debug;
    case sdk::LogLevel::info: return spdlog::level::info;
    case sdk::LogLevel::warning: return spdlog::level::warn;
    case sdk::LogLevel::error: return spdlog::level::err;
    case sdk::LogLevel::critical: return spdlog::level::critical;
  }
  return spdlog::level::info;
}

}  // namespace apsched::core::detail
