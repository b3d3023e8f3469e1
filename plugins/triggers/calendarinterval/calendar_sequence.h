#pragma once
// The dates a calendar interval visits (APScheduler 4's CalendarIntervalTrigger), without
// times or zones.
#include <date/date.h>

#include <optional>

namespace apsched::triggers::calendarinterval {

struct CalendarStep {
  int years = 0;
  int months = 0;
  int weeks = 0;
  int days = 0;
};

/**
 * d0 = start; d(k+1) = d(k) plus `years` and `months` keeping the day of the month,
 * repeated while that day does not exist in the month reached (Jan 31 + 1 month skips to
 * Mar 31), then plus `weeks` and `days`. Dates after 9999-12-31 end the sequence.
 */
class CalendarSequence {
 public:
  CalendarSequence(date::year_month_day start, CalendarStep step);

  /** The first date of the sequence on or after `target`; nullopt past year 9999. */
  std::optional<date::year_month_day> first_on_or_after(date::year_month_day target) const;
  /** The date after `current` (which must be one of the sequence's). */
  std::optional<date::year_month_day> after(date::year_month_day current) const;

 private:
  /** A date of the sequence not after `target`, as late as is cheap to find. */
  date::year_month_day jump_towards(date::year_month_day target) const;
  /** Adds years and months once; the result may be an invalid date (Feb 31). */
  date::year_month_day add_months(date::year_month_day from) const;

  date::year_month_day start_;
  CalendarStep step_;
};

}  // namespace apsched::triggers::calendarinterval
