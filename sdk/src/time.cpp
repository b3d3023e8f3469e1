#include "apsched/sdk/time.h"

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <date/tz.h>

#include "apsched/sdk/status.h"

namespace apsched::sdk {
namespace {

using std::chrono::microseconds;

const date::time_zone* find_zone(std::string_view zone) noexcept {
  // Zones live as long as the process; a program mostly asks for one or two of them,
  // and locate_zone's search by name costs thousands of instructions per call.
  struct LastFound {
    std::string name;
    const date::time_zone* zone = nullptr;
  };
  thread_local LastFound last;
  if (last.zone != nullptr && last.name == zone) return last.zone;
  try {
    const date::time_zone* found = date::locate_zone(zone);
    last.name.assign(zone);
    last.zone = found;
    return found;
  } catch (const std::exception&) {
    return nullptr;
  }
}

date::local_time<microseconds> to_local_time(const CivilTime& c) {
  auto day = date::local_days{date::year{c.year} / c.month / c.day};
  return date::local_time<microseconds>{day.time_since_epoch()} + std::chrono::hours{c.hour} +
         std::chrono::minutes{c.minute} + std::chrono::seconds{c.second} + microseconds{c.microsecond};
}

Timestamp resolve(const CivilTime& civil, std::string_view zone, bool fold) {
  const auto& z = find_timezone(zone, {});
  auto local = to_local_time(civil);
  auto info = z.get_info(date::floor<std::chrono::seconds>(local));
  std::chrono::seconds offset = info.first.offset;
  // Ambiguous: `first` is the earlier occurrence. Nonexistent: `first` is the offset in
  // force before the gap, which shifts the time forward by the gap length.
  if (info.result == date::local_info::ambiguous && fold) offset = info.second.offset;
  return (local.time_since_epoch() - offset).count();
}

bool parse_int(std::string_view text, std::size_t pos, std::size_t len, int& out) {
  if (pos + len > text.size()) return false;
  int value = 0;
  for (std::size_t i = pos; i < pos + len; ++i) {
    if (text[i] < '0' || text[i] > '9') return false;
    value = value * 10 + (text[i] - '0');
  }
  out = value;
  return true;
}

/**
 * Writes `before` (unless 0), then `value` zero-padded to `width` digits, at `end`, and
 * moves `end` past it. By hand, not snprintf: dates and durations are formatted for
 * every stored job added or listed.
 */
void put_number(char*& end, long long value, int width, char before = 0) {
  if (before) *end++ = before;
  if (value < 0) {
    *end++ = '-';
    value = -value;
  }
  int digits = 1;
  for (long long rest = value; rest >= 10; rest /= 10) ++digits;
  width = std::max(width, digits);
  for (char* digit = end + width; digit != end; value /= 10) *--digit = static_cast<char>('0' + value % 10);
  end += width;
}

[[noreturn]] void bad_datetime(std::string_view text, std::string_view field, const std::string& why) {
  throw Error("invalid date/time '" + std::string(text) + "'" + (why.empty() ? "" : " (" + why + ")") +
                  ": expected ISO 8601 such as 2026-06-10, 2026-06-10T12:00:00, "
                  "2026-06-10T12:00:00.250 or 2026-06-10T12:00:00+02:00 / Z",
              std::string(field));
}

}  // namespace

bool is_valid_timezone(std::string_view zone) noexcept { return find_zone(zone) != nullptr; }

const date::time_zone& find_timezone(std::string_view zone, std::string_view field) {
  if (const auto* z = find_zone(zone)) return *z;
  throw Error("unknown time zone '" + std::string(zone) +
                  "': use an IANA name such as 'UTC', 'Europe/Berlin' or 'America/New_York' "
                  "(see /usr/share/zoneinfo)",
              std::string(field));
}

void require_timezone(std::string_view zone, std::string_view field) { find_timezone(zone, field); }

std::string local_timezone_name() {
  if (const char* tz = std::getenv("TZ"); tz && *tz) {
    std::string_view name = tz[0] == ':' ? tz + 1 : tz;
    if (is_valid_timezone(name)) return std::string(name);
  }
  try {
    return std::string(date::current_zone()->name());
  } catch (const std::exception&) {
    return "UTC";
  }
}

ZonedTime to_zoned(Timestamp t, std::string_view zone) {
  const auto& z = find_timezone(zone, {});
  date::sys_time<microseconds> sys{microseconds{t}};
  auto info = z.get_info(date::floor<std::chrono::seconds>(sys));
  auto local = date::local_time<microseconds>{sys.time_since_epoch() + info.offset};
  auto day = date::floor<date::days>(local);
  date::year_month_day ymd{day};
  date::hh_mm_ss<microseconds> hms{local - day};
  ZonedTime out;
  out.local = {static_cast<int>(ymd.year()), static_cast<int>(static_cast<unsigned>(ymd.month())),
               static_cast<int>(static_cast<unsigned>(ymd.day())), static_cast<int>(hms.hours().count()),
               static_cast<int>(hms.minutes().count()), static_cast<int>(hms.seconds().count()),
               static_cast<int>(hms.subseconds().count())};
  out.utc_offset_seconds = static_cast<int>(info.offset.count());
  out.abbreviation = info.abbrev;
  return out;
}

Timestamp from_civil(const CivilTime& local, std::string_view zone) { return resolve(local, zone, false); }

Timestamp from_civil_fold(const CivilTime& local, std::string_view zone) { return resolve(local, zone, true); }

Timestamp parse_datetime(std::string_view text, std::string_view zone, std::string_view field) {
  CivilTime c;
  if (text.size() < 10 || text[4] != '-' || text[7] != '-' || !parse_int(text, 0, 4, c.year) ||
      !parse_int(text, 5, 2, c.month) || !parse_int(text, 8, 2, c.day))
    bad_datetime(text, field, "");
  std::size_t pos = 10;
  if (pos < text.size() && (text[pos] == 'T' || text[pos] == ' ')) {
    if (!parse_int(text, pos + 1, 2, c.hour) || text.size() < pos + 6 || text[pos + 3] != ':' ||
        !parse_int(text, pos + 4, 2, c.minute))
      bad_datetime(text, field, "");
    pos += 6;
    if (pos < text.size() && text[pos] == ':') {
      if (!parse_int(text, pos + 1, 2, c.second)) bad_datetime(text, field, "");
      pos += 3;
      if (pos < text.size() && text[pos] == '.') {
        std::size_t digits = 0;
        int micro = 0;
        ++pos;
        while (pos < text.size() && text[pos] >= '0' && text[pos] <= '9') {
          if (digits < 6) micro = micro * 10 + (text[pos] - '0');
          ++digits;
          ++pos;
        }
        if (digits == 0) bad_datetime(text, field, "no digits after '.'");
        for (std::size_t i = digits; i < 6; ++i) micro *= 10;
        c.microsecond = micro;
      }
    }
  }
  date::year_month_day ymd{date::year{c.year}, date::month{static_cast<unsigned>(c.month)},
                           date::day{static_cast<unsigned>(c.day)}};
  if (!ymd.ok()) bad_datetime(text, field, "no such day");
  if (c.hour > 23 || c.minute > 59 || c.second > 59) bad_datetime(text, field, "time out of range");

  if (pos == text.size()) return from_civil(c, zone);
  int offset_minutes = 0;
  if (text[pos] == 'Z' && pos + 1 == text.size()) {
    offset_minutes = 0;
  } else if (text[pos] == '+' || text[pos] == '-') {
    int hh = 0, mm = 0;
    std::string_view rest = text.substr(pos + 1);
    bool ok = false;
    if (rest.size() == 5 && rest[2] == ':') ok = parse_int(rest, 0, 2, hh) && parse_int(rest, 3, 2, mm);
    else if (rest.size() == 4) ok = parse_int(rest, 0, 2, hh) && parse_int(rest, 2, 2, mm);
    else if (rest.size() == 2) ok = parse_int(rest, 0, 2, hh);
    if (!ok || hh > 23 || mm > 59) bad_datetime(text, field, "bad UTC offset");
    offset_minutes = (hh * 60 + mm) * (text[pos] == '-' ? -1 : 1);
  } else {
    bad_datetime(text, field, "unexpected '" + std::string(text.substr(pos)) + "'");
  }
  return (to_local_time(c).time_since_epoch() - std::chrono::minutes{offset_minutes}).count();
}

std::string format_datetime(Timestamp t, std::string_view zone) {
  ZonedTime z = to_zoned(t, zone);
  const CivilTime& c = z.local;
  char buf[64];
  char* end = buf;
  put_number(end, c.year, 4);
  put_number(end, c.month, 2, '-');
  put_number(end, c.day, 2, '-');
  put_number(end, c.hour, 2, 'T');
  put_number(end, c.minute, 2, ':');
  put_number(end, c.second, 2, ':');
  if (c.microsecond != 0) put_number(end, c.microsecond, 6, '.');
  int off = z.utc_offset_seconds;
  char sign = off < 0 ? '-' : '+';
  off = std::abs(off);
  put_number(end, off / 3600, 2, sign);
  put_number(end, off / 60 % 60, 2, ':');
  if (off % 60 != 0) put_number(end, off % 60, 2, ':');
  return std::string(buf, end);
}

std::string format_duration(Timestamp micros) {
  constexpr Timestamp kDay = 86400 * kMicrosPerSecond;
  Timestamp days = micros / kDay;
  Timestamp rest = micros % kDay;
  if (rest < 0) {
    rest += kDay;
    --days;
  }
  Timestamp secs = rest / kMicrosPerSecond;
  Timestamp frac = rest % kMicrosPerSecond;
  char buf[80];
  char* end = buf;
  if (days != 0) {
    put_number(end, days, 1);
    std::string_view unit = (days == 1 || days == -1) ? " day, " : " days, ";
    end = std::copy(unit.begin(), unit.end(), end);
  }
  put_number(end, secs / 3600, 1);
  put_number(end, secs / 60 % 60, 2, ':');
  put_number(end, secs % 60, 2, ':');
  if (frac != 0) put_number(end, frac, 6, '.');
  return std::string(buf, end);
}

}  // namespace apsched::sdk
