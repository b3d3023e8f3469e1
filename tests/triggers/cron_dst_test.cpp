// The project's DST rule for cron and crontab triggers, in zones with different shifts:
// Berlin and New York (1 hour at 02:00), Lord Howe (30 minutes), Santiago (at midnight).
#include <catch2/catch.hpp>

#include "trigger_test_support.h"

using apsched::testing::fire_times;
using Lines = std::vector<std::string>;

TEST_CASE("dst gap, Berlin: a daily time in the gap runs once, shifted forward by the gap") {
  CHECK(fire_times(R"({"type": "cron", "hour": 2, "minute": 30, "timezone": "Europe/Berlin"})", "2026-03-28T00:00:00+01:00", 3) ==
        Lines{"2026-03-28T02:30:00+01:00", "2026-03-29T03:30:00+02:00", "2026-03-30T02:30:00+02:00"});
}

TEST_CASE("dst gap, Berlin: several times in the gap all run, shifted, in order") {
  CHECK(fire_times(R"({"type": "cron", "hour": 2, "minute": "*/20", "timezone": "Europe/Berlin"})", "2026-03-29T00:00:00+01:00", 4) ==
        Lines{"2026-03-29T03:00:00+02:00", "2026-03-29T03:20:00+02:00", "2026-03-29T03:40:00+02:00",
              "2026-03-30T02:00:00+02:00"});
}

TEST_CASE("dst gap, Berlin: a shifted time meeting a regular one runs once") {
  CHECK(fire_times(R"({"type": "cron", "minute": "*/20", "timezone": "Europe/Berlin"})", "2026-03-29T01:20:00+01:00", 5) ==
        Lines{"2026-03-29T01:20:00+01:00", "2026-03-29T01:40:00+01:00", "2026-03-29T03:00:00+02:00",
              "2026-03-29T03:20:00+02:00", "2026-03-29T03:40:00+02:00"});
}

TEST_CASE("dst gap, Berlin: the shifted run is found also when asked from after the gap") {
  CHECK(fire_times(R"({"type": "cron", "hour": 2, "minute": 30, "timezone": "Europe/Berlin"})", "2026-03-29T03:01:00+02:00", 2) ==
        Lines{"2026-03-29T03:30:00+02:00", "2026-03-30T02:30:00+02:00"});
}

TEST_CASE("dst gap, Berlin: the day after the change is not skipped by midnight, weekly or monthly jobs") {
  CHECK(fire_times(R"({"type": "cron", "hour": 0, "timezone": "Europe/Berlin"})", "2026-03-29T00:00:00+01:00", 3) ==
        Lines{"2026-03-29T00:00:00+01:00", "2026-03-30T00:00:00+02:00", "2026-03-31T00:00:00+02:00"});
  CHECK(fire_times(R"({"type": "cron", "day_of_week": "mon", "timezone": "Europe/Berlin"})", "2026-03-23T00:00:00+01:00", 3) ==
        Lines{"2026-03-23T00:00:00+01:00", "2026-03-30T00:00:00+02:00", "2026-04-06T00:00:00+02:00"});
  CHECK(fire_times(R"({"type": "cron", "day": 1, "timezone": "America/New_York"})", "2026-03-01T00:00:00-05:00", 3) ==
        Lines{"2026-03-01T00:00:00-05:00", "2026-04-01T00:00:00-04:00", "2026-05-01T00:00:00-04:00"});
}

TEST_CASE("dst repeated hour, Berlin: a fixed-time job runs once, at the first occurrence") {
  CHECK(fire_times(R"({"type": "cron", "hour": 2, "minute": 30, "timezone": "Europe/Berlin"})", "2026-10-24T00:00:00+02:00", 3) ==
        Lines{"2026-10-24T02:30:00+02:00", "2026-10-25T02:30:00+02:00", "2026-10-26T02:30:00+01:00"});
  // asked from inside the second pass, after the first occurrence ran: the next day
  CHECK(fire_times(R"({"type": "cron", "hour": 2, "minute": 30, "timezone": "Europe/Berlin"})", "2026-10-25T02:10:00+01:00", 1) ==
        Lines{"2026-10-26T02:30:00+01:00"});
}

