#pragma once
#include <string>
#include <vector>

#include "apsched/core/job.h"
#include "apsched/core/scheduler.h"

namespace apsched::core {

/** Fire times of a trigger, as `apsched next` prints them. */
struct TriggerPreview {
  std::vector<Timestamp> times;
  std::string timezone;  ///< the trigger's zone, to display the times in
};

/**
 * The first `count` fire times of `trigger`: the first at or after `from`, then each
 * next one strictly after the previous (APScheduler's get_next_fire_time(prev, prev)).
 * The trigger sees `from` as "now". Throws SchedulerError (field set) on a bad trigger.
 */
TriggerPreview preview_trigger(const TriggerSpec& trigger, Timestamp from, int count, const SchedulerOptions& options);

}  // namespace apsched::core
