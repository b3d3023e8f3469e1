#include "wall_schedule.h"

#include <date/date.h>
#include <date/iso_week.h>

#include <bitset>

namespace apsched::triggers::cron {
namespace {

constexpr std::int64_t kSecondsPerDay = 86400;
constexpr int kLastYear = 9999;
constexpr int kGregorianCycleYears = 400;  // the calendar (leap years, weekdays, ISO weeks) repeats

std::int64_t floor_div(std::int64_t a, std::int64_t b) { return a / b - (a % b != 0 && (a < 0) != (b < 0)); }

date::sys_days to_sys_days(int year, int month, int day) {
  return date::sys_days{date::year{year} / static_cast<unsigned>(month) / static_cast<unsigned>(day)};
}

}  // namespace

WallSchedule::WallSchedule(std::array<CronField, kFieldCount> fields, bool day_or_weekday)
    : fields_(std::move(fields)), day_or_weekday_(day_or_weekday) {}

std::optional<WallSeconds> WallSchedule::next_match(WallSeconds from) const {
  std::int64_t day = floor_div(from, kSecondsPerDay);
  int second = static_cast<int>(from - day * kSecondsPerDay);
  if (day < 0) {  // the year field starts at 1970
    day = 0;
    second = 0;
  }
  // At most two rounds: only the first day can start after its last matching time.
  while (auto date = next_date(day)) {
    if (*date != day) second = 0;
    if (auto time = first_time_of_day(second)) return *date * kSecondsPerDay + *time;
    day = *date + 1;
    second = 0;
  }
  return std::nullopt;
}

std::optional<std::int64_t> WallSchedule::next_date(std::int64_t day_number) const {
  date::year_month_day start{date::sys_days{date::days{day_number}}};
  int year = static_cast<int>(start.year());
  int month = static_cast<int>(static_cast<unsigned>(start.month()));
  int day = static_cast<int>(static_cast<unsigned>(start.day()));
  std::bitset<kGregorianCycleYears> fruitless;  // year % 400 already searched whole, in vain
  for (; year <= kLastYear; ++year, month = 1, day = 1) {
    bool whole_year = month == 1 && day == 1;
    if (!field(FieldKind::year).contains(year) || (whole_year && fruitless[static_cast<std::size_t>(year % 400)]))
      continue;
    for (; month <= 12; ++month, day = 1) {
      if (!field(FieldKind::month).contains(month)) continue;
      if (auto found = first_day_in_month(year, month, day))
        return to_sys_days(year, month, *found).time_since_epoch().count();
    }
    if (whole_year) fruitless[static_cast<std::size_t>(year % 400)] = true;
  }
  return std::nullopt;
}

std::optional<int> WallSchedule::first_day_in_month(int year, int month, int from_day) const {
  auto ym = date::year{year} / static_cast<unsigned>(month);
  int days_in_month = static_cast<int>(static_cast<unsigned>((ym / date::last).day()));
  int weekday_of_first = static_cast<int>(date::weekday{to_sys_days(year, month, 1)}.iso_encoding()) - 1;
  const CronField& week = field(FieldKind::week);
  for (int day = from_day; day <= days_in_month; ++day) {
    bool by_day = field(FieldKind::day).matches_day(day, days_in_month, weekday_of_first);
    bool by_weekday = field(FieldKind::day_of_week).contains((weekday_of_first + day - 1) % 7);
    if (day_or_weekday_ ? !(by_day || by_weekday) : !(by_day && by_weekday)) continue;
    if (!week.allows_all()) {
      auto iso = iso_week::year_weeknum_weekday{to_sys_days(year, month, day)};
      if (!week.contains(static_cast<int>(static_cast<unsigned>(iso.weeknum())))) continue;
    }
    return day;
  }
  return std::nullopt;
}

std::optional<int> WallSchedule::first_time_of_day(int from_second) const {
  const int h0 = from_second / 3600, m0 = from_second / 60 % 60, s0 = from_second % 60;
  const CronField& hours = field(FieldKind::hour);
  const CronField& minutes = field(FieldKind::minute);
  const CronField& seconds = field(FieldKind::second);
  // Jumps from allowed value to allowed value; only the first hour and minute start late.
  for (int h = hours.next_allowed(h0); h >= 0; h = hours.next_allowed(h + 1))
    for (int m = minutes.next_allowed(h == h0 ? m0 : 0); m >= 0; m = minutes.next_allowed(m + 1))
      if (int s = seconds.next_allowed(h == h0 && m == m0 ? s0 : 0); s >= 0) return h * 3600 + m * 60 + s;
  return std::nullopt;
}

}  // namespace apsched::triggers::cron
