// Refused cron configs: which key, which token, what is allowed. And a fuzz run of the
// field parser: no crash, no hang, every refusal explained.
#include <catch2/catch.hpp>

#include <apsched/sdk/status.h>

#include <chrono>
#include <random>

#include "cron_field.h"
#include "trigger_test_support.h"

using apsched::testing::refusal_of;

namespace {

std::string message_of(const std::string& field_json) {
  auto refusal = refusal_of(R"({"type": "cron", "timezone": "UTC", )" + field_json + "}");
  return refusal.message;
}

}  // namespace

TEST_CASE("cron errors: out-of-range values name the field, the token and the range") {
  CHECK(message_of(R"("hour": "25")") == "hour: '25' is out of range 0-23 in cron trigger");
  CHECK(message_of(R"("hour": 25)") == "hour: '25' is out of range 0-23 in cron trigger");
  CHECK(message_of(R"("minute": "50-60")") == "minute: '60' in '50-60' is out of range 0-59 in cron trigger");
  CHECK(message_of(R"("month": "0")") == "month: '0' is out of range 1-12 in cron trigger");
  CHECK(message_of(R"("week": "54")") == "week: '54' is out of range 1-53 in cron trigger");
  CHECK(message_of(R"("day_of_week": "7")") == "day_of_week: '7' is out of range 0-6 in cron trigger");
  CHECK(message_of(R"("year": "1969")") == "year: '1969' is out of range 1970-9999 in cron trigger");
  CHECK(refusal_of(R"({"type": "cron", "hour": "25"})").field == "hour");
}

TEST_CASE("cron errors: steps") {
  CHECK(message_of(R"("minute": "*/60")") ==
        "minute: step 60 in '*/60' is higher than the total range of the expression (59) in cron trigger");
  CHECK(message_of(R"("hour": "10-20/11")") ==
        "hour: step 11 in '10-20/11' is higher than the total range of the expression (10) in cron trigger");
  CHECK(message_of(R"("hour": "6-6/1")") ==
        "hour: step 1 in '6-6/1' is higher than the total range of the expression (0) in cron trigger");
  CHECK(message_of(R"("second": "*/0")") == "second: step 0 in '*/0' must be at least 1 in cron trigger");
}

TEST_CASE("cron errors: empty ranges, bad names, unknown forms") {
  CHECK(message_of(R"("hour": "5-2")") ==
        "hour: '5-2' is an empty range: 5 is after 2 in cron trigger; write the smaller value first");
  CHECK(message_of(R"("day_of_week": "fri-mon")") ==
        "day_of_week: 'fri-mon' is an empty range: fri is after mon in cron trigger; write the smaller value first");
  CHECK(message_of(R"("month": "jan-foo")") ==
        "month: 'foo' in 'jan-foo' is not a month name in cron trigger; expected jan, feb, mar, apr, may, jun, jul, "
        "aug, sep, oct, nov, dec or 1-12");
  CHECK(message_of(R"("day_of_week": "monday")") ==
        "day_of_week: 'monday' is not a weekday name in cron trigger; expected mon, tue, wed, thu, fri, sat, sun or "
        "0-6 (0 = mon)");
  CHECK(message_of(R"("day": "2nd foo")") ==
        "day: 'foo' in '2nd foo' is not a weekday name in cron trigger; expected mon, tue, wed, thu, fri, sat, sun after 2nd");
  CHECK(message_of(R"("minute": "foo")") ==
        "minute: 'foo' is not a valid expression in cron trigger; expected *, */N, A, A-B, A/N or A-B/N with A, B in 0-59");
  for (const char* token : {"1-2-3", "-1", "1.5", "6th fri", "1,,2", "", "*/", "5/", "last"})
    CHECK_THAT(message_of(std::string(R"("hour": ")") + token + "\""), Catch::StartsWith("hour: "));
}

