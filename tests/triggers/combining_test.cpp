// and/or triggers: each part on its own schedule, a bounded AND, errors with their path.
#include <catch2/catch.hpp>

#include <chrono>

#include "trigger_test_support.h"

using apsched::testing::at;
using apsched::testing::fire_times;
using apsched::testing::refusal_of;
using apsched::testing::trigger_from;
using Lines = std::vector<std::string>;

TEST_CASE("or: fires at the earliest time of any part, each with its own bounds") {
  CHECK(fire_times(R"({"type": "or", "triggers": [
          {"type": "cron", "day_of_week": "mon", "hour": 2, "timezone": "Europe/Berlin"},
          {"type": "cron", "day_of_week": "tue", "hour": 15, "timezone": "Europe/Berlin"}]})",
                   "2026-05-01T00:00:00+02:00", 3) ==
        Lines{"2026-05-04T02:00:00+02:00", "2026-05-05T15:00:00+02:00", "2026-05-11T02:00:00+02:00"});
  // a part's start_date holds even after the other part fired
  CHECK(fire_times(R"({"type": "or", "triggers": [
          {"type": "cron", "minute": "0", "end_date": "2026-05-01T03:00:00", "timezone": "UTC"},
          {"type": "cron", "minute": "30", "start_date": "2026-05-01T02:00:00", "timezone": "UTC"}]})",
                   "2026-05-01T00:00:00Z", 6) ==
        Lines{"2026-05-01T00:00:00+00:00", "2026-05-01T01:00:00+00:00", "2026-05-01T02:00:00+00:00",
              "2026-05-01T02:30:00+00:00", "2026-05-01T03:00:00+00:00", "2026-05-01T03:30:00+00:00"});
}

TEST_CASE("or: one instant shared by several parts fires once, and the zone shown is the first part's") {
  CHECK(fire_times(R"({"type": "or", "triggers": [
          {"type": "cron", "hour": "9", "timezone": "Europe/Berlin"},
          {"type": "cron", "hour": "3", "timezone": "America/New_York"}]})",
                   "2026-05-01T00:00:00+02:00", 2) == Lines{"2026-05-01T09:00:00+02:00", "2026-05-02T09:00:00+02:00"});
}

TEST_CASE("and: the intersection of the parts' schedules, every time they agree") {
  CHECK(fire_times(R"({"type": "and", "triggers": [
          {"type": "cron", "minute": "*/5", "timezone": "UTC"}, {"type": "cron", "minute": "*/3", "timezone": "UTC"}]})",
                   "2026-01-01T10:01:00Z", 4) ==
        Lines{"2026-01-01T10:15:00+00:00", "2026-01-01T10:30:00+00:00", "2026-01-01T10:45:00+00:00",
              "2026-01-01T11:00:00+00:00"});
  CHECK(fire_times(R"({"type": "and", "triggers": [
          {"type": "cron", "day": "3rd thu", "timezone": "UTC"}, {"type": "cron", "day": "5/7,14-17/3", "timezone": "UTC"}]})",
                   "2029-05-29T00:00:00Z", 2) == Lines{"2029-07-19T00:00:00+00:00", "2030-01-17T00:00:00+00:00"});
}

TEST_CASE("and: ends when a part ends") {
  CHECK(fire_times(R"({"type": "and", "triggers": [
          {"type": "cron", "minute": "*/10", "end_date": "2026-05-01T01:00:00", "timezone": "UTC"},
          {"type": "cron", "minute": "*/20", "timezone": "UTC"}]})",
                   "2026-05-01T00:00:00Z", 10) ==
        Lines{"2026-05-01T00:00:00+00:00", "2026-05-01T00:20:00+00:00", "2026-05-01T00:40:00+00:00",
              "2026-05-01T01:00:00+00:00"});
}

TEST_CASE("and: parts that never agree end the trigger quickly instead of hanging, with a warning") {
  auto host = apsched::testing::make_host();
  auto trigger = apsched::testing::make_trigger(*host, apsched::testing::config(R"({"type": "and", "triggers": [
          {"type": "cron", "minute": "*/2", "timezone": "UTC"}, {"type": "cron", "minute": "1-59/2", "timezone": "UTC"}]})"));
  auto start = std::chrono::steady_clock::now();
  CHECK(trigger->next_fire_time(std::nullopt, at("2026-01-01T00:00:00Z")) == std::nullopt);
  CHECK(std::chrono::steady_clock::now() - start < std::chrono::seconds(5));
  REQUIRE(host->logs().size() == 1);
  CHECK_THAT(host->logs()[0].second, Catch::Contains("agreed on no fire time"));
}

TEST_CASE("and/or: describe(), timezone() and state() recreate the trigger") {
  auto trigger = trigger_from(R"({"type": "or", "jitter": 2, "triggers": [
          {"type": "and", "triggers": [{"type": "cron", "minute": "0,30", "timezone": "Asia/Kolkata"},
                                       {"type": "crontab", "expr": "*/30 * * * *", "timezone": "UTC"}]},
          {"type": "cron", "minute": 45, "timezone": "UTC"}]})");
  CHECK(trigger->describe() == "or[and[cron[minute='0,30'], crontab[expr='*/30 * * * *']], cron[minute='45']]");
  CHECK(trigger->timezone() == "Asia/Kolkata");
  auto state = trigger->state();
  CHECK(state.find("jitter")->as_number() == 2);
  const auto& parts = state.find("triggers")->as_list();
  REQUIRE(parts.size() == 2);
  CHECK(parts[0].find("type")->as_string() == "and");
  CHECK(parts[0].find("triggers")->as_list()[1].find("expr")->as_string() == "*/30 * * * *");
  auto copy = apsched::testing::recreate(*trigger, "or");
  CHECK(copy->describe() == trigger->describe());
  CHECK(copy->state() == state);
}

TEST_CASE("and/or: a bad part is refused with its path") {
  auto bad = refusal_of(R"({"type": "and", "triggers": [{"type": "cron", "hour": 1}, {"type": "cron", "hour": "25"}]})");
  CHECK(bad.field == "triggers[1].hour");
  CHECK(bad.message == "triggers[1]: hour: '25' is out of range 0-23 in cron trigger");
  CHECK(refusal_of(R"({"type": "or", "triggers": []})").field == "triggers");
  CHECK(refusal_of(R"({"type": "or"})").field == "triggers");
  CHECK(refusal_of(R"({"type": "or", "triggers": [5]})").field == "triggers[0]");
  CHECK(refusal_of(R"({"type": "or", "triggers": [{"type": "nope"}]})").field == "triggers[0].type");
  CHECK(refusal_of(R"({"type": "or", "triggers": [{"type": "cron"}], "jiter": 1})").field == "jiter");
}
