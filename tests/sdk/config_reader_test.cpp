// ConfigReader: typed reads of a plugin's configuration map, unknown keys refused.
#include <apsched/sdk/config.h>
#include <apsched/sdk/status.h>

#include <catch2/catch.hpp>
#include <limits>
#include <string>

using apsched::sdk::closest_match;
using apsched::sdk::ConfigReader;
using apsched::sdk::Error;
using apsched::sdk::Value;

namespace {

template <typename Fn>
Error error_of(Fn&& fn) {
  try {
    fn();
  } catch (const Error& e) {
    return e;
  }
  FAIL("no sdk::Error thrown");
  return Error("");
}

}  // namespace

TEST_CASE("ConfigReader: reads typed values, and absent and null keys are nullopt", "[config]") {
  Value config = Value::Map{{"type", "interval"}, {"seconds", 3}, {"ratio", 0.5}, {"zone", "UTC"},
                            {"on", true},         {"gone", nullptr}};
  ConfigReader reader(config, "interval trigger");
  reader.ignore("type");
  CHECK(reader.integer("seconds") == 3);
  CHECK(reader.number("ratio") == 0.5);
  CHECK(reader.string("zone") == "UTC");
  CHECK(reader.boolean("on") == true);
  CHECK_FALSE(reader.integer("gone").has_value());
  CHECK_FALSE(reader.string("missing").has_value());
  CHECK(reader.get("missing") == nullptr);
  CHECK(reader.what() == "interval trigger");
  CHECK_NOTHROW(reader.finish());
}

TEST_CASE("ConfigReader: number() accepts integers, integer() accepts integral floats", "[config]") {
  Value config = Value::Map{{"a", 7}, {"b", 2.0}, {"c", -4.0}};
  ConfigReader reader(config, "thing");
  CHECK(reader.number("a") == 7.0);
  CHECK(reader.integer("b") == 2);
  CHECK(reader.integer("c") == -4);
  reader.finish();
}

TEST_CASE("ConfigReader: an unknown key is refused with a did-you-mean and the allowed keys", "[config]") {
  Value config = Value::Map{{"type", "interval"}, {"secnds", 3}};
  ConfigReader reader(config, "interval trigger");
  reader.ignore("type");
  (void)reader.number("seconds");
  (void)reader.number("minutes");
  Error e = error_of([&] { reader.finish(); });
  CHECK(e.field() == "secnds");
  CHECK(std::string(e.what()) ==
        "unknown key 'secnds' in interval trigger; did you mean 'seconds'? (allowed: minutes, seconds, type)");
}

TEST_CASE("ConfigReader: an unknown key far from every known one has no suggestion", "[config]") {
  Value config = Value::Map{{"type", "date"}, {"colour", "blue"}};
  ConfigReader reader(config, "date trigger");
  reader.ignore("type");
  (void)reader.string("run_date");
  Error e = error_of([&] { reader.finish(); });
  CHECK(e.field() == "colour");
  CHECK(std::string(e.what()) == "unknown key 'colour' in date trigger (allowed: run_date, type)");
}

TEST_CASE("ConfigReader: a key read as absent still counts as known", "[config]") {
  Value config = Value::Map{{"timezone", nullptr}};
  ConfigReader reader(config, "x");
  (void)reader.string("timezone");
  CHECK_NOTHROW(reader.finish());
}

TEST_CASE("ConfigReader: in a map of many keys, the one not read is refused wherever it sits", "[config]") {
  // What was read is kept per entry of the map (the first 64 one way, the rest another).
  auto name_of = [](int i) { return "key" + std::to_string(100 + i); };  // sorted as numbered
  Value::Map keys;
  for (int i = 0; i < 70; ++i) keys.emplace(name_of(i), i);
  const Value config = keys;
  for (int skipped : {0, 5, 63, 64, 69, -1}) {
    ConfigReader reader(config, "many");
    for (int i = 0; i < 70; ++i)
      if (i != skipped) CHECK(reader.integer(name_of(i)) == i);
    (void)reader.integer("absent");
    reader.ignore("type");
    if (skipped < 0) {
      CHECK_NOTHROW(reader.finish());
      continue;
    }
    Error e = error_of([&] { reader.finish(); });
    CHECK(e.field() == name_of(skipped));
    CHECK_THAT(e.what(), Catch::Matchers::StartsWith("unknown key '" + name_of(skipped) + "' in many") &&
                             Catch::Matchers::Contains("(allowed: absent, key10") &&
                             Catch::Matchers::EndsWith(", type)"));
    CHECK_THAT(e.what(), !Catch::Matchers::Contains(name_of(skipped) + ","));  // not among the allowed
  }
}

