// DateTrigger: fires once, at run_date.
#include <triggers/date/date.h>

#include "fake_host.h"
#include "test_support.h"

using apsched::sdk::Value;
using apsched::testing::at;
using apsched::testing::error_of;
using apsched::testing::FakeHost;
using apsched::testing::iso;
using apsched::triggers::DateTrigger;

TEST_CASE("date: fires once at run_date, then never", "[date]") {
  FakeHost host(at("2026-05-01T00:00:00Z"), "Europe/Berlin");
  DateTrigger trigger(host, Value::Map{{"type", "date"}, {"run_date", "2026-12-01T10:00:00"}});
  auto first = trigger.next_fire_time(std::nullopt, at("2026-05-01T00:00:00Z"));
  CHECK(iso(first, "Europe/Berlin") == "2026-12-01T10:00:00+01:00");
  CHECK_FALSE(trigger.next_fire_time(first, *first).has_value());
  CHECK_FALSE(trigger.next_fire_time(first, at("2026-05-01T00:00:00Z")).has_value());
}

TEST_CASE("date: run_date in the past is still returned (APScheduler, and misfire is the kernel's)", "[date]") {
  FakeHost host(at("2026-05-01T00:00:00Z"), "UTC");
  DateTrigger trigger(host, Value::Map{{"run_date", "2026-04-01T12:00:00"}});
  CHECK(iso(trigger.next_fire_time(std::nullopt, at("2026-05-01T00:00:00Z"))) == "2026-04-01T12:00:00+00:00");
}

TEST_CASE("date: naive run_date is read in the trigger's timezone, not the scheduler's", "[date]") {
  FakeHost host(0, "UTC");
  DateTrigger trigger(host, Value::Map{{"run_date", "2026-07-01T12:00:00"}, {"timezone", "Asia/Kolkata"}});
  CHECK(trigger.run_date() == at("2026-07-01T06:30:00Z"));
  CHECK(trigger.timezone() == "Asia/Kolkata");
}

TEST_CASE("date: run_date with an offset is that instant, shown in the trigger's zone", "[date]") {
  FakeHost host(0, "Europe/Berlin");
  DateTrigger trigger(host, Value::Map{{"run_date", "2002-11-12T20:31:33Z"}});
  CHECK(trigger.run_date() == at("2002-11-12T20:31:33Z"));
  CHECK(trigger.describe() == "date[2002-11-12T21:31:33+01:00]");
}

TEST_CASE("date: date-only run_date is midnight in the zone", "[date]") {
  FakeHost host(0, "UTC");
  DateTrigger trigger(host, Value::Map{{"run_date", "2026-07-01"}, {"timezone", "Australia/Lord_Howe"}});
  CHECK(iso(trigger.next_fire_time(std::nullopt, 0), "Australia/Lord_Howe") == "2026-07-01T00:00:00+10:30");
}

TEST_CASE("date: DST gap shifts forward, repeated time takes the first occurrence", "[date][dst]") {
  FakeHost host(0, "Europe/Berlin");
  DateTrigger gap(host, Value::Map{{"run_date", "2026-03-29T02:30:00"}});
  CHECK(gap.describe() == "date[2026-03-29T03:30:00+02:00]");
  DateTrigger fold(host, Value::Map{{"run_date", "2026-10-25T02:30:00"}});
  CHECK(fold.describe() == "date[2026-10-25T02:30:00+02:00]");
  DateTrigger explicit_second(host, Value::Map{{"run_date", "2026-10-25T02:30:00+01:00"}});
  CHECK(explicit_second.describe() == "date[2026-10-25T02:30:00+01:00]");
}

TEST_CASE("date: defaults are now and the scheduler's zone", "[date]") {
  FakeHost host(at("2026-06-10T12:00:00.250Z"), "America/New_York");
  DateTrigger trigger(host, Value::Map{{"type", "date"}});
  CHECK(trigger.run_date() == host.now());
  CHECK(trigger.timezone() == "America/New_York");
  CHECK(trigger.describe() == "date[2026-06-10T08:00:00.250000-04:00]");
  DateTrigger from_null(host, Value());
  CHECK(from_null.run_date() == host.now());
}

