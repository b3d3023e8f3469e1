// The cron plugins' caches of compiled schedules and of setups, and cron triggers that share them.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <atomic>
#include <stdexcept>
#include <thread>
#include <vector>

#include "cron_trigger.h"
#include "shared_cache.h"
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
  CacheKey key("type");
  for (auto part : parts) key.add(part);
  return std::string(key.view());
}

}  // namespace

TEST_CASE("schedule cache: one key is compiled once and shared, another key gets its own", "[cron]") {
  SharedCache<WallSchedule> cache;
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
  SharedCache<WallSchedule> cache;
  int compiled = 0;
  CHECK_THROWS_AS(cache.get("a", [&]() -> WallSchedule { throw std::runtime_error("bad field"); }), std::runtime_error);
  auto schedule = cache.get("a", [&] { return compile_minute("5", compiled); });
  CHECK(compiled == 1);
  CHECK(schedule->field(FieldKind::minute).text() == "5");
}

TEST_CASE("schedule cache: past its room, schedules are compiled per call and the kept ones stay shared", "[cron]") {
  SharedCache<WallSchedule> cache;
  int compiled = 0;
  auto first = cache.get("key0", [&] { return compile_minute("0", compiled); });
  for (std::size_t i = 1; i < SharedCache<WallSchedule>::kMostKept; ++i)
    cache.get("key" + std::to_string(i), [&] { return compile_minute("1", compiled); });
  CHECK(compiled == static_cast<int>(SharedCache<WallSchedule>::kMostKept));
  auto beyond = cache.get("beyond", [&] { return compile_minute("2", compiled); });
  auto beyond_again = cache.get("beyond", [&] { return compile_minute("2", compiled); });
  CHECK(compiled == static_cast<int>(SharedCache<WallSchedule>::kMostKept) + 2);
  CHECK(beyond != beyond_again);
  CHECK(beyond_again->field(FieldKind::minute).text() == "2");
  CHECK(cache.get("key0", [&] { return compile_minute("0", compiled); }) == first);
}

