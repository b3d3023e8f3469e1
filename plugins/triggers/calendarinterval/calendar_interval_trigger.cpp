#include "calendar_interval_trigger.h"

#include <apsched/sdk/config.h>
#include <apsched/sdk/status.h>
#include <apsched/sdk/time.h>

#include <cstdio>

namespace apsched::triggers::calendarinterval {
namespace {

constexpr const char* kWhat = "calendarinterval trigger";

int read_int(sdk::ConfigReader& reader, const char* key, int min, int max, int fallback) {
  auto value = reader.integer(key);
  if (!value) return fallback;
  if (*value < min || *value > max)
    throw sdk::Error(std::string(key) + ": " + std::to_string(*value) + " is out of range " + std::to_string(min) + "-" +
                         std::to_string(max) + " in " + kWhat,
                     key);
  return static_cast<int>(*value);
}

std::string format_date(date::year_month_day day) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "%04d-%02u-%02u", static_cast<int>(day.year()), static_cast<unsigned>(day.month()),
                static_cast<unsigned>(day.day()));
  return buf;
}

std::optional<date::year_month_day> read_date(sdk::ConfigReader& reader, const char* key) {
  auto text = reader.string(key);
  if (!text) return std::nullopt;
  const std::string& t = *text;
  auto digits = [&](std::size_t from, std::size_t count) {
    int value = 0;
    for (std::size_t i = from; i < from + count; ++i) {
      if (t[i] < '0' || t[i] > '9') return -1;
      value = value * 10 + (t[i] - '0');
    }
    return value;
  };
  date::year_month_day day{};
  if (t.size() == 10 && t[4] == '-' && t[7] == '-' && digits(0, 4) >= 0 && digits(5, 2) >= 0 && digits(8, 2) >= 0)
    day = date::year{digits(0, 4)} / static_cast<unsigned>(digits(5, 2)) / static_cast<unsigned>(digits(8, 2));
  if (!day.ok() || day.year() < date::year{1} || day.year() > date::year{9999})
    throw sdk::Error(std::string(key) + ": '" + *text + "' is not a date in " + kWhat +
                         "; expected YYYY-MM-DD such as 2026-01-31 (the time of day is set with hour, minute and second)",
                     key);
  return day;
}

date::year_month_day today(const sdk::Host& host, const std::string& zone) {
  sdk::CivilTime local = sdk::to_zoned(host.now(), zone).local;
  return date::year{local.year} / static_cast<unsigned>(local.month) / static_cast<unsigned>(local.day);
}

}  // namespace

CalendarIntervalTrigger::CalendarIntervalTrigger(sdk::Host& host, const sdk::Value& config)
    : sequence_(date::year_month_day{}, {}) {
  sdk::ConfigReader reader(config, kWhat);
  reader.ignore("type");
  // Fire times end with year 9999. Steps of more years than that could only go past it, and
  // a step of 100,000 years would wrap date::year (a short) into a wrong date instead.
  constexpr int kMaxYears = 9999;
  constexpr int kMaxWeeks = 100000;
  step_ = {read_int(reader, "years", 0, kMaxYears, 0), read_int(reader, "months", 0, kMaxYears * 12, 0),
           read_int(reader, "weeks", 0, kMaxWeeks, 0), read_int(reader, "days", 0, kMaxWeeks * 7, 0)};
  hour_ = read_int(reader, "hour", 0, 23, 0);
  minute_ = read_int(reader, "minute", 0, 59, 0);
  second_ = read_int(reader, "second", 0, 59, 0);
  zone_ = reader.string("timezone").value_or(host.default_timezone());
  sdk::require_timezone(zone_, "timezone");
  auto start = read_date(reader, "start_date");
  end_date_ = read_date(reader, "end_date");
  reader.finish();

  if (step_.years == 0 && step_.months == 0 && step_.weeks == 0 && step_.days == 0)
    throw sdk::Error(std::string("the interval of a ") + kWhat +
                         " must be at least 1 day long: set years, months, weeks or days (e.g. months: 1)",
                     "days");
  start_date_ = start ? *start : today(host, zone_);
  if (end_date_ && *end_date_ < start_date_)
    throw sdk::Error("end_date: " + format_date(*end_date_) + " is earlier than start_date " + format_date(start_date_) +
                         " in " + kWhat,
                     "end_date");
  sequence_ = CalendarSequence(start_date_, step_);
}

sdk::Timestamp CalendarIntervalTrigger::fire_time(date::year_month_day day) const {
  sdk::CivilTime wall{static_cast<int>(day.year()), static_cast<int>(static_cast<unsigned>(day.month())),
                      static_cast<int>(static_cast<unsigned>(day.day())), hour_, minute_, second_, 0};
  return sdk::from_civil(wall, zone_);  // gap: shifted forward; repeated: first occurrence
}

std::optional<sdk::Timestamp> CalendarIntervalTrigger::next_fire_time(std::optional<sdk::Timestamp> previous,
                                                                      sdk::Timestamp now) noexcept {
  try {
    sdk::Timestamp threshold = previous ? *previous + 1 : now;
    sdk::CivilTime local = sdk::to_zoned(threshold, zone_).local;
    // Two days back: no fire time on an earlier date can reach the threshold, whatever
    // the zone's shifts.
    auto target = date::year_month_day{date::sys_days{date::year{local.year} / static_cast<unsigned>(local.month) /
                                                      static_cast<unsigned>(local.day)} -
                                       date::days{2}};
    auto day = sequence_.first_on_or_after(target);
    while (day && fire_time(*day) < threshold) day = sequence_.after(*day);
    if (!day || (end_date_ && *day > *end_date_)) return std::nullopt;
    return fire_time(*day);
  } catch (...) {
    return std::nullopt;  // only allocation failure can get here
  }
}

sdk::Value CalendarIntervalTrigger::state() const {
  sdk::Value::Map state{{"hour", hour_}, {"minute", minute_}, {"second", second_},
                        {"start_date", format_date(start_date_)}, {"timezone", zone_}};
  for (auto [key, value] : {std::pair{"years", step_.years}, {"months", step_.months}, {"weeks", step_.weeks},
                            {"days", step_.days}})
    if (value != 0) state[key] = value;
  if (end_date_) state["end_date"] = format_date(*end_date_);
  return state;
}

std::string CalendarIntervalTrigger::describe() const {
  std::string out = "calendarinterval[";
  for (auto [key, value] : {std::pair{"years", step_.years}, {"months", step_.months}, {"weeks", step_.weeks},
                            {"days", step_.days}})
    if (value != 0) out += std::string(key) + "=" + std::to_string(value) + ", ";
  char time[16];
  std::snprintf(time, sizeof time, "%02d:%02d:%02d", hour_, minute_, second_);
  out += "time='" + std::string(time) + "', start_date='" + format_date(start_date_) + "'";
  if (end_date_) out += ", end_date='" + format_date(*end_date_) + "'";
  return out + "]";
}

}  // namespace apsched::triggers::calendarinterval
