// calendarinterval: calendar steps at a fixed wall-clock time, non-existent days skipped,
// DST gaps shifted, repeated times at their first occurrence.
#include <catch2/catch.hpp>

#include "calendar_sequence.h"
#include "trigger_test_support.h"

using apsched::testing::at;
using apsched::testing::fire_times;
using apsched::testing::refusal_of;
using apsched::testing::trigger_from;
using Lines = std::vector<std::string>;

TEST_CASE("calendarinterval: every month on the start's day, skipping months without it") {
  CHECK(fire_times(R"({"type": "calendarinterval", "months": 1, "hour": 9, "start_date": "2026-01-31", "timezone": "UTC"})",
                   "2026-01-01T00:00:00Z", 4) ==
        Lines{"2026-01-31T09:00:00+00:00", "2026-03-31T09:00:00+00:00", "2026-05-31T09:00:00+00:00",
              "2026-07-31T09:00:00+00:00"});
}

TEST_CASE("calendarinterval: every year from February 29 fires in leap years only") {
  CHECK(fire_times(R"({"type": "calendarinterval", "years": 1, "start_date": "2096-02-29", "timezone": "UTC"})",
                   "2096-01-01T00:00:00Z", 2) == Lines{"2096-02-29T00:00:00+00:00", "2104-02-29T00:00:00+00:00"});
}

TEST_CASE("calendarinterval: months then days, as APScheduler 4 adds them") {
  // Jan 31 + 1 month (Feb 31 does not exist: Mar 31) + 1 day = Apr 1; + 1 month + 1 day = May 2
  CHECK(fire_times(R"({"type": "calendarinterval", "months": 1, "days": 1, "start_date": "2026-01-31", "timezone": "UTC"})",
                   "2026-01-01T00:00:00Z", 3) ==
        Lines{"2026-01-31T00:00:00+00:00", "2026-04-01T00:00:00+00:00", "2026-05-02T00:00:00+00:00"});
  CHECK(fire_times(R"({"type": "calendarinterval", "weeks": 2, "second": 5, "start_date": "2026-05-01", "timezone": "UTC"})",
                   "2026-05-02T00:00:00Z", 2) == Lines{"2026-05-15T00:00:05+00:00", "2026-05-29T00:00:05+00:00"});
}

TEST_CASE("calendarinterval: the wall-clock time stays across DST changes") {
  CHECK(fire_times(R"({"type": "calendarinterval", "days": 1, "hour": 9, "start_date": "2026-03-27", "timezone": "Europe/Berlin"})",
                   "2026-03-27T00:00:00+01:00", 4) ==
        Lines{"2026-03-27T09:00:00+01:00", "2026-03-28T09:00:00+01:00", "2026-03-29T09:00:00+02:00",
              "2026-03-30T09:00:00+02:00"});
}

TEST_CASE("calendarinterval: a time in a gap runs shifted forward, a repeated time at its first occurrence") {
  CHECK(fire_times(R"({"type": "calendarinterval", "days": 1, "hour": 2, "minute": 30, "start_date": "2026-03-28", "timezone": "Europe/Berlin"})",
                   "2026-03-28T00:00:00+01:00", 3) ==
        Lines{"2026-03-28T02:30:00+01:00", "2026-03-29T03:30:00+02:00", "2026-03-30T02:30:00+02:00"});
  CHECK(fire_times(R"({"type": "calendarinterval", "days": 1, "hour": 2, "minute": 30, "start_date": "2026-10-24", "timezone": "Europe/Berlin"})",
                   "2026-10-24T00:00:00+02:00", 3) ==
        Lines{"2026-10-24T02:30:00+02:00", "2026-10-25T02:30:00+02:00", "2026-10-26T02:30:00+01:00"});
  CHECK(fire_times(R"({"type": "calendarinterval", "days": 1, "hour": 0, "minute": 30, "start_date": "2026-09-05", "timezone": "America/Santiago"})",
                   "2026-09-05T00:00:00-04:00", 3) ==
        Lines{"2026-09-05T00:30:00-04:00", "2026-09-06T01:30:00-03:00", "2026-09-07T00:30:00-03:00"});
  CHECK(fire_times(R"({"type": "calendarinterval", "weeks": 1, "hour": 2, "minute": 10, "start_date": "2026-10-04", "timezone": "Australia/Lord_Howe"})",
                   "2026-10-01T00:00:00+10:30", 2) == Lines{"2026-10-04T02:40:00+11:00", "2026-10-11T02:10:00+11:00"});
}