TEST_CASE("schedule cache: threads asking for the same keys at once all end up with the kept schedule", "[cron]") {
  SharedCache<WallSchedule> cache;
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
  CHECK(CacheKey("cron").view() != CacheKey("crontab").view());
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

TEST_CASE("cache keys: a value's type is part of its key", "[cron]") {
  using apsched::sdk::Value;
  auto key_of_value = [](const Value& value) {
    CacheKey key("type");
    CHECK(key.add_value(value));
    return std::string(key.view());
  };
  std::vector<std::string> keys{key_of_value(Value()),   key_of_value(Value(true)),  key_of_value(Value("b1")),
                                key_of_value(Value(5)),  key_of_value(Value(5.0)),   key_of_value(Value("5")),
                                key_of_value(Value("")), key_of_value(Value(false)), key_of_value(Value(6))};
  std::sort(keys.begin(), keys.end());
  CHECK(std::adjacent_find(keys.begin(), keys.end()) == keys.end());
  CacheKey nested("type");
  CHECK_FALSE(nested.add_value(Value(Value::List{1})));
  CHECK_FALSE(nested.add_value(Value(Value::Map{{"a", 1}})));
  CHECK(nested.view() == CacheKey("type").view());
}

TEST_CASE("cache keys: same_values holds exactly when add_value adds the same", "[cron]") {
  using apsched::sdk::Value;
  const std::vector<Value> values{Value(),  Value(true), Value(false), Value(5), Value(5.0), Value(-0.0),
                                  Value(0.0), Value("5"), Value(""),    Value(Value::Map{{"a", 0.0}}),
                                  Value(Value::Map{{"a", -0.0}}), Value(Value::Map{{"a", 0}})};
  auto key_of_value = [](const Value& value) {
    CacheKey key("type");
    if (value.is_map())
      for (const auto& [name, item] : value.as_map()) {
        key.add(name);
        key.add_value(item);
      }
    else
      key.add_value(value);
    return std::string(key.view());
  };
  for (const Value& a : values)
    for (const Value& b : values) CHECK(CacheKey::same_values(a, b) == (key_of_value(a) == key_of_value(b)));
}

namespace {

/** A reader that counts its calls; its setup holds the host's zone and the config as state. */
int setups_read = 0;
CronSetup counting_reader(const apsched::sdk::Host& host, const apsched::sdk::Value& config) {
  ++setups_read;
  int compiled = 0;
  auto schedule = shared_schedules().get("counting", [&] { return compile_minute("5", compiled); });
  return CronSetup{schedule, CommonOptions{host.default_timezone(), {}, {}, 0}, config, "counted"};
}

}  // namespace

TEST_CASE("setup cache: equal configs on hosts of one zone share a setup, and another zone, type or value does not", "[cron]") {
  using apsched::testing::config;
  using apsched::testing::make_host;
  auto utc = make_host("UTC");
  auto utc_too = make_host("UTC");
  auto berlin = make_host("Europe/Berlin");
  setups_read = 0;
  auto every5 = config(R"({"type": "cron", "minute": "*/5", "second": 7})");
  auto first = shared_setup("counting", *utc, every5, counting_reader);
  auto equal = config(R"({"type": "cron", "minute": "*/5", "second": 7})");
  auto again = shared_setup("counting", *utc_too, equal, counting_reader);
  CHECK(setups_read == 1);
  CHECK(first == again);
  CHECK(first->options.zone == "UTC");

  auto in_berlin = shared_setup("counting", *berlin, every5, counting_reader);
  CHECK(in_berlin != first);
  CHECK(in_berlin->options.zone == "Europe/Berlin");
  CHECK(shared_setup("other type", *utc, every5, counting_reader) != first);
  auto second_as_text = config(R"({"type": "cron", "minute": "*/5", "second": "7"})");
  CHECK(shared_setup("counting", *utc, second_as_text, counting_reader) != first);
  CHECK(setups_read == 4);
  CHECK(shared_setup("counting", *berlin, every5, counting_reader) == in_berlin);
  CHECK(setups_read == 4);
}

TEST_CASE("setup cache: the setup handed out last is handed out again only for the same config", "[cron]") {
  // The last setup is found by comparing configs, before any key is built: that must tell
  // apart what the key does (a value's type, 0.0 and -0.0), whatever comes in between.
  using apsched::sdk::Value;
  auto host = apsched::testing::make_host("UTC");
  auto with = [](const char* name, Value value) {
    return Value(Value::Map{{"type", "cron"}, {name, std::move(value)}});
  };
  setups_read = 0;
  auto zero = shared_setup("counting", *host, with("jitter", 0.0), counting_reader);
  CHECK(shared_setup("counting", *host, with("jitter", 0.0), counting_reader) == zero);
  CHECK(setups_read == 1);
  auto negative_zero = shared_setup("counting", *host, with("jitter", -0.0), counting_reader);
  CHECK(negative_zero != zero);
  CHECK(setups_read == 2);
  auto integer = shared_setup("counting", *host, with("second", 5), counting_reader);
  auto floating = shared_setup("counting", *host, with("second", 5.0), counting_reader);
  auto text = shared_setup("counting", *host, with("second", "5"), counting_reader);
  CHECK(setups_read == 5);
  for (int round = 0; round < 2; ++round) {
    CHECK(shared_setup("counting", *host, with("second", 5), counting_reader) == integer);
    CHECK(shared_setup("counting", *host, with("second", 5), counting_reader) == integer);
    CHECK(shared_setup("counting", *host, with("second", 5.0), counting_reader) == floating);
    CHECK(shared_setup("counting", *host, with("jitter", -0.0), counting_reader) == negative_zero);
    CHECK(shared_setup("counting", *host, with("jitter", 0.0), counting_reader) == zero);
    CHECK(shared_setup("counting", *host, with("second", "5"), counting_reader) == text);
  }
  CHECK(setups_read == 5);
  CHECK(zero->state.find("jitter")->as_number() == 0.0);
  CHECK_FALSE(std::signbit(zero->state.find("jitter")->as_number()));
  CHECK(std::signbit(negative_zero->state.find("jitter")->as_number()));
}

TEST_CASE("setup cache: a config holding a list is read every time, and a refused config keeps nothing", "[cron]") {
  auto host = apsched::testing::make_host("UTC");
  auto listed = apsched::testing::config(R"({"type": "cron", "minute": "*/5", "tags": [1]})");
  setups_read = 0;
  auto first = shared_setup("counting", *host, listed, counting_reader);
  auto again = shared_setup("counting", *host, listed, counting_reader);
  CHECK(setups_read == 2);
  CHECK(first != again);
  // The real types refuse such a config, and a bad config fails again when given again.
  CHECK(refusal_of(R"({"type": "cron", "minute": "*/5", "tags": [1]})").field == "tags");
  for (int attempt = 0; attempt < 2; ++attempt) {
    auto refused = refusal_of(R"({"type": "crontab", "expr": "61 * * * *", "timezone": "UTC"})");
    CHECK(refused.field == "expr");
  }
}

TEST_CASE("cron triggers of one config each keep their own timeline: one's fire times do not move another's", "[cron]") {
  const char* every5 = R"({"type": "cron", "minute": "*/5", "timezone": "Europe/Berlin"})";
  auto first = trigger_from(every5);
  auto second = trigger_from(every5);
  CHECK(fire_times(*first, "2026-10-25T00:50:00Z", 3) ==
        Lines{"2026-10-25T02:50:00+02:00", "2026-10-25T02:55:00+02:00", "2026-10-25T02:00:00+01:00"});
  CHECK(fire_times(*second, "2026-05-01T00:00:00Z", 1) == Lines{"2026-05-01T02:00:00+02:00"});
  CHECK(first->state() == second->state());
  CHECK(first->describe() == "cron[minute='*/5']");
}

TEST_CASE("cron triggers of one setup share their last search: a second gives its answer, another its own", "[cron]") {
  using apsched::testing::at;
  const char* every5 = R"({"type": "cron", "minute": "*/5", "timezone": "Europe/Berlin"})";
  auto first = trigger_from(every5);
  auto second = trigger_from(every5);  // same config: same setup, same last search
  // The same schedule from another config: its own setup, a search of its own every time.
  auto reference = trigger_from(R"({"type": "cron", "minute": "*/5", "second": 0, "timezone": "Europe/Berlin"})");
  auto matches = [&](apsched::sdk::Trigger& trigger, apsched::sdk::Timestamp now,
                     std::optional<apsched::sdk::Timestamp> previous = std::nullopt) {
    auto expected = reference->next_fire_time(previous, now);
    auto got = trigger.next_fire_time(previous, now);
    CHECK(got == expected);
    return got;
  };
  // Around the fall-back change (02:00-03:00 shown twice): each instant on a fire time, a
  // microsecond past it (the next second: the next fire time), and within one second.
  const apsched::sdk::Timestamp boundary = at("2026-10-25T00:55:00Z");
  const std::vector<apsched::sdk::Timestamp> steps{0, 1, 999'999, 1'000'000, 300'000'000, 300'000'001, 3'600'000'000};
  for (apsched::sdk::Timestamp step : steps)
    for (int round = 0; round < 2; ++round) {
      matches(*first, boundary + step);
      matches(*second, boundary + step);
      matches(*second, boundary + step + 1);
      matches(*first, boundary + step);
    }
  CHECK(first->next_fire_time(std::nullopt, boundary) == at("2026-10-25T00:55:00Z"));
  CHECK(second->next_fire_time(std::nullopt, boundary + 1) == at("2026-10-25T01:00:00Z"));  // 02:00+01:00
  CHECK(first->next_fire_time(std::nullopt, boundary + 1) == at("2026-10-25T01:00:00Z"));
  CHECK(second->next_fire_time(std::nullopt, boundary) == at("2026-10-25T00:55:00Z"));
  // From a previous fire time: strictly after it.
  auto after = matches(*first, 0, at("2026-10-25T00:55:00Z"));
  CHECK(after == at("2026-10-25T01:00:00Z"));
  CHECK(matches(*second, 0, after) == at("2026-10-25T01:05:00Z"));
}

TEST_CASE("setup cache: triggers of a few configs made and asked from several threads at once agree with their own",
          "[cron]") {
  // The setups, the last setup handed out and each setup's last search are shared between
  // threads (ThreadSanitizer runs this).
  using apsched::testing::at;
  const std::vector<std::string> configs{
      R"({"type": "cron", "minute": "*/5", "timezone": "Europe/Berlin"})",
      R"({"type": "cron", "minute": "*/7", "hour": "1-3", "timezone": "Europe/Berlin"})",
      R"({"type": "crontab", "expr": "*/5 2 * * *", "timezone": "Europe/Berlin"})"};
  const apsched::sdk::Timestamp base = at("2026-10-24T22:00:00Z");  // the fall-back night
  constexpr int kThreads = 4;
  constexpr int kRounds = 150;
  auto now_of = [&](int round) { return base + round * 97'000'001LL; };
  std::vector<std::vector<std::optional<apsched::sdk::Timestamp>>> expected(configs.size());
  for (std::size_t c = 0; c < configs.size(); ++c) {
    auto reference = trigger_from(configs[c]);
    for (int round = 0; round < kRounds; ++round)
      expected[c].push_back(reference->next_fire_time(std::nullopt, now_of(round)));
  }
  std::atomic<int> mismatches{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t)
    threads.emplace_back([&, t] {
      for (int round = 0; round < kRounds; ++round) {
        const std::size_t c = static_cast<std::size_t>(round + t) % configs.size();
        auto trigger = trigger_from(configs[c]);
        if (trigger->next_fire_time(std::nullopt, now_of(round)) != expected[c][static_cast<std::size_t>(round)])
          ++mismatches;
      }
    });
  for (auto& thread : threads) thread.join();
  CHECK(mismatches == 0);
}
