// Time helpers: ISO 8601 parsing and formatting, zones, DST gaps and folds, durations.
#include <apsched/sdk/status.h>
#include <apsched/sdk/time.h>

#include <catch2/catch.hpp>
#include <date/tz.h>
#include <cstdlib>
#include <functional>
#include <string>

using namespace apsched::sdk;

namespace {

constexpr Timestamp kSecond = kMicrosPerSecond;
constexpr Timestamp kHour = 3600 * kSecond;

// 2026-06-10T12:00:00Z
constexpr Timestamp kJune10Noon = 1'781'092'800 * kSecond;

Error error_of(std::string_view text, std::string_view zone = "UTC", std::string_view field = "start_date") {
  try {
    parse_datetime(text, zone, field);
  } catch (const Error& e) {
    return e;
  }
  FAIL("no error for '" << text << "'");
  return Error("");
}

}  // namespace

TEST_CASE("parse_datetime: date only is midnight in the zone", "[time][parse]") {
  CHECK(parse_datetime("2026-06-10", "UTC") == kJune10Noon - 12 * kHour);
  CHECK(parse_datetime("2026-06-10", "Europe/Berlin") == kJune10Noon - 14 * kHour);
  CHECK(parse_datetime("1970-01-01", "UTC") == 0);
}

TEST_CASE("parse_datetime: date and time, with T or a space, seconds optional", "[time][parse]") {
  CHECK(parse_datetime("2026-06-10T12:00:00", "UTC") == kJune10Noon);
  CHECK(parse_datetime("2026-06-10 12:00:00", "UTC") == kJune10Noon);
  CHECK(parse_datetime("2026-06-10T12:00", "UTC") == kJune10Noon);
  CHECK(parse_datetime("2026-06-10T12:34:56", "UTC") == kJune10Noon + (34 * 60 + 56) * kSecond);
}

TEST_CASE("parse_datetime: naive times are read in the given zone", "[time][parse]") {
  CHECK(parse_datetime("2026-06-10T12:00:00", "Europe/Berlin") == kJune10Noon - 2 * kHour);  // CEST
  CHECK(parse_datetime("2026-01-10T12:00:00", "Europe/Berlin") ==
        parse_datetime("2026-01-10T11:00:00", "UTC"));  // CET
  CHECK(parse_datetime("2026-06-10T12:00:00", "Asia/Kolkata") == kJune10Noon - 5 * kHour - 30 * 60 * kSecond);
  CHECK(parse_datetime("2026-06-10T12:00:00", "America/New_York") == kJune10Noon + 4 * kHour);
}

