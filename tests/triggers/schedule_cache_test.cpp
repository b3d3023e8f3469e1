// The cron plugins' cache of compiled schedules, and cron triggers that share one.
#include <catch2/catch.hpp>

#include <atomic>
#include <stdexcept>
#include <thread>
#include <vector>

#include "schedule_cache.h"
#include "trigger_test_support.h"

using namespace apsched::triggers::cron;
using apsched::testing::fire_times;
using apsched::testing::refusal_of;
using apsched::testing::trigger_from;
using Lines = std::vector<std::string>;

namespace {

/** A schedule of `minute` (every hour at that minute), counting the compilations. */
WallSchedule compile_minute(const std::string& minute, int& compiled) {
  ++compiled;
  std::array<CronField, kFieldCount> fields;
  for (int i = 0; i < kFieldCount; ++i) {
    auto kind = static_cast<FieldKind>(i);
    std::string_view text = kind == FieldKind::minute ? std::string_view(minute) : kind == FieldKind::second ? "0" : "*";
    fields[static_cast<std::size_t>(i)] = CronField::parse(kind, text, {"test", "test", "test"});
  }
  return WallSchedule(std::move(fields), false);
}

std::string key_of(std::initializer_list<std::string_view> parts) {
  ScheduleKey key("type");
  for (auto part : parts) key.add(part);
  return std::string(key.view());
}

}  // namespace

TEST_CASE("schedule cache: one key is compiled once and shared, another key gets its own", "[cron]") {
  ScheduleCache cache;
  int compiled = 0;
  auto first = cache.get("a", [&] { return compile_minute("5", compiled); });
  auto again = cache.get("a", [&] { return compile_minute("5", compiled); });
  auto other = cache.get("b", [&] { return compile_minute("7", compiled); });
  CHECK(compiled == 2);
  CHECK(first == again);
  CHECK(other != first);
  CHECK(first->field(FieldKind::minute).text() == "5");
  CHECK(other->field(FieldKind::minute).text() == "7");
}

TEST_CASE("schedule cache: a compilation that throws keeps nothing", "[cron]") {
  ScheduleCache cache;
  int compiled = 0;
  CHECK_THROWS_AS(cache.get("a", [&]() -> WallSchedule { throw std::runtime_error("bad field"); }), std::runtime_error);
  auto schedule = cache.get("a", [&] { return compile_minute("5", compiled); });
  CHECK(compiled == 1);
  CHECK(schedule->field(FieldKind::minute).text() == "5");
}

TEST_CASE("schedule cache: past its room, schedules are compiled per call and the kept ones stay shared", "[cron]") {
  ScheduleCache cache;
  int compiled = 0;
  auto first = cache.get("key0", [&] { return compile_minute("0", compiled); });
  for (std::size_t i = 1; i < ScheduleCache::kMostKept; ++i)
    cache.get("key" + std::to_string(i), [&] { return compile_minute("1", compiled); });
  CHECK(compiled == static_cast<int>(ScheduleCache::kMostKept));
  auto beyond = cache.get("beyond", [&] { return compile_minute("2", compiled); });
  auto beyond_again = cache.get("beyond", [&] { return compile_minute("2", compiled); });
  CHECK(compiled == static_cast<int>(ScheduleCache::kMostKept) + 2);
  CHECK(beyond != beyond_again);
  CHECK(beyond_again->field(FieldKind::minute).text() == "2");
  CHECK(cache.get("key0", [&] { return compile_minute("0", compiled); }) == first);
}