TEST_CASE("calendarinterval: asked late, it resumes on its own dates, and end_date is inclusive") {
  CHECK(fire_times(R"({"type": "calendarinterval", "days": 3, "start_date": "2000-01-01", "end_date": "2026-05-10", "timezone": "UTC"})",
                   "2026-05-01T12:00:00Z", 5) == Lines{"2026-05-02T00:00:00+00:00", "2026-05-05T00:00:00+00:00",
                                                       "2026-05-08T00:00:00+00:00"});
  CHECK(fire_times(R"({"type": "calendarinterval", "months": 5, "start_date": "1999-08-31", "timezone": "UTC"})",
                   "2026-05-01T00:00:00Z", 2) == Lines{"2027-07-31T00:00:00+00:00", "2027-12-31T00:00:00+00:00"});
}

TEST_CASE("calendarinterval: start_date defaults to today in the trigger's zone") {
  auto host = apsched::testing::make_host("UTC", at("2026-05-01T22:30:00Z"));  // 07:30 in Tokyo
  auto trigger = apsched::testing::make_trigger(
      *host, apsched::testing::config(R"({"type": "calendarinterval", "days": 1, "hour": 8, "timezone": "Asia/Tokyo"})"));
  CHECK(trigger->state().find("start_date")->as_string() == "2026-05-02");
  CHECK(fire_times(*trigger, "2026-05-01T22:30:00Z", 1) == Lines{"2026-05-02T08:00:00+09:00"});
}

TEST_CASE("calendarinterval: describe() and state()") {
  auto trigger = trigger_from(
      R"({"type": "calendarinterval", "months": 1, "hour": 9, "start_date": "2026-01-31", "end_date": "2027-01-31", "timezone": "Europe/Berlin"})");
  CHECK(trigger->describe() == "calendarinterval[months=1, time='09:00:00', start_date='2026-01-31', end_date='2027-01-31']");
  CHECK(trigger->timezone() == "Europe/Berlin");
  auto copy = apsched::testing::recreate(*trigger, "calendarinterval");
  CHECK(copy->state() == trigger->state());
  CHECK(fire_times(*copy, "2026-02-01T00:00:00Z", 2) == fire_times(*trigger, "2026-02-01T00:00:00Z", 2));
}

TEST_CASE("calendarinterval: refused configs") {
  CHECK(refusal_of(R"({"type": "calendarinterval", "hour": 9})").message ==
        "the interval of a calendarinterval trigger must be at least 1 day long: set years, months, weeks or days (e.g. months: 1)");
  CHECK(refusal_of(R"({"type": "calendarinterval", "days": 1, "hour": 24})").message ==
        "hour: 24 is out of range 0-23 in calendarinterval trigger");
  CHECK(refusal_of(R"({"type": "calendarinterval", "months": -1})").field == "months");
  // More years than fire times have (a step of 100,000 years once wrapped into a wrong date).
  CHECK(refusal_of(R"({"type": "calendarinterval", "years": 10000})").message ==
        "years: 10000 is out of range 0-9999 in calendarinterval trigger");
  CHECK(refusal_of(R"({"type": "calendarinterval", "days": 1, "start_date": "2026-02-30"})").field == "start_date");
  CHECK_THAT(refusal_of(R"({"type": "calendarinterval", "days": 1, "start_date": "2026-02-01T09:00:00"})").message,
             Catch::Contains("expected YYYY-MM-DD"));
  CHECK(refusal_of(R"({"type": "calendarinterval", "days": 1, "start_date": "2026-02-01", "end_date": "2026-01-01"})").message ==
        "end_date: 2026-01-01 is earlier than start_date 2026-02-01 in calendarinterval trigger");
  CHECK(refusal_of(R"({"type": "calendarinterval", "days": 1, "minutes": 5})").field == "minutes");
}

TEST_CASE("calendar sequence: a date far ahead is reached without walking every step") {
  using apsched::triggers::calendarinterval::CalendarSequence;
  CalendarSequence daily(date::year{1970} / 1 / 1, {0, 0, 0, 1});
  CHECK(daily.first_on_or_after(date::year{9999} / 12 / 30) == date::year_month_day{date::year{9999} / 12 / 30});
  CalendarSequence monthly(date::year{1970} / 1 / 31, {0, 1, 0, 0});
  CHECK(monthly.first_on_or_after(date::year{9000} / 2 / 1) == date::year_month_day{date::year{9000} / 3 / 31});
  CHECK(daily.after(date::year{9999} / 12 / 31) == std::nullopt);
}
