#pragma once
// Which wall-clock times a cron expression matches, on the calendar alone (no time zone).
#include <array>
#include <cstdint>
#include <optional>

#include "cron_field.h"

namespace apsched::triggers::cron {

/** A wall-clock time: seconds since 1970-01-01T00:00:00 on the local calendar, zone-free. */
using WallSeconds = std::int64_t;

class WallSchedule {
 public:
  /**
   * `fields` in FieldKind order. `day_or_weekday` is crontab(5)'s rule: a day matches when
   * its day of month or its day of week does; otherwise both must (APScheduler).
   */
  WallSchedule(std::array<CronField, kFieldCount> fields, bool day_or_weekday);

  /**
   * The first matching wall time at or after `from` (from 1970 on), or nullopt when there
   * is none before year 10000. Walks dates, not seconds; an impossible date pattern is
   * recognised after at most one 400-year Gregorian cycle.
   */
  std::optional<WallSeconds> next_match(WallSeconds from) const;

  const CronField& field(FieldKind kind) const { return fields_[static_cast<std::size_t>(kind)]; }

 private:
  std::optional<std::int64_t> next_date(std::int64_t day_number) const;
  std::optional<int> first_day_in_month(int year, int month, int from_day) const;
  std::optional<int> first_time_of_day(int from_second) const;

  std::array<CronField, kFieldCount> fields_;
  bool day_or_weekday_;
};

}  // namespace apsched::triggers::cron
