// Parsing of single cron fields: every expression form, normalised text, names, steps.
#include <catch2/catch.hpp>

#include "cron_field.h"

using apsched::triggers::cron::CronField;
using apsched::triggers::cron::FieldKind;
using apsched::triggers::cron::WeekdayNumbering;

namespace {

CronField parse(FieldKind kind, const std::string& text, WeekdayNumbering numbering = WeekdayNumbering::monday_first) {
  return CronField::parse(kind, text, {"field", "cron trigger", "field"}, numbering);
}

std::vector<int> values(const CronField& field, int min, int max) {
  std::vector<int> out;
  for (int v = min; v <= max; ++v)
    if (field.contains(v)) out.push_back(v);
  return out;
}

}  // namespace

TEST_CASE("cron field: star, step, single value, range, range with step, value with step") {
  CHECK(parse(FieldKind::minute, "*").allows_all());
  CHECK(values(parse(FieldKind::minute, "*/15"), 0, 59) == std::vector<int>{0, 15, 30, 45});
  CHECK(values(parse(FieldKind::hour, "7"), 0, 23) == std::vector<int>{7});
  CHECK(values(parse(FieldKind::hour, "9-12"), 0, 23) == std::vector<int>{9, 10, 11, 12});
  CHECK(values(parse(FieldKind::hour, "1-10/4"), 0, 23) == std::vector<int>{1, 5, 9});
  CHECK(values(parse(FieldKind::minute, "50/4"), 0, 59) == std::vector<int>{50, 54, 58});
  CHECK(values(parse(FieldKind::day, "*/10"), 1, 31) == std::vector<int>{1, 11, 21, 31});
  CHECK(values(parse(FieldKind::year, "*/500"), 1970, 9999).front() == 1970);
}

TEST_CASE("cron field: comma lists mix forms and tolerate spaces around commas") {
  auto field = parse(FieldKind::minute, " 5 , 10-12,*/30 ");
  CHECK(values(field, 0, 59) == std::vector<int>{0, 5, 10, 11, 12, 30});
  CHECK(field.text() == "5,10-12,*/30");
}

TEST_CASE("cron field: month and weekday names, case-insensitive, in ranges and with steps") {
  CHECK(values(parse(FieldKind::month, "JAN-mar"), 1, 12) == std::vector<int>{1, 2, 3});
  CHECK(parse(FieldKind::month, "JAN-mar").text() == "jan-mar");
  CHECK(values(parse(FieldKind::month, "jan-jun/2"), 1, 12) == std::vector<int>{1, 3, 5});
  CHECK(values(parse(FieldKind::day_of_week, "mon-fri/2"), 0, 6) == std::vector<int>{0, 2, 4});
  CHECK(parse(FieldKind::day_of_week, "mon-fri/2").text() == "mon-fri/2");
  CHECK(values(parse(FieldKind::day_of_week, "sun"), 0, 6) == std::vector<int>{6});
  CHECK(values(parse(FieldKind::day_of_week, "sat-sat"), 0, 6) == std::vector<int>{5});
  CHECK(parse(FieldKind::day_of_week, "Thu-Thu").text() == "thu");
}

TEST_CASE("cron field: day_of_week numbers count from Monday = 0") {
  CHECK(values(parse(FieldKind::day_of_week, "0"), 0, 6) == std::vector<int>{0});
  CHECK(values(parse(FieldKind::day_of_week, "5-6"), 0, 6) == std::vector<int>{5, 6});
}

TEST_CASE("cron field: crontab weekday numbering, 0 and 7 are Sunday") {
  auto sunday = std::vector<int>{6};
  CHECK(values(parse(FieldKind::day_of_week, "0", WeekdayNumbering::crontab), 0, 6) == sunday);
  CHECK(values(parse(FieldKind::day_of_week, "7", WeekdayNumbering::crontab), 0, 6) == sunday);
  CHECK(values(parse(FieldKind::day_of_week, "1-5", WeekdayNumbering::crontab), 0, 6) == std::vector<int>{0, 1, 2, 3, 4});
  CHECK(values(parse(FieldKind::day_of_week, "5-7", WeekdayNumbering::crontab), 0, 6) == std::vector<int>{4, 5, 6});
  CHECK(values(parse(FieldKind::day_of_week, "fri-sun", WeekdayNumbering::crontab), 0, 6) == std::vector<int>{4, 5, 6});
  CHECK(values(parse(FieldKind::day_of_week, "sun-tue", WeekdayNumbering::crontab), 0, 6) == std::vector<int>{0, 1, 6});
  CHECK(parse(FieldKind::day_of_week, "*", WeekdayNumbering::crontab).allows_all());
}

TEST_CASE("cron field: last, nth weekday and last weekday of the month") {
  // May 2026: 31 days, the 1st is a Friday (weekday 4).
  auto last = parse(FieldKind::day, "last");
  CHECK(last.matches_day(31, 31, 4));
  CHECK_FALSE(last.matches_day(30, 31, 4));
  auto second_friday = parse(FieldKind::day, "2nd fri");
  CHECK(second_friday.matches_day(8, 31, 4));
  CHECK_FALSE(second_friday.matches_day(1, 31, 4));
  auto last_sunday = parse(FieldKind::day, "last SUN");
  CHECK(last_sunday.text() == "last sun");
  CHECK(last_sunday.matches_day(31, 31, 4));
  CHECK_FALSE(last_sunday.matches_day(24, 31, 4));
  auto fifth_monday = parse(FieldKind::day, "5th mon");  // May 2026 has four Mondays
  for (int day = 1; day <= 31; ++day) CHECK_FALSE(fifth_monday.matches_day(day, 31, 4));
}

TEST_CASE("cron field: integers print as APScheduler prints them") {
  CHECK(parse(FieldKind::hour, "07").text() == "7");
  CHECK(parse(FieldKind::hour, "5-5").text() == "5");
  CHECK(parse(FieldKind::minute, "*/5").text() == "*/5");
}

TEST_CASE("cron field: next_allowed agrees with contains for every field and start value") {
  // Small fields use a bit mask, the year field its value table: both must give the
  // first value contains() allows at or after `from`, and -1 past the last.
  struct Case {
    FieldKind kind;
    const char* text;
    int min, max;
  };
  for (const Case& c : {Case{FieldKind::second, "*/7", 0, 59}, Case{FieldKind::second, "59", 0, 59},
                        Case{FieldKind::minute, "0,30-31,58", 0, 59}, Case{FieldKind::hour, "*", 0, 23},
                        Case{FieldKind::day, "2-30/7", 1, 31}, Case{FieldKind::month, "feb,dec", 1, 12},
                        Case{FieldKind::week, "53", 1, 53}, Case{FieldKind::day_of_week, "sat-sun", 0, 6},
                        Case{FieldKind::year, "1999,2030-2031,9999", 1970, 9999}}) {
    CronField field = parse(c.kind, c.text);
    int expected = -1;
    for (int from = c.max + 2; from >= c.min - 2; --from) {
      if (field.contains(from)) expected = from;
      INFO(c.text << " from " << from);
      REQUIRE(field.next_allowed(from) == expected);
    }
  }
}
