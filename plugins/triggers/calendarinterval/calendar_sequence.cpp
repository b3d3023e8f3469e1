#include "calendar_sequence.h"

namespace apsched::triggers::calendarinterval {
namespace {

constexpr date::year kLastYear{9999};

int month_index(date::year_month_day d) {
  return static_cast<int>(d.year()) * 12 + static_cast<int>(static_cast<unsigned>(d.month())) - 1;
}

date::year_month_day from_month_index(int index, date::day day) {
  int year = index >= 0 ? index / 12 : (index - 11) / 12;
  return {date::year{year}, date::month{static_cast<unsigned>(index - year * 12 + 1)}, day};
}

}  // namespace

CalendarSequence::CalendarSequence(date::year_month_day start, CalendarStep step) : start_(start), step_(step) {}

date::year_month_day CalendarSequence::add_months(date::year_month_day from) const {
  return from_month_index(month_index(from) + step_.years * 12 + step_.months, from.day());
}

std::optional<date::year_month_day> CalendarSequence::after(date::year_month_day current) const {
  date::year_month_day next = add_months(current);
  while (!next.ok()) {  // the day does not exist in that month: move on by another step
    if (next.year() > kLastYear) return std::nullopt;
    next = add_months(next);
  }
  next = date::year_month_day{date::sys_days{next} + date::days{step_.weeks * 7 + step_.days}};
  if (next.year() > kLastYear) return std::nullopt;
  return next;
}

date::year_month_day CalendarSequence::jump_towards(date::year_month_day target) const {
  int month_step = step_.years * 12 + step_.months;
  int day_step = step_.weeks * 7 + step_.days;
  if (month_step == 0) {  // an arithmetic progression of days
    auto behind = (date::sys_days{target} - date::sys_days{start_}).count() / day_step - 1;
    if (behind > 0) return date::year_month_day{date::sys_days{start_} + date::days{behind * day_step}};
  } else if (day_step == 0) {  // every month_step months on the start's day, where it exists
    int behind = (month_index(target) - month_index(start_)) / month_step - 1;
    for (; behind > 0; --behind) {  // the latest such month with that day, at most a few back
      auto candidate = from_month_index(month_index(start_) + behind * month_step, start_.day());
      if (candidate.ok()) return candidate;
    }
  }
  return start_;  // months and days mixed: the dates drift, so walk from the start
}

std::optional<date::year_month_day> CalendarSequence::first_on_or_after(date::year_month_day target) const {
  std::optional<date::year_month_day> current = jump_towards(target);
  while (current && *current < target) current = after(*current);
  return current;
}

}  // namespace apsched::triggers::calendarinterval