TEST_CASE("date: describe() and state()", "[date]") {
  FakeHost host(0, "Europe/Berlin");
  DateTrigger trigger(host, Value::Map{{"type", "date"}, {"run_date", "2026-12-01T10:00:00"}});
  CHECK(trigger.describe() == "date[2026-12-01T10:00:00+01:00]");
  CHECK(trigger.state() ==
        Value(Value::Map{{"run_date", "2026-12-01T10:00:00+01:00"}, {"timezone", "Europe/Berlin"}}));
}

TEST_CASE("date: state() recreates the same trigger, also under another default zone", "[date]") {
  FakeHost host(at("2026-06-10T12:00:00.5Z"), "Asia/Kolkata");
  DateTrigger original(host, Value::Map{{"timezone", "Pacific/Chatham"}});
  FakeHost other(0, "UTC");
  DateTrigger copy(other, original.state());
  CHECK(copy.run_date() == original.run_date());
  CHECK(copy.timezone() == "Pacific/Chatham");
  CHECK(copy.state() == original.state());
  CHECK(copy.describe() == original.describe());
}

TEST_CASE("date: bad configuration names the key", "[date][config]") {
  FakeHost host(0, "UTC");
  auto e = error_of([&] { DateTrigger(host, Value::Map{{"run_date", "yesterday"}}); });
  CHECK(e.field() == "run_date");
  CHECK_THAT(e.what(), Catch::Contains("'yesterday'"));

  e = error_of([&] { DateTrigger(host, Value::Map{{"run_date", "2026-02-30T00:00:00"}}); });
  CHECK(e.field() == "run_date");
  CHECK_THAT(e.what(), Catch::Contains("no such day"));

  e = error_of([&] { DateTrigger(host, Value::Map{{"run_date", 20261201}}); });
  CHECK(e.field() == "run_date");
  CHECK_THAT(e.what(), Catch::Contains("must be a string"));

  e = error_of([&] { DateTrigger(host, Value::Map{{"timezone", "Europe/Berln"}}); });
  CHECK(e.field() == "timezone");
  CHECK_THAT(e.what(), Catch::Contains("unknown time zone 'Europe/Berln'"));

  e = error_of([&] { DateTrigger(host, Value::Map{{"type", "date"}, {"rundate", "2026-01-01"}}); });
  CHECK(e.field() == "rundate");
  CHECK_THAT(e.what(), Catch::Contains("did you mean 'run_date'?"));

  e = error_of([&] { DateTrigger(host, Value::Map{{"timezone", "Nowhere"}, {"run_dat", "2026-01-01"}}); });
  CHECK(e.field() == "run_dat");  // the misspelt key first

  e = error_of([&] { DateTrigger(host, Value(Value::List{})); });
  CHECK_THAT(e.what(), Catch::Contains("must be a mapping"));
}

TEST_CASE("date: delay is seconds after the trigger is made, kept as run_date", "[date]") {
  FakeHost host(at("2026-03-01T10:00:00Z"), "UTC");
  DateTrigger trigger(host, Value::Map{{"delay", 12}});
  CHECK(trigger.next_fire_time(std::nullopt, at("2026-03-01T10:00:00Z")) == at("2026-03-01T10:00:12Z"));
  CHECK(*trigger.state().find("run_date") == Value("2026-03-01T10:00:12+00:00"));
  CHECK_FALSE(trigger.state().find("delay"));
  CHECK_THAT(error_of([&] { DateTrigger(host, Value::Map{{"delay", -1}}); }).what(),
             Catch::Matchers::Contains("'delay' in date trigger must be a number of seconds from 0 to"));
  CHECK_THAT(error_of([&] { DateTrigger(host, Value::Map{{"delay", 1}, {"run_date", "2026-03-01"}}); }).what(),
             Catch::Matchers::Contains("either 'run_date' or 'delay'"));
}