TEST_CASE("cron errors: wrong value types, unknown keys, bad zones and dates") {
  CHECK(message_of(R"("second": 1.5)") ==
        "second: expected an integer or a string (e.g. 9, \"9-17\", \"*/5\") in cron trigger, got float");
  auto typo = refusal_of(R"({"type": "cron", "hours": 5})");
  CHECK(typo.field == "hours");
  CHECK_THAT(typo.message, Catch::Contains("did you mean 'hour'?"));
  auto zone = refusal_of(R"({"type": "cron", "hour": 5, "timezone": "Mars/Olympus"})");
  CHECK(zone.field == "timezone");
  CHECK_THAT(zone.message, Catch::Contains("unknown time zone 'Mars/Olympus'"));
  auto date = refusal_of(R"({"type": "cron", "minute": 5, "end_date": "not a date", "timezone": "UTC"})");
  CHECK(date.field == "end_date");
  CHECK_THAT(date.message, Catch::Contains("invalid date/time 'not a date'"));
  CHECK(refusal_of(R"({"type": "cron", "jitter": -1})").field == "jitter");
}

TEST_CASE("cron fuzz: thousands of random field expressions are parsed or refused with a message, fast") {
  using apsched::triggers::cron::CronField;
  using apsched::triggers::cron::FieldKind;
  using apsched::triggers::cron::WeekdayNumbering;
  const std::vector<std::string> atoms{"*", "/", "-", ",", " ", "0", "1", "5", "7", "12", "23", "31", "59", "60",
                                       "99", "1970", "9999", "last", "2nd", "5th", "fri", "mon", "jan", "dec", "x",
                                       "L", "?", "#", ".", "999999999999", "-1"};
  std::mt19937 random(20260329);
  int accepted = 0, refused = 0;
  auto start = std::chrono::steady_clock::now();
  for (int i = 0; i < 20000; ++i) {
    std::string text;
    int length = std::uniform_int_distribution<int>(1, 6)(random);
    for (int j = 0; j < length; ++j) text += atoms[std::uniform_int_distribution<std::size_t>(0, atoms.size() - 1)(random)];
    auto kind = static_cast<FieldKind>(std::uniform_int_distribution<int>(0, 7)(random));
    auto numbering = i % 2 ? WeekdayNumbering::crontab : WeekdayNumbering::monday_first;
    try {
      CronField::parse(kind, text, {"field", "cron trigger", "field"}, numbering);
      ++accepted;
    } catch (const apsched::sdk::Error& e) {
      CHECK_THAT(e.what(), Catch::StartsWith("field: ") && Catch::Contains(" in cron trigger"));
      ++refused;
    }
  }
  CHECK(accepted > 100);
  CHECK(refused > 1000);
  CHECK(std::chrono::steady_clock::now() - start < std::chrono::seconds(10));
}

TEST_CASE("cron fuzz: random valid triggers always answer, with increasing times") {
  std::mt19937 random(606);
  const std::vector<std::string> zones{"UTC", "Europe/Berlin", "America/New_York", "Australia/Lord_Howe",
                                       "America/Santiago", "Pacific/Chatham"};
  const std::vector<std::pair<std::string, std::vector<std::string>>> fields{
      {"month", {"*", "2", "feb-apr", "*/5", "11"}},  {"day", {"*", "29", "31", "last", "2nd fri", "last sun", "1-7/3"}},
      {"week", {"*", "1", "*/10", "53"}},            {"day_of_week", {"*", "mon", "sat-sun", "0-4/2"}},
      {"hour", {"*", "0", "2", "*/5", "1-3"}},        {"minute", {"*", "0", "30", "*/20", "59"}},
      {"second", {"*", "0", "*/30"}}};
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  for (int i = 0; i < 300; ++i) {
    std::string json = R"({"type": "cron", "timezone": ")" + zones[random() % zones.size()] + "\"";
    for (const auto& [name, options] : fields)
      if (random() % 3 == 0) json += ", \"" + name + "\": \"" + options[random() % options.size()] + "\"";
    json += "}";
    auto trigger = apsched::testing::trigger_from(json);
    auto t = trigger->next_fire_time(std::nullopt, apsched::testing::at("2026-01-01T00:00:00Z"));
    for (int n = 0; t && n < 20; ++n) {
      auto next = trigger->next_fire_time(*t, *t);
      if (next) REQUIRE(*next > *t);
      t = next;
    }
  }
  CHECK(std::chrono::steady_clock::now() < deadline);
}
