// The crontab trigger: crontab(5) meaning of a five-field line, macros, state.
#include <catch2/catch.hpp>

#include "trigger_test_support.h"

using apsched::testing::fire_times;
using apsched::testing::refusal_of;
using apsched::testing::trigger_from;
using Lines = std::vector<std::string>;

TEST_CASE("crontab: the five fields are minute, hour, day of month, month, day of week") {
  CHECK(fire_times(R"({"type": "crontab", "expr": "15 14 1 * *", "timezone": "America/New_York"})", "2026-05-01T00:00:00-04:00", 2) ==
        Lines{"2026-05-01T14:15:00-04:00", "2026-06-01T14:15:00-04:00"});
  CHECK(fire_times(R"({"type": "crontab", "expr": "  0   12  *  *  *  ", "timezone": "UTC"})", "2026-05-01T00:00:00Z", 1) ==
        Lines{"2026-05-01T12:00:00+00:00"});
}

TEST_CASE("crontab: day of week 1-5 is Monday to Friday, 0 and 7 are Sunday") {
  CHECK(fire_times(R"({"type": "crontab", "expr": "0 9 * * 1-5", "timezone": "UTC"})", "2026-05-01T00:00:00Z", 3) ==
        Lines{"2026-05-01T09:00:00+00:00", "2026-05-04T09:00:00+00:00", "2026-05-05T09:00:00+00:00"});
  auto sundays = Lines{"2026-05-03T00:00:00+00:00", "2026-05-10T00:00:00+00:00"};
  CHECK(fire_times(R"({"type": "crontab", "expr": "0 0 * * 0", "timezone": "UTC"})", "2026-05-01T00:00:00Z", 2) == sundays);
  CHECK(fire_times(R"({"type": "crontab", "expr": "0 0 * * 7", "timezone": "UTC"})", "2026-05-01T00:00:00Z", 2) == sundays);
  CHECK(fire_times(R"({"type": "crontab", "expr": "0 0 * * SUN", "timezone": "UTC"})", "2026-05-01T00:00:00Z", 2) == sundays);
}

TEST_CASE("crontab: day of month OR day of week when both are restricted") {
  // the 13th of each month, and every Friday
  CHECK(fire_times(R"({"type": "crontab", "expr": "0 0 13 * fri", "timezone": "UTC"})", "2026-02-01T00:00:00Z", 4) ==
        Lines{"2026-02-06T00:00:00+00:00", "2026-02-13T00:00:00+00:00", "2026-02-20T00:00:00+00:00",
              "2026-02-27T00:00:00+00:00"});
  CHECK(fire_times(R"({"type": "crontab", "expr": "0 0 13 * *", "timezone": "UTC"})", "2026-02-01T00:00:00Z", 1) ==
        Lines{"2026-02-13T00:00:00+00:00"});
  // a field starting with * counts as unrestricted: AND
  CHECK(fire_times(R"({"type": "crontab", "expr": "0 0 */2 * mon", "timezone": "UTC"})", "2026-05-01T00:00:00Z", 2) ==
        Lines{"2026-05-11T00:00:00+00:00", "2026-05-25T00:00:00+00:00"});
}

TEST_CASE("crontab: a step on a weekday name range is honoured") {
  CHECK(fire_times(R"({"type": "crontab", "expr": "0 8 * * mon-fri/2", "timezone": "UTC"})", "2026-05-04T00:00:00Z", 4) ==
        Lines{"2026-05-04T08:00:00+00:00", "2026-05-06T08:00:00+00:00", "2026-05-08T08:00:00+00:00",
              "2026-05-11T08:00:00+00:00"});
}

TEST_CASE("crontab: macros") {
  const std::string from = "2026-05-01T10:30:00Z";
  auto first = [&](const std::string& macro) {
    return fire_times(R"({"type": "crontab", "expr": ")" + macro + R"(", "timezone": "UTC"})", from, 1);
  };
  CHECK(first("@yearly") == Lines{"2027-01-01T00:00:00+00:00"});
  CHECK(first("@annually") == Lines{"2027-01-01T00:00:00+00:00"});
  CHECK(first("@monthly") == Lines{"2026-06-01T00:00:00+00:00"});
  CHECK(first("@weekly") == Lines{"2026-05-03T00:00:00+00:00"});
  CHECK(first("@daily") == Lines{"2026-05-02T00:00:00+00:00"});
  CHECK(first("@midnight") == Lines{"2026-05-02T00:00:00+00:00"});
  CHECK(first("@hourly") == Lines{"2026-05-01T11:00:00+00:00"});
}

TEST_CASE("crontab: @hourly is a wildcard job in a repeated hour") {
  CHECK(fire_times(R"({"type": "crontab", "expr": "@hourly", "timezone": "Europe/Berlin"})", "2026-10-25T01:30:00+02:00", 3) ==
        Lines{"2026-10-25T02:00:00+02:00", "2026-10-25T02:00:00+01:00", "2026-10-25T03:00:00+01:00"});
}

TEST_CASE("crontab: wrong field counts and unknown macros are refused, saying why") {
  auto six = refusal_of(R"({"type": "crontab", "expr": "0 0 0 * * *", "timezone": "UTC"})");
  CHECK(six.field == "expr");
  CHECK(six.message == "expr: '0 0 0 * * *' has 6 fields in crontab trigger; expected 5 fields: minute hour "
                       "day-of-month month day-of-week; a crontab line has no seconds field: for seconds use "
                       "{type: cron, second: ...}");
  CHECK_THAT(refusal_of(R"({"type": "crontab", "expr": "0 0 * *"})").message,
             Catch::Contains("has 4 field(s) in crontab trigger; expected 5 fields"));
  CHECK_THAT(refusal_of(R"({"type": "crontab", "expr": "@reboot"})").message,
             Catch::Contains("unknown macro '@reboot'") && Catch::Contains("@hourly"));
  CHECK_THAT(refusal_of(R"({"type": "crontab"})").message, Catch::Contains("expr: missing"));
  auto bad = refusal_of(R"({"type": "crontab", "expr": "0 0 L * *"})");
  CHECK(bad.message == "expr field 3 (day of month): 'L' is not a valid expression in crontab trigger; expected *, */N, A, "
                       "A-B, A/N or A-B/N with A, B in 1-31, or last, or 1st-5th or last followed by a weekday name "
                       "(e.g. '2nd fri', 'last sun')");
  CHECK(refusal_of(R"({"type": "crontab", "expr": "0 0 * * 8"})").message ==
        "expr field 5 (day of week): '8' is out of range 0-7 in crontab trigger");
}

TEST_CASE("crontab: describe() and state()") {
  auto trigger = trigger_from(R"({"type": "crontab", "expr": "*/5 9-17 * * mon-fri", "timezone": "Europe/Berlin"})");
  CHECK(trigger->describe() == "crontab[expr='*/5 9-17 * * mon-fri']");
  auto state = trigger->state();
  CHECK(state.find("expr")->as_string() == "*/5 9-17 * * mon-fri");
  CHECK(state.find("timezone")->as_string() == "Europe/Berlin");
  auto copy = apsched::testing::recreate(*trigger, "crontab");
  CHECK(fire_times(*copy, "2026-05-01T16:50:00+02:00", 3) ==
        Lines{"2026-05-01T16:50:00+02:00", "2026-05-01T16:55:00+02:00", "2026-05-01T17:00:00+02:00"});
}
