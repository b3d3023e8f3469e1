#pragma once
// The `cron` trigger type: APScheduler 3.x's CronTrigger keywords.
#include "cron_trigger.h"

namespace apsched::triggers::cron {

/**
 * `{type: cron, year, month, day, week, day_of_week, hour, minute, second, start_date,
 * end_date, timezone, jitter}`. Field values are integers or strings. Unset fields less
 * significant than the least significant set one take their minimum; the others are `*`.
 */
class CronTrigger final : public CronTriggerBase {
 public:
  CronTrigger(sdk::Host& host, const sdk::Value& config);
};

}  // namespace apsched::triggers::cron
