#pragma once
// The `calendarinterval` trigger type (APScheduler 4's CalendarIntervalTrigger).
#include <apsched/sdk/host.h>
#include <apsched/sdk/trigger.h>

#include <optional>
#include <string>

#include "calendar_sequence.h"

namespace apsched::triggers::calendarinterval {

/**
 * `{type: calendarinterval, years, months, weeks, days, hour, minute, second, start_date,
 * end_date, timezone}`: "every 1 month at 09:00 local time". Fires on the dates of a
 * CalendarSequence from start_date (a date; default: today in the zone) to end_date
 * (inclusive), always at the same wall-clock time. A time that a spring-forward change
 * skips runs shifted forward by the gap (02:30 -> 03:30); a time shown twice runs at its
 * first occurrence.
 */
class CalendarIntervalTrigger final : public sdk::Trigger {
 public:
  CalendarIntervalTrigger(sdk::Host& host, const sdk::Value& config);

  std::optional<sdk::Timestamp> next_fire_time(std::optional<sdk::Timestamp> previous,
                                               sdk::Timestamp now) noexcept override;
  sdk::Value state() const override;
  std::string describe() const override;
  std::string timezone() const override { return zone_; }

 private:
  sdk::Timestamp fire_time(date::year_month_day day) const;

  CalendarStep step_;
  int hour_ = 0;
  int minute_ = 0;
  int second_ = 0;
  date::year_month_day start_date_;
  std::optional<date::year_month_day> end_date_;
  std::string zone_;
  CalendarSequence sequence_;
};

}  // namespace apsched::triggers::calendarinterval