TEST_CASE("schedule cache: threads asking for the same keys at once all end up with the kept schedule", "[cron]") {
  ScheduleCache cache;
  constexpr int kThreads = 4;
  constexpr int kKeys = 8;
  std::atomic<int> compiled{0};
  std::vector<std::vector<std::shared_ptr<const WallSchedule>>> seen(kThreads);
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t)
    threads.emplace_back([&, t] {
      for (int round = 0; round < 50; ++round)
        for (int k = 0; k < kKeys; ++k) {
          auto schedule = cache.get("key" + std::to_string(k), [&] {
            int count = 0;
            auto compiled_now = compile_minute(std::to_string(k), count);
            compiled += count;
            return compiled_now;
          });
          if (round == 49) seen[static_cast<std::size_t>(t)].push_back(schedule);
        }
    });
  for (auto& thread : threads) thread.join();
  CHECK(compiled >= kKeys);
  CHECK(compiled <= kThreads * kKeys);  // a key is compiled again only by threads that missed it at the same time
  for (int k = 0; k < kKeys; ++k) {
    auto kept = cache.get("key" + std::to_string(k), [&]() -> WallSchedule { throw std::logic_error("not kept"); });
    CHECK(kept->field(FieldKind::minute).text() == std::to_string(k));
    for (const auto& thread_seen : seen) CHECK(thread_seen[static_cast<std::size_t>(k)] == kept);
  }
}

TEST_CASE("schedule cache: keys of different text sequences differ, whatever bytes the texts hold", "[cron]") {
  CHECK(key_of({"ab", "c"}) != key_of({"a", "bc"}));
  CHECK(key_of({"a", ""}) != key_of({"a"}));
  CHECK(ScheduleKey("cron").view() != ScheduleKey("crontab").view());
  // One text holding exactly the bytes that separate "a" from "b" in the key of the two.
  std::string length_of_b = key_of({"b"}).substr(key_of({}).size(), sizeof(std::size_t));
  CHECK(key_of({"a", "b"}) != key_of({"a" + length_of_b + "b"}));
}

TEST_CASE("cron triggers of one expression keep their own zone, dates and state", "[cron]") {
  auto utc = trigger_from(R"({"type": "cron", "minute": "*/30", "timezone": "UTC"})");
  auto berlin = trigger_from(R"({"type": "cron", "minute": "*/30", "timezone": "Europe/Berlin", "start_date": "2026-05-01T12:00:00"})");
  CHECK(fire_times(*utc, "2026-05-01T00:00:00Z", 2) == Lines{"2026-05-01T00:00:00+00:00", "2026-05-01T00:30:00+00:00"});
  CHECK(fire_times(*berlin, "2026-05-01T00:00:00Z", 2) == Lines{"2026-05-01T12:00:00+02:00", "2026-05-01T12:30:00+02:00"});
  CHECK(utc->describe() == "cron[minute='*/30']");
  CHECK(berlin->timezone() == "Europe/Berlin");
  CHECK(berlin->state().find("start_date") != nullptr);
  CHECK(utc->state().find("start_date") == nullptr);
}

TEST_CASE("cron triggers: an integer and its text are one expression, and a bad field is still refused after a good one", "[cron]") {
  CHECK(fire_times(R"({"type": "cron", "minute": 5, "timezone": "UTC"})", "2026-05-01T00:00:00Z", 1) ==
        Lines{"2026-05-01T00:05:00+00:00"});
  CHECK(fire_times(R"({"type": "cron", "minute": "5", "timezone": "UTC"})", "2026-05-01T00:00:00Z", 1) ==
        Lines{"2026-05-01T00:05:00+00:00"});
  auto refused = refusal_of(R"({"type": "cron", "minute": "5", "hour": "25", "timezone": "UTC"})");
  CHECK(refused.field == "hour");
  // A crontab line and cron fields that would read alike keep their own weekday numbering.
  CHECK(fire_times(R"({"type": "cron", "day_of_week": "0", "timezone": "UTC"})", "2026-05-01T00:00:00Z", 1) ==
        Lines{"2026-05-04T00:00:00+00:00"});  // Monday
  CHECK(fire_times(R"({"type": "crontab", "expr": "0 0 * * 0", "timezone": "UTC"})", "2026-05-01T00:00:00Z", 1) ==
        Lines{"2026-05-03T00:00:00+00:00"});  // Sunday
}