TEST_CASE("parse_datetime: fractions of a second", "[time][parse]") {
  CHECK(parse_datetime("2026-06-10T12:00:00.5", "UTC") == kJune10Noon + 500'000);
  CHECK(parse_datetime("2026-06-10T12:00:00.250", "UTC") == kJune10Noon + 250'000);
  CHECK(parse_datetime("2026-06-10T12:00:00.000001", "UTC") == kJune10Noon + 1);
  CHECK(parse_datetime("2026-06-10T12:00:00.123456", "UTC") == kJune10Noon + 123'456);
  CHECK(parse_datetime("2026-06-10T12:00:00.1234569", "UTC") == kJune10Noon + 123'456);  // truncated
}

TEST_CASE("parse_datetime: an explicit offset or Z overrides the zone", "[time][parse]") {
  CHECK(parse_datetime("2026-06-10T12:00:00Z", "Europe/Berlin") == kJune10Noon);
  CHECK(parse_datetime("2026-06-10T12:00:00+00:00", "Asia/Tokyo") == kJune10Noon);
  CHECK(parse_datetime("2026-06-10T17:30:00+05:30", "Europe/Berlin") == kJune10Noon);
  CHECK(parse_datetime("2026-06-10T04:00:00-0800", "UTC") == kJune10Noon);
  CHECK(parse_datetime("2026-06-10T14:00:00+02", "UTC") == kJune10Noon);
  CHECK(parse_datetime("2026-06-10T12:00:00.5Z", "UTC") == kJune10Noon + 500'000);
  CHECK(parse_datetime("2026-06-10 20:45:00+08:45", "UTC") == kJune10Noon);
}

TEST_CASE("parse_datetime: leap days and the ends of ranges", "[time][parse]") {
  CHECK(parse_datetime("2024-02-29", "UTC") == parse_datetime("2024-03-01", "UTC") - 24 * kHour);
  CHECK(parse_datetime("2026-12-31T23:59:59", "UTC") == parse_datetime("2027-01-01", "UTC") - kSecond);
  CHECK(parse_datetime("1969-12-31T23:59:59", "UTC") == -kSecond);
}

TEST_CASE("parse_datetime: bad text is refused naming the field and the accepted forms", "[time][parse]") {
  Error e = error_of("yesterday");
  CHECK(e.field() == "start_date");
  CHECK(e.code() == Code::invalid_argument);
  CHECK_THAT(e.what(), Catch::Contains("'yesterday'") && Catch::Contains("2026-06-10T12:00:00") &&
                           Catch::Contains("+02:00"));

  for (const char* bad : {"", "2026", "2026-6-10", "2026/06/10", "2026-06-10T", "2026-06-10T12",
                          "2026-06-10T1:00:00", "2026-06-10T12:00:00.", "2026-06-10T12:00:00 ",
                          "2026-06-10T12:00:00+5", "2026-06-10T12:00:00+05:3", "2026-06-10T12:00:00UTC",
                          "2026-06-10x", "10.06.2026", "+2026-06-10"}) {
    INFO("text: '" << bad << "'");
    CHECK(error_of(bad).field() == "start_date");
  }
}

TEST_CASE("parse_datetime: impossible dates and times are refused", "[time][parse]") {
  CHECK_THAT(error_of("2026-02-30T00:00:00").what(), Catch::Contains("no such day"));
  CHECK_THAT(error_of("2026-02-29").what(), Catch::Contains("no such day"));
  CHECK_THAT(error_of("2026-13-01").what(), Catch::Contains("no such day"));
  CHECK_THAT(error_of("2026-00-10").what(), Catch::Contains("no such day"));
  CHECK_THAT(error_of("2026-06-10T24:00:00").what(), Catch::Contains("time out of range"));
  CHECK_THAT(error_of("2026-06-10T12:60:00").what(), Catch::Contains("time out of range"));
  CHECK_THAT(error_of("2026-06-10T12:00:60").what(), Catch::Contains("time out of range"));
  CHECK_THAT(error_of("2026-06-10 25:00:00").what(), Catch::Contains("time out of range"));
  CHECK_THAT(error_of("2026-06-10T12:00:00+24:00").what(), Catch::Contains("bad UTC offset"));
  CHECK_THAT(error_of("2026-06-10T12:00:00+05:60").what(), Catch::Contains("bad UTC offset"));
}

// std::from_chars alone would accept a sign ("T-1:00:00" read as 23:00 the day before).
TEST_CASE("parse_datetime: signed fields are refused", "[time][parse]") {
  CHECK_THROWS_AS(parse_datetime("2026-06-10T-1:00:00", "UTC"), Error);
  CHECK_THROWS_AS(parse_datetime("2026-06-10T12:-5:00", "UTC"), Error);
  CHECK_THROWS_AS(parse_datetime("2026-06-10T12:00:-1", "UTC"), Error);
  CHECK_THROWS_AS(parse_datetime("2026-06-10T12:00:00+-1:00", "UTC"), Error);
  CHECK_THROWS_AS(parse_datetime("-026-06-10", "UTC"), Error);
}

TEST_CASE("parse_datetime: an unknown zone is refused", "[time][parse]") {
  CHECK_THROWS_AS(parse_datetime("2026-06-10T12:00:00", "Mars/Olympus"), Error);
}

TEST_CASE("format_datetime: ISO 8601 with the zone's offset at that instant", "[time][format]") {
  CHECK(format_datetime(kJune10Noon, "UTC") == "2026-06-10T12:00:00+00:00");
  CHECK(format_datetime(kJune10Noon, "Europe/Berlin") == "2026-06-10T14:00:00+02:00");
  CHECK(format_datetime(parse_datetime("2026-01-10T12:00:00Z", "UTC"), "Europe/Berlin") ==
        "2026-01-10T13:00:00+01:00");
  CHECK(format_datetime(kJune10Noon, "America/New_York") == "2026-06-10T08:00:00-04:00");
  CHECK(format_datetime(0, "UTC") == "1970-01-01T00:00:00+00:00");
}

TEST_CASE("format_datetime: half-hour and quarter-hour zones", "[time][format]") {
  CHECK(format_datetime(kJune10Noon, "Asia/Kolkata") == "2026-06-10T17:30:00+05:30");
  CHECK(format_datetime(kJune10Noon, "Asia/Kathmandu") == "2026-06-10T17:45:00+05:45");
  CHECK(format_datetime(kJune10Noon, "America/St_Johns") == "2026-06-10T09:30:00-02:30");
  CHECK(format_datetime(0, "America/St_Johns") == "1969-12-31T20:30:00-03:30");
  CHECK(format_datetime(kJune10Noon, "Australia/Lord_Howe") == "2026-06-10T22:30:00+10:30");
  CHECK(format_datetime(parse_datetime("2026-01-10T12:00:00Z", "UTC"), "Australia/Lord_Howe") ==
        "2026-01-10T23:00:00+11:00");
  CHECK(format_datetime(kJune10Noon, "Pacific/Chatham") == "2026-06-11T00:45:00+12:45");
}

TEST_CASE("format_datetime: microseconds only when not zero, also before 1970", "[time][format]") {
  CHECK(format_datetime(kJune10Noon + 500'000, "UTC") == "2026-06-10T12:00:00.500000+00:00");
  CHECK(format_datetime(kJune10Noon + 1, "UTC") == "2026-06-10T12:00:00.000001+00:00");
  CHECK(format_datetime(-500'000, "UTC") == "1969-12-31T23:59:59.500000+00:00");
  CHECK(format_datetime(-1, "UTC") == "1969-12-31T23:59:59.999999+00:00");
}

TEST_CASE("format_datetime: a local-mean-time offset keeps its seconds", "[time][format]") {
  // Berlin used LMT +0:53:28 until 1893.
  CHECK(format_datetime(parse_datetime("1890-01-01T00:00:00", "Europe/Berlin"), "Europe/Berlin") ==
        "1890-01-01T00:00:00+00:53:28");
}

TEST_CASE("format_datetime and parse_datetime round-trip", "[time][format]") {
  for (const char* zone : {"UTC", "Europe/Berlin", "Asia/Kolkata", "America/St_Johns", "Pacific/Chatham"}) {
    for (Timestamp t : {kJune10Noon, kJune10Noon + 123'456, Timestamp{0}, -kSecond, Timestamp{2'208'988'800} * kSecond}) {
      INFO(zone << " " << t);
      CHECK(parse_datetime(format_datetime(t, zone), "UTC") == t);
    }
  }
}

TEST_CASE("from_civil: a wall time in a spring-forward gap moves forward by the gap", "[time][dst]") {
  // Europe/Berlin, 2026-03-29: 02:00 CET jumps to 03:00 CEST.
  Timestamp t = from_civil({2026, 3, 29, 2, 30, 0, 0}, "Europe/Berlin");
  CHECK(format_datetime(t, "Europe/Berlin") == "2026-03-29T03:30:00+02:00");
  CHECK(t == parse_datetime("2026-03-29T01:30:00Z", "UTC"));
  CHECK(from_civil_fold({2026, 3, 29, 2, 30, 0, 0}, "Europe/Berlin") == t);
  CHECK(parse_datetime("2026-03-29T02:30:00", "Europe/Berlin") == t);
  // Just before and after the gap.
  CHECK(format_datetime(from_civil({2026, 3, 29, 1, 59, 59, 0}, "Europe/Berlin"), "Europe/Berlin") ==
        "2026-03-29T01:59:59+01:00");
  CHECK(format_datetime(from_civil({2026, 3, 29, 3, 0, 0, 0}, "Europe/Berlin"), "Europe/Berlin") ==
        "2026-03-29T03:00:00+02:00");
}

TEST_CASE("from_civil: a repeated wall time is the first occurrence, fold the second", "[time][dst]") {
  // Europe/Berlin, 2026-10-25: 03:00 CEST falls back to 02:00 CET.
  CivilTime repeated{2026, 10, 25, 2, 30, 0, 0};
  Timestamp first = from_civil(repeated, "Europe/Berlin");
  Timestamp second = from_civil_fold(repeated, "Europe/Berlin");
  CHECK(format_datetime(first, "Europe/Berlin") == "2026-10-25T02:30:00+02:00");
  CHECK(format_datetime(second, "Europe/Berlin") == "2026-10-25T02:30:00+01:00");
  CHECK(second - first == kHour);
  CHECK(parse_datetime("2026-10-25T02:30:00", "Europe/Berlin") == first);
  // Not ambiguous: fold makes no difference.
  CHECK(from_civil_fold({2026, 10, 25, 4, 0, 0, 0}, "Europe/Berlin") ==
        from_civil({2026, 10, 25, 4, 0, 0, 0}, "Europe/Berlin"));
}

TEST_CASE("from_civil: Lord Howe's half-hour shift", "[time][dst]") {
  // 2026-10-04 02:00 +10:30 -> 02:30 +11:00; 2026-04-05 02:00 +11:00 -> 01:30 +10:30.
  CHECK(format_datetime(from_civil({2026, 10, 4, 2, 15, 0, 0}, "Australia/Lord_Howe"), "Australia/Lord_Howe") ==
        "2026-10-04T02:45:00+11:00");
  CHECK(format_datetime(from_civil({2026, 4, 5, 1, 45, 0, 0}, "Australia/Lord_Howe"), "Australia/Lord_Howe") ==
        "2026-04-05T01:45:00+11:00");
  CHECK(format_datetime(from_civil_fold({2026, 4, 5, 1, 45, 0, 0}, "Australia/Lord_Howe"), "Australia/Lord_Howe") ==
        "2026-04-05T01:45:00+10:30");
}

TEST_CASE("to_zoned: local time, offset and abbreviation", "[time]") {
  ZonedTime z = to_zoned(kJune10Noon + 7, "Europe/Berlin");
  CHECK(z.local.year == 2026);
  CHECK(z.local.month == 6);
  CHECK(z.local.day == 10);
  CHECK(z.local.hour == 14);
  CHECK(z.local.minute == 0);
  CHECK(z.local.second == 0);
  CHECK(z.local.microsecond == 7);
  CHECK(z.utc_offset_seconds == 7200);
  CHECK(z.abbreviation == "CEST");
  CHECK(to_zoned(0, "America/St_Johns").utc_offset_seconds == -12600);
}

TEST_CASE("time zones: validation names the field and suggests IANA names", "[time][zone]") {
  CHECK(is_valid_timezone("UTC"));
  CHECK(is_valid_timezone("Europe/Berlin"));
  CHECK_FALSE(is_valid_timezone("Europe/Berln"));
  CHECK_FALSE(is_valid_timezone(""));
  CHECK_NOTHROW(require_timezone("Asia/Kolkata", "timezone"));
  // find_timezone validates as require_timezone does.
  const std::function<void()> checks[] = {[] { require_timezone("CEST+1", "timezone"); },
                                          [] { find_timezone("CEST+1", "timezone"); }};
  for (const auto& check : checks) {
    try {
      check();
      FAIL("no error");
    } catch (const Error& e) {
      CHECK(e.field() == "timezone");
      CHECK_THAT(e.what(), Catch::Contains("'CEST+1'") && Catch::Contains("Europe/Berlin"));
    }
  }
  CHECK_THROWS_AS(to_zoned(0, "Nowhere/Town"), Error);
  CHECK_THROWS_AS(format_datetime(0, "Nowhere/Town"), Error);
  CHECK_THROWS_AS(from_civil({2026, 1, 1, 0, 0, 0, 0}, "Nowhere/Town"), Error);
}

TEST_CASE("find_timezone: the tzdata zone by name, the same one each time", "[time][zone]") {
  const date::time_zone& berlin = find_timezone("Europe/Berlin", "timezone");
  CHECK(berlin.name() == "Europe/Berlin");
  CHECK(&find_timezone("UTC", "timezone") == date::locate_zone("UTC"));
  CHECK(&find_timezone("Europe/Berlin", "timezone") == &berlin);  // after another name in between
}

TEST_CASE("local_timezone_name: TZ wins when it names a zone", "[time][zone]") {
  ::setenv("TZ", "Asia/Tokyo", 1);
  CHECK(local_timezone_name() == "Asia/Tokyo");
  ::setenv("TZ", ":America/Chicago", 1);
  CHECK(local_timezone_name() == "America/Chicago");
  ::setenv("TZ", "Not/AZone", 1);
  CHECK(is_valid_timezone(local_timezone_name()));
  ::unsetenv("TZ");
  CHECK(is_valid_timezone(local_timezone_name()));
}

TEST_CASE("format_duration: like Python's str(timedelta)", "[time][duration]") {
  CHECK(format_duration(0) == "0:00:00");
  CHECK(format_duration(3 * kSecond) == "0:00:03");
  CHECK(format_duration(90 * 60 * kSecond) == "1:30:00");
  CHECK(format_duration(10 * kHour) == "10:00:00");
  CHECK(format_duration(24 * kHour) == "1 day, 0:00:00");
  CHECK(format_duration(26 * kHour) == "1 day, 2:00:00");
  CHECK(format_duration(2 * 24 * kHour + 5 * kSecond) == "2 days, 0:00:05");
  CHECK(format_duration(400 * 24 * kHour) == "400 days, 0:00:00");
  CHECK(format_duration(kSecond / 2) == "0:00:00.500000");
  CHECK(format_duration(1) == "0:00:00.000001");
  CHECK(format_duration(kHour + 250'000) == "1:00:00.250000");
  // Negative: days absorb the sign, the rest stays positive (timedelta(seconds=-1)).
  CHECK(format_duration(-kSecond) == "-1 day, 23:59:59");
  CHECK(format_duration(-1) == "-1 day, 23:59:59.999999");
  CHECK(format_duration(-24 * kHour) == "-1 day, 0:00:00");
  CHECK(format_duration(-24 * kHour - kSecond) == "-2 days, 23:59:59");
}

TEST_CASE("time zones: alternating between zones gives each its own rules", "[time][zone]") {
  // Zones are looked up once and remembered; asking for another must not return the last.
  for (int round = 0; round < 3; ++round) {
    CHECK(format_datetime(kJune10Noon, "Europe/Berlin") == "2026-06-10T14:00:00+02:00");
    CHECK(format_datetime(kJune10Noon, "UTC") == "2026-06-10T12:00:00+00:00");
    CHECK(format_datetime(kJune10Noon, "America/New_York") == "2026-06-10T08:00:00-04:00");
    CHECK_FALSE(is_valid_timezone("Europe/Berlinn"));
    CHECK(is_valid_timezone("Europe/Berlin"));
    CHECK(parse_datetime("2026-06-10T14:00", "Europe/Berlin") == kJune10Noon);
  }
}
