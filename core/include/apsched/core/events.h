#pragma once
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "apsched/sdk/time.h"
#include "apsched/sdk/value.h"

namespace apsched::core {

/** Event codes, with APScheduler's names and bit values, usable as a listener mask. */
enum EventCode : std::uint32_t {
  EVENT_SCHEDULER_STARTED = 1u << 0,
  EVENT_SCHEDULER_SHUTDOWN = 1u << 1,
  EVENT_SCHEDULER_PAUSED = 1u << 2,
  EVENT_SCHEDULER_RESUMED = 1u << 3,
  EVENT_EXECUTOR_ADDED = 1u << 4,
  EVENT_EXECUTOR_REMOVED = 1u << 5,
  EVENT_JOBSTORE_ADDED = 1u << 6,
  EVENT_JOBSTORE_REMOVED = 1u << 7,
  EVENT_ALL_JOBS_REMOVED = 1u << 8,
  EVENT_JOB_ADDED = 1u << 9,
  EVENT_JOB_REMOVED = 1u << 10,
  EVENT_JOB_MODIFIED = 1u << 11,
  EVENT_JOB_EXECUTED = 1u << 12,
  EVENT_JOB_ERROR = 1u << 13,
  EVENT_JOB_MISSED = 1u << 14,
  EVENT_JOB_SUBMITTED = 1u << 15,
  EVENT_JOB_MAX_INSTANCES = 1u << 16,
  EVENT_ALL = (1u << 17) - 1,
};

/** APScheduler's constant name of a single event code, e.g. "EVENT_JOB_EXECUTED". */
const char* event_name(EventCode code) noexcept;

/**
 * One event. Which fields are set depends on the code, as in APScheduler:
 * scheduler events carry nothing; executor/jobstore events `alias`; job events
 * `job_id` and `jobstore`; run events also `scheduled_run_times` (submitted,
 * max_instances) or `scheduled_run_time` (executed, error, missed), plus `retval` or
 * `exception_type`/`exception_message`.
 */
struct Event {
  EventCode code;
  std::string alias;
  std::string job_id;
  std::string jobstore;
  std::vector<sdk::Timestamp> scheduled_run_times;
  std::optional<sdk::Timestamp> scheduled_run_time;
  sdk::Value retval;
  std::string exception_type;
  std::string exception_message;
  bool timed_out = false;
};

using Listener = std::function<void(const Event&)>;

}  // namespace apsched::core