TEST_CASE("dst repeated hour, Berlin: a wildcard job runs in both passes, every 15 real minutes") {
  CHECK(fire_times(R"({"type": "cron", "minute": "*/15", "timezone": "Europe/Berlin"})", "2026-10-25T02:30:00+02:00", 6) ==
        Lines{"2026-10-25T02:30:00+02:00", "2026-10-25T02:45:00+02:00", "2026-10-25T02:00:00+01:00",
              "2026-10-25T02:15:00+01:00", "2026-10-25T02:30:00+01:00", "2026-10-25T02:45:00+01:00"});
  CHECK(fire_times(R"({"type": "cron", "hour": "*/2", "timezone": "Europe/Berlin"})", "2026-10-25T00:00:00+02:00", 4) ==
        Lines{"2026-10-25T00:00:00+02:00", "2026-10-25T02:00:00+02:00", "2026-10-25T02:00:00+01:00",
              "2026-10-25T04:00:00+01:00"});
}

TEST_CASE("dst repeated hour, New York: hourly at :00 and at :30 behave alike") {
  CHECK(fire_times(R"({"type": "cron", "minute": 0, "timezone": "America/New_York"})", "2026-11-01T00:00:00-04:00", 4) ==
        Lines{"2026-11-01T00:00:00-04:00", "2026-11-01T01:00:00-04:00", "2026-11-01T01:00:00-05:00",
              "2026-11-01T02:00:00-05:00"});
  CHECK(fire_times(R"({"type": "cron", "minute": 30, "timezone": "America/New_York"})", "2026-11-01T00:00:00-04:00", 4) ==
        Lines{"2026-11-01T00:30:00-04:00", "2026-11-01T01:30:00-04:00", "2026-11-01T01:30:00-05:00",
              "2026-11-01T02:30:00-05:00"});
}

TEST_CASE("dst, New York: a crontab job at 01:30 runs once on the fall-back day") {
  CHECK(fire_times(R"({"type": "crontab", "expr": "30 1 * * *", "timezone": "America/New_York"})", "2026-10-31T00:00:00-04:00", 3) ==
        Lines{"2026-10-31T01:30:00-04:00", "2026-11-01T01:30:00-04:00", "2026-11-02T01:30:00-05:00"});
}

TEST_CASE("dst gap, Lord Howe: the 30-minute gap shifts times by 30 minutes, interleaved with regular ones") {
  CHECK(fire_times(R"({"type": "cron", "hour": 2, "minute": 15, "timezone": "Australia/Lord_Howe"})", "2026-10-03T00:00:00+10:30", 3) ==
        Lines{"2026-10-03T02:15:00+10:30", "2026-10-04T02:45:00+11:00", "2026-10-05T02:15:00+11:00"});
  CHECK(fire_times(R"({"type": "cron", "hour": 2, "minute": "*/20", "timezone": "Australia/Lord_Howe"})", "2026-10-04T00:00:00+10:30", 4) ==
        Lines{"2026-10-04T02:30:00+11:00", "2026-10-04T02:40:00+11:00", "2026-10-04T02:50:00+11:00",
              "2026-10-05T02:00:00+11:00"});
}

TEST_CASE("dst repeated half hour, Lord Howe: fixed time once, wildcard in both passes") {
  CHECK(fire_times(R"({"type": "cron", "hour": 1, "minute": 30, "timezone": "Australia/Lord_Howe"})", "2026-04-05T00:00:00+11:00", 2) ==
        Lines{"2026-04-05T01:30:00+11:00", "2026-04-06T01:30:00+10:30"});
  CHECK(fire_times(R"({"type": "crontab", "expr": "*/15 * * * *", "timezone": "Australia/Lord_Howe"})", "2026-04-05T01:20:00+11:00", 5) ==
        Lines{"2026-04-05T01:30:00+11:00", "2026-04-05T01:45:00+11:00", "2026-04-05T01:30:00+10:30",
              "2026-04-05T01:45:00+10:30", "2026-04-05T02:00:00+10:30"});
}

