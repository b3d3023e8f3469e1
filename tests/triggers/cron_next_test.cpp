// Next fire times of cron triggers away from DST changes: defaulting, calendar edge cases,
// bounds, impossible schedules, speed.
#include <catch2/catch.hpp>

#include <chrono>

#include "trigger_test_support.h"

using apsched::testing::at;
using apsched::testing::fire_times;
using apsched::testing::trigger_from;
using Lines = std::vector<std::string>;

TEST_CASE("cron: fields below the most significant set field default to their minimum") {
  CHECK(fire_times(R"({"type": "cron", "hour": 9, "timezone": "UTC"})", "2026-05-01T10:00:00Z", 2) ==
        Lines{"2026-05-02T09:00:00+00:00", "2026-05-03T09:00:00+00:00"});
  CHECK(fire_times(R"({"type": "cron", "day": "1", "timezone": "UTC"})", "2026-05-02T00:00:00Z", 2) ==
        Lines{"2026-06-01T00:00:00+00:00", "2026-07-01T00:00:00+00:00"});
  // above the set field: `*`
  CHECK(fire_times(R"({"type": "cron", "minute": "30", "timezone": "UTC"})", "2026-05-01T10:31:00Z", 2) ==
        Lines{"2026-05-01T11:30:00+00:00", "2026-05-01T12:30:00+00:00"});
  // nothing set: every second
  CHECK(fire_times(R"({"type": "cron", "timezone": "UTC"})", "2026-05-01T10:00:00.5Z", 2) ==
        Lines{"2026-05-01T10:00:01+00:00", "2026-05-01T10:00:02+00:00"});
}

TEST_CASE("cron: the first fire time is at or after now, the next strictly after the previous") {
  auto trigger = trigger_from(R"({"type": "cron", "minute": "*/5", "timezone": "UTC"})");
  CHECK(trigger->next_fire_time(std::nullopt, at("2026-05-01T10:05:00Z")) == at("2026-05-01T10:05:00Z"));
  CHECK(trigger->next_fire_time(at("2026-05-01T10:05:00Z"), at("2026-05-01T10:05:00Z")) == at("2026-05-01T10:10:00Z"));
}

TEST_CASE("cron: day 31 skips the months that have no 31st") {
  CHECK(fire_times(R"({"type": "cron", "day": 31, "timezone": "UTC"})", "2026-01-01T00:00:00Z", 4) ==
        Lines{"2026-01-31T00:00:00+00:00", "2026-03-31T00:00:00+00:00", "2026-05-31T00:00:00+00:00",
              "2026-07-31T00:00:00+00:00"});
}

TEST_CASE("cron: February 29 fires only in leap years, across the 2100 century rule") {
  CHECK(fire_times(R"({"type": "cron", "month": 2, "day": 29, "timezone": "UTC"})", "2092-01-01T00:00:00Z", 3) ==
        Lines{"2092-02-29T00:00:00+00:00", "2096-02-29T00:00:00+00:00", "2104-02-29T00:00:00+00:00"});
}

TEST_CASE("cron: 'last' in February of leap and common years") {
  CHECK(fire_times(R"({"type": "cron", "month": "feb", "day": "last", "timezone": "UTC"})", "2027-01-01T00:00:00Z", 3) ==
        Lines{"2027-02-28T00:00:00+00:00", "2028-02-29T00:00:00+00:00", "2029-02-28T00:00:00+00:00"});
}

TEST_CASE("cron: nth and last weekday of the month") {
  CHECK(fire_times(R"({"type": "cron", "day": "2nd fri", "hour": 9, "timezone": "UTC"})", "2026-05-01T00:00:00Z", 2) ==
        Lines{"2026-05-08T09:00:00+00:00", "2026-06-12T09:00:00+00:00"});
  CHECK(fire_times(R"({"type": "cron", "day": "last sun", "timezone": "UTC"})", "2026-05-01T00:00:00Z", 2) ==
        Lines{"2026-05-31T00:00:00+00:00", "2026-06-28T00:00:00+00:00"});
  CHECK(fire_times(R"({"type": "cron", "day": "5th sat", "month": 2, "timezone": "UTC"})", "2026-01-01T00:00:00Z", 1) ==
        Lines{"2048-02-29T00:00:00+00:00"});
}

TEST_CASE("cron: ISO week and weekday fields") {
  CHECK(fire_times(R"({"type": "cron", "week": 1, "day_of_week": "mon", "timezone": "UTC"})", "2026-06-01T00:00:00Z", 2) ==
        Lines{"2027-01-04T00:00:00+00:00", "2028-01-03T00:00:00+00:00"});
  CHECK(fire_times(R"({"type": "cron", "day_of_week": "sat-sun", "hour": 8, "timezone": "UTC"})", "2026-05-01T00:00:00Z", 3) ==
        Lines{"2026-05-02T08:00:00+00:00", "2026-05-03T08:00:00+00:00", "2026-05-09T08:00:00+00:00"});
}

TEST_CASE("cron: a step on a weekday name range is honoured") {
  CHECK(fire_times(R"({"type": "cron", "day_of_week": "mon-fri/2", "hour": 9, "timezone": "UTC"})", "2026-05-04T00:00:00Z", 4) ==
        Lines{"2026-05-04T09:00:00+00:00", "2026-05-06T09:00:00+00:00", "2026-05-08T09:00:00+00:00",
              "2026-05-11T09:00:00+00:00"});
}

