#pragma once
// The `crontab` trigger type: a classic five-field crontab(5) line.
#include "cron_trigger.h"

namespace apsched::triggers::cron {

/**
 * `{type: crontab, expr: "0 9-17 * * mon-fri", timezone, start_date, end_date, jitter}`.
 * Fields: minute, hour, day of month, month, day of week, with crontab(5)'s meaning: day of
 * week 0 and 7 are Sunday; when day of month and day of week are both restricted (neither
 * starts with `*`), a day matches if either does. Macros: @yearly, @annually, @monthly,
 * @weekly, @daily, @midnight, @hourly. Values also accept APScheduler's forms (names,
 * `last`, `2nd fri`).
 */
class CrontabTrigger final : public CronTriggerBase {
 public:
  CrontabTrigger(sdk::Host& host, const sdk::Value& config);
};

}  // namespace apsched::triggers::cron