TEST_CASE("dst gap at midnight, Santiago: midnight jobs run at 01:00, no day or week is skipped") {
  CHECK(fire_times(R"({"type": "cron", "hour": 0, "timezone": "America/Santiago"})", "2026-09-05T00:00:00-04:00", 3) ==
        Lines{"2026-09-05T00:00:00-04:00", "2026-09-06T01:00:00-03:00", "2026-09-07T00:00:00-03:00"});
  CHECK(fire_times(R"({"type": "cron", "day_of_week": "sun", "timezone": "America/Santiago"})", "2026-08-30T00:00:00-04:00", 3) ==
        Lines{"2026-08-30T00:00:00-04:00", "2026-09-06T01:00:00-03:00", "2026-09-13T00:00:00-03:00"});
  CHECK(fire_times(R"({"type": "cron", "minute": "*/15", "timezone": "America/Santiago"})", "2026-09-05T23:30:00-04:00", 4) ==
        Lines{"2026-09-05T23:30:00-04:00", "2026-09-05T23:45:00-04:00", "2026-09-06T01:00:00-03:00",
              "2026-09-06T01:15:00-03:00"});
}

TEST_CASE("dst repeated hour at midnight, Santiago: 23:00-23:59 twice") {
  CHECK(fire_times(R"({"type": "cron", "hour": 23, "minute": 30, "timezone": "America/Santiago"})", "2026-04-04T00:00:00-03:00", 2) ==
        Lines{"2026-04-04T23:30:00-03:00", "2026-04-05T23:30:00-04:00"});
  CHECK(fire_times(R"({"type": "cron", "minute": 30, "timezone": "America/Santiago"})", "2026-04-04T22:00:00-03:00", 4) ==
        Lines{"2026-04-04T22:30:00-03:00", "2026-04-04T23:30:00-03:00", "2026-04-04T23:30:00-04:00",
              "2026-04-05T00:30:00-04:00"});
}

TEST_CASE("dst: naive start and end dates read a repeated time at its first occurrence, a gap time shifted") {
  CHECK(fire_times(R"({"type": "cron", "minute": "*/10", "start_date": "2026-10-25T02:30:00", "timezone": "Europe/Berlin"})",
                   "2026-10-25T00:00:00+02:00", 4) ==
        Lines{"2026-10-25T02:30:00+02:00", "2026-10-25T02:40:00+02:00", "2026-10-25T02:50:00+02:00",
              "2026-10-25T02:00:00+01:00"});
  CHECK(fire_times(R"({"type": "cron", "minute": "*/30", "start_date": "2026-03-29T02:30:00", "timezone": "Europe/Berlin"})",
                   "2026-03-29T00:00:00+01:00", 2) == Lines{"2026-03-29T03:30:00+02:00", "2026-03-29T04:00:00+02:00"});
}

TEST_CASE("dst: fire times strictly increase through a whole year of changes") {
  for (const char* zone : {"Europe/Berlin", "America/New_York", "Australia/Lord_Howe", "America/Santiago", "Pacific/Chatham"}) {
    auto trigger = apsched::testing::trigger_from(std::string(R"({"type": "cron", "minute": "*/30", "timezone": ")") + zone + "\"}");
    auto t = trigger->next_fire_time(std::nullopt, apsched::testing::at("2026-01-01T00:00:00Z"));
    int count = 0;
    while (t && *t < apsched::testing::at("2027-01-01T00:00:00Z")) {
      auto next = trigger->next_fire_time(*t, *t);
      REQUIRE(next);
      REQUIRE(*next > *t);
      REQUIRE(*next - *t <= 30 * 60 * apsched::sdk::kMicrosPerSecond);  // never a hole in real time
      t = next;
      ++count;
    }
    CHECK(count >= 365 * 48 - 2);
  }
}