TEST_CASE("cron: impossible schedules never fire and say so at once") {
  for (const char* json : {R"({"type": "cron", "month": 2, "day": 30, "timezone": "UTC"})",
                           R"({"type": "cron", "month": "apr", "day": 31, "timezone": "Europe/Berlin"})",
                           R"({"type": "cron", "year": 2027, "month": 2, "day": 29, "timezone": "UTC"})",
                           R"({"type": "cron", "week": 53, "month": 6, "timezone": "UTC"})",
                           R"({"type": "cron", "day": "5th mon", "month": 2, "day_of_week": "tue", "timezone": "UTC"})"}) {
    auto start = std::chrono::steady_clock::now();
    CHECK(trigger_from(json)->next_fire_time(std::nullopt, at("2026-01-01T00:00:00Z")) == std::nullopt);
    CHECK(std::chrono::steady_clock::now() - start < std::chrono::milliseconds(200));
  }
}

TEST_CASE("cron: a year range ends the schedule") {
  CHECK(fire_times(R"({"type": "cron", "year": "2026-2027", "month": 12, "day": 25, "timezone": "UTC"})",
                   "2026-01-01T00:00:00Z", 5) == Lines{"2026-12-25T00:00:00+00:00", "2027-12-25T00:00:00+00:00"});
  CHECK(fire_times(R"({"type": "cron", "year": 9999, "month": 12, "day": 31, "hour": 23, "minute": 59, "second": 59, "timezone": "UTC"})",
                   "2026-01-01T00:00:00Z", 5) == Lines{"9999-12-31T23:59:59+00:00"});
}

TEST_CASE("cron: start_date and end_date bound the schedule, inclusive") {
  CHECK(fire_times(R"({"type": "cron", "hour": 12, "start_date": "2026-06-10", "end_date": "2026-06-12T12:00:00", "timezone": "Europe/Berlin"})",
                   "2026-06-01T00:00:00+02:00", 5) ==
        Lines{"2026-06-10T12:00:00+02:00", "2026-06-11T12:00:00+02:00", "2026-06-12T12:00:00+02:00"});
  CHECK(fire_times(R"({"type": "cron", "hour": 12, "start_date": "2026-06-10T10:00:00Z", "timezone": "Europe/Berlin"})",
                   "2026-06-01T00:00:00+02:00", 1) == Lines{"2026-06-10T12:00:00+02:00"});
}

TEST_CASE("cron: end_date before start_date gives no fire time") {
  CHECK(fire_times(R"({"type": "cron", "minute": "*/10", "start_date": "2026-06-02", "end_date": "2026-06-01", "timezone": "UTC"})",
                   "2026-06-01T00:00:00Z", 3)
            .empty());
}

TEST_CASE("cron: a schedule matching once in decades is found fast") {
  auto trigger = trigger_from(R"({"type": "cron", "month": 2, "day": 29, "day_of_week": "mon", "timezone": "America/New_York"})");
  auto start = std::chrono::steady_clock::now();
  for (int i = 0; i < 100; ++i) trigger->next_fire_time(std::nullopt, at("2017-01-01T00:00:00Z"));
  CHECK(std::chrono::steady_clock::now() - start < std::chrono::milliseconds(100));
  CHECK(fire_times(*trigger, "2017-01-01T00:00:00Z", 2) == Lines{"2044-02-29T00:00:00-05:00", "2072-02-29T00:00:00-05:00"});
}

TEST_CASE("cron: jitter delays each fire time by at most its seconds") {
  auto trigger = trigger_from(R"({"type": "cron", "minute": 0, "jitter": 30, "timezone": "UTC"})");
  CHECK(trigger->state().find("jitter")->as_number() == 30);
  for (int i = 0; i < 50; ++i) {
    auto fire = trigger->next_fire_time(std::nullopt, at("2026-05-01T10:00:01Z"));
    REQUIRE(fire);
    CHECK(*fire >= at("2026-05-01T11:00:00Z"));
    CHECK(*fire <= at("2026-05-01T11:00:30Z"));
  }
}

TEST_CASE("cron: the host's zone is used when none is given") {
  auto host = apsched::testing::make_host("Asia/Kolkata");
  auto trigger = apsched::testing::make_trigger(*host, apsched::testing::config(R"({"type": "cron", "hour": 9})"));
  CHECK(trigger->timezone() == "Asia/Kolkata");
  CHECK(fire_times(*trigger, "2026-05-01T00:00:00Z", 1) == Lines{"2026-05-01T09:00:00+05:30"});
}

TEST_CASE("cron: describe() is APScheduler's str(), state() recreates the trigger") {
  auto trigger = trigger_from(
      R"({"type": "cron", "minute": 30, "hour": "9", "day_of_week": "MON-fri", "start_date": "2026-06-10", "end_date": "2027-01-01T00:00:00Z", "timezone": "Europe/Berlin"})");
  CHECK(trigger->describe() == "cron[day_of_week='mon-fri', hour='9', minute='30']");
  CHECK(trigger->timezone() == "Europe/Berlin");
  auto state = trigger->state();
  CHECK(state.find("start_date")->as_string() == "2026-06-10T00:00:00+02:00");
  CHECK(state.find("end_date")->as_string() == "2027-01-01T01:00:00+01:00");
  CHECK(state.find("minute")->as_string() == "30");
  CHECK(state.find("second") == nullptr);  // defaulted fields are not written
  auto copy = apsched::testing::recreate(*trigger, "cron");
  CHECK(copy->describe() == trigger->describe());
  CHECK(copy->state() == state);
  CHECK(fire_times(*copy, "2026-06-01T00:00:00Z", 3) ==
        Lines{"2026-06-10T09:30:00+02:00", "2026-06-11T09:30:00+02:00", "2026-06-12T09:30:00+02:00"});
}
