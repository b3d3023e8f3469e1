#pragma once
#include "apsched/sdk/value.h"

namespace apsched::core::detail {

/** As APScheduler: what "default" is when a config or program does not name one. */
inline sdk::Value default_jobstore_config() { return sdk::Value::Map{{"type", "memory"}}; }
inline sdk::Value default_executor_config() { return sdk::Value::Map{{"type", "threadpool"}}; }

}  // namespace apsched::core::detail