TEST_CASE("ConfigReader: type errors name the key, the thing and both types", "[config]") {
  Value config = Value::Map{{"zone", 5}, {"n", "3"}, {"x", 1.5}, {"flag", "yes"}, {"list", Value::List{}}};
  ConfigReader reader(config, "cron trigger");

  Error e = error_of([&] { (void)reader.string("zone"); });
  CHECK(e.field() == "zone");
  CHECK(std::string(e.what()) == "'zone' in cron trigger must be a string, got integer");

  e = error_of([&] { (void)reader.number("n"); });
  CHECK(e.field() == "n");
  CHECK(std::string(e.what()) == "'n' in cron trigger must be a number, got string");

  e = error_of([&] { (void)reader.integer("x"); });
  CHECK(e.field() == "x");
  CHECK(std::string(e.what()) == "'x' in cron trigger must be an integer, got float");

  e = error_of([&] { (void)reader.integer("n"); });
  CHECK(std::string(e.what()) == "'n' in cron trigger must be an integer, got string");

  e = error_of([&] { (void)reader.boolean("flag"); });
  CHECK(e.field() == "flag");
  CHECK(std::string(e.what()) == "'flag' in cron trigger must be true or false, got string");

  e = error_of([&] { (void)reader.string("list"); });
  CHECK(std::string(e.what()) == "'list' in cron trigger must be a string, got list");
}

TEST_CASE("ConfigReader: a configuration that is not a mapping is refused, and null is empty", "[config]") {
  Error e = error_of([] { ConfigReader reader(Value(Value::List{1}), "sqlite job store"); });
  CHECK(std::string(e.what()) == "the sqlite job store configuration must be a mapping, got list");

  Value null_config;
  ConfigReader reader(null_config, "memory job store");
  CHECK_FALSE(reader.string("path").has_value());
  CHECK_NOTHROW(reader.finish());
}

TEST_CASE("closest_match: nearest candidate within a small edit distance", "[config]") {
  std::set<std::string, std::less<>> keys{"seconds", "minutes", "hours", "start_date", "end_date", "timezone"};
  CHECK(closest_match("secnds", keys) == "seconds");
  CHECK(closest_match("hour", keys) == "hours");
  CHECK(closest_match("timezon", keys) == "timezone");
  CHECK(closest_match("startdate", keys) == "start_date");
  CHECK(closest_match("enddate", keys) == "end_date");
  CHECK(closest_match("jitter", keys).empty());
  CHECK(closest_match("x", keys).empty());
  CHECK(closest_match("seconds", {}).empty());
}

TEST_CASE("ConfigReader: a float too large for an integer is refused, not cast", "[config]") {
  apsched::sdk::Value config = apsched::sdk::Value::Map{{"n", 1e30}, {"m", 3.0}};
  apsched::sdk::ConfigReader reader(config, "test plugin");
  CHECK_THROWS_WITH(reader.integer("n"), Catch::Matchers::Contains("must be an integer"));
  CHECK(reader.integer("m") == 3);
}

TEST_CASE("ConfigReader: seconds() takes 0 to 1,000,000 weeks and refuses the rest naming the key", "[config]") {
  Value config = Value::Map{{"none", 0}, {"some", 1.5}, {"most", 604800000000LL}};
  ConfigReader reader(config, "thing");
  CHECK(reader.seconds("none") == 0.0);
  CHECK(reader.seconds("some") == 1.5);
  CHECK(reader.seconds("most") == 604800000000.0);
  CHECK_FALSE(reader.seconds("absent"));
  for (double bad : {-1.0, 604800000001.0, 1e300, std::numeric_limits<double>::infinity(),
                     std::numeric_limits<double>::quiet_NaN()}) {
    Value wrong = Value::Map{{"jitter", bad}};
    Error e = error_of([&] { ConfigReader(wrong, "cron trigger").seconds("jitter"); });
    INFO(e.what());
    CHECK(e.field() == "jitter");
    CHECK_THAT(e.what(), Catch::Matchers::StartsWith(
                             "'jitter' in cron trigger must be a number of seconds from 0 to 604800000000"));
  }
}
