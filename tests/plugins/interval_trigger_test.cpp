// IntervalTrigger: APScheduler 3.9.1's IntervalTrigger on absolute time.
#include <triggers/interval/interval.h>

#include <set>
#include <vector>

#include "fake_host.h"
#include "test_support.h"

using apsched::sdk::kMicrosPerSecond;
using apsched::sdk::Timestamp;
using apsched::sdk::Value;
using apsched::testing::at;
using apsched::testing::error_of;
using apsched::testing::FakeHost;
using apsched::testing::iso;
using apsched::triggers::IntervalTrigger;

namespace {

// What `apsched next` prints: the first fire time at or after `from`, then each next one.
std::vector<std::string> fire_times(IntervalTrigger& trigger, Timestamp from, int count) {
  std::vector<std::string> out;
  std::optional<Timestamp> t = trigger.next_fire_time(std::nullopt, from);
  while (t && static_cast<int>(out.size()) < count) {
    out.push_back(apsched::sdk::format_datetime(*t, trigger.timezone()));
    t = trigger.next_fire_time(t, *t);
  }
  return out;
}

using Lines = std::vector<std::string>;

}  // namespace

TEST_CASE("interval: start_date in the future is the first fire time", "[interval]") {
  FakeHost host(0, "UTC");
  IntervalTrigger trigger(host, Value::Map{{"type", "interval"}, {"hours", 1}, {"start_date", "2026-06-01T00:30:00"}});
  CHECK(fire_times(trigger, at("2026-05-04T10:00:00Z"), 3) ==
        Lines{"2026-06-01T00:30:00+00:00", "2026-06-01T01:30:00+00:00", "2026-06-01T02:30:00+00:00"});
}

TEST_CASE("interval: start_date in the past gives the next multiple at or after now", "[interval]") {
  FakeHost host(0, "UTC");
  IntervalTrigger trigger(host, Value::Map{{"seconds", 7}, {"start_date", "2000-01-01T00:00:00"}});
  CHECK(fire_times(trigger, at("2026-05-04T10:00:00Z"), 3) ==
        Lines{"2026-05-04T10:00:03+00:00", "2026-05-04T10:00:10+00:00", "2026-05-04T10:00:17+00:00"});
  // Exactly on a multiple: that one (at or after).
  CHECK(iso(trigger.next_fire_time(std::nullopt, at("2026-05-04T10:00:03Z"))) == "2026-05-04T10:00:03+00:00");
  // One microsecond later: the next one.
  CHECK(iso(trigger.next_fire_time(std::nullopt, at("2026-05-04T10:00:03.000001Z"))) ==
        "2026-05-04T10:00:10+00:00");
  // now == start_date: start_date itself.
  CHECK(iso(trigger.next_fire_time(std::nullopt, at("2000-01-01T00:00:00Z"))) == "2000-01-01T00:00:00+00:00");
}

TEST_CASE("interval: with a previous fire time, previous + interval whatever now is", "[interval]") {
  FakeHost host(0, "UTC");
  IntervalTrigger trigger(host, Value::Map{{"minutes", 10}, {"start_date", "2026-05-04T10:00:00"}});
  CHECK(iso(trigger.next_fire_time(at("2026-05-04T10:00:00Z"), at("2026-05-04T12:00:00Z"))) ==
        "2026-05-04T10:10:00+00:00");
  // A jittered previous time drifts, as in APScheduler.
  CHECK(iso(trigger.next_fire_time(at("2026-05-04T10:00:01.5Z"), 0)) == "2026-05-04T10:10:01.500000+00:00");
}

TEST_CASE("interval: end_date is inclusive, and nothing after it", "[interval]") {
  FakeHost host(0, "UTC");
  IntervalTrigger trigger(host, Value::Map{{"minutes", 10}, {"start_date", "2026-05-04T10:00:00"},
                                           {"end_date", "2026-05-04T10:30:00"}});
  CHECK(fire_times(trigger, at("2026-05-04T09:00:00Z"), 10) ==
        Lines{"2026-05-04T10:00:00+00:00", "2026-05-04T10:10:00+00:00", "2026-05-04T10:20:00+00:00",
              "2026-05-04T10:30:00+00:00"});
  CHECK_FALSE(trigger.next_fire_time(std::nullopt, at("2026-05-04T10:30:01Z")).has_value());
}

TEST_CASE("interval: end before start gives nothing", "[interval]") {
  FakeHost host(0, "UTC");
  IntervalTrigger trigger(host, Value::Map{{"minutes", 10}, {"start_date", "2026-05-04T10:00:00"},
                                           {"end_date", "2026-05-04T09:00:00"}});
  CHECK_FALSE(trigger.next_fire_time(std::nullopt, at("2026-05-04T09:00:00Z")).has_value());
}

TEST_CASE("interval: the interval is the sum of all units", "[interval]") {
  FakeHost host(0, "UTC");
  IntervalTrigger trigger(host, Value::Map{{"weeks", 1}, {"days", 2}, {"hours", 3}, {"minutes", 4}, {"seconds", 5},
                                           {"start_date", "2026-01-01T00:00:00"}});
  CHECK(trigger.interval_micros() == ((9 * 24 + 3) * 3600 + 4 * 60 + 5) * kMicrosPerSecond);
  CHECK(trigger.describe() == "interval[9 days, 3:04:05]");
  // Conformance case interval-h015 (APScheduler 3.9.1).
  CHECK(fire_times(trigger, at("2026-05-04T10:00:00Z"), 3) ==
        Lines{"2026-05-08T18:57:10+00:00", "2026-05-17T22:01:15+00:00", "2026-05-27T01:05:20+00:00"});
}

TEST_CASE("interval: fractions and negative parts with a positive sum", "[interval]") {
  FakeHost host(0, "UTC");
  CHECK(IntervalTrigger(host, Value::Map{{"seconds", 0.5}}).interval_micros() == 500'000);
  CHECK(IntervalTrigger(host, Value::Map{{"seconds", 0.5}}).describe() == "interval[0:00:00.500000]");
  CHECK(IntervalTrigger(host, Value::Map{{"days", 1.5}}).interval_micros() == 36 * 3600 * kMicrosPerSecond);
  CHECK(IntervalTrigger(host, Value::Map{{"minutes", 0.1}}).interval_micros() == 6 * kMicrosPerSecond);
  CHECK(IntervalTrigger(host, Value::Map{{"seconds", 1e-6}}).interval_micros() == 1);
  CHECK(IntervalTrigger(host, Value::Map{{"hours", 1}, {"minutes", -30}}).interval_micros() ==
        30 * 60 * kMicrosPerSecond);
  CHECK(IntervalTrigger(host, Value::Map{{"hours", 1.0}}).interval_micros() == 3600 * kMicrosPerSecond);
}

TEST_CASE("interval: elapsed time across DST, and naive dates in a gap or a repeated hour", "[interval][dst]") {
  FakeHost host(0, "Europe/Berlin");
  IntervalTrigger hourly(host, Value::Map{{"hours", 1}, {"start_date", "2026-10-25T01:00:00"}});
  CHECK(fire_times(hourly, at("2026-10-25T00:00:00+02:00"), 4) ==
        Lines{"2026-10-25T01:00:00+02:00", "2026-10-25T02:00:00+02:00", "2026-10-25T02:00:00+01:00",
              "2026-10-25T03:00:00+01:00"});
  IntervalTrigger daily(host, Value::Map{{"days", 1}, {"start_date", "2026-03-28T00:30:00"}});
  CHECK(fire_times(daily, at("2026-03-28T00:00:00+01:00"), 3) ==
        Lines{"2026-03-28T00:30:00+01:00", "2026-03-29T00:30:00+01:00", "2026-03-30T01:30:00+02:00"});
  IntervalTrigger in_gap(host, Value::Map{{"minutes", 20}, {"start_date", "2026-03-29T02:30:00"}});
  CHECK(iso(in_gap.next_fire_time(std::nullopt, 0), "Europe/Berlin") == "2026-03-29T03:30:00+02:00");
  IntervalTrigger in_fold(host, Value::Map{{"minutes", 20}, {"start_date", "2026-10-25T02:30:00"}});
  CHECK(iso(in_fold.next_fire_time(std::nullopt, 0), "Europe/Berlin") == "2026-10-25T02:30:00+02:00");
}

TEST_CASE("interval: start_date with an explicit offset, other zone (conformance interval-h012)", "[interval]") {
  FakeHost host(0, "UTC");
  IntervalTrigger trigger(host, Value::Map{{"hours", 2}, {"start_date", "2026-05-04T10:00:00+05:30"},
                                           {"timezone", "Europe/Berlin"}});
  CHECK(fire_times(trigger, at("2026-05-04T00:00:00+02:00"), 3) ==
        Lines{"2026-05-04T06:30:00+02:00", "2026-05-04T08:30:00+02:00", "2026-05-04T10:30:00+02:00"});
}

TEST_CASE("interval: long intervals from long ago (conformance interval-h016)", "[interval]") {
  FakeHost host(0, "UTC");
  IntervalTrigger trigger(host, Value::Map{{"days", 400}, {"start_date", "2010-03-01T08:00:00"}});
  CHECK(fire_times(trigger, at("2026-05-04T10:00:00Z"), 2) ==
        Lines{"2026-08-04T08:00:00+00:00", "2027-09-08T08:00:00+00:00"});
}

TEST_CASE("interval: default start_date is now + interval, fixed once", "[interval]") {
  FakeHost host(at("2026-06-10T12:00:00Z"), "Asia/Kolkata");
  IntervalTrigger trigger(host, Value::Map{{"type", "interval"}, {"seconds", 3}});
  CHECK(trigger.start_date() == at("2026-06-10T12:00:03Z"));
  CHECK(trigger.timezone() == "Asia/Kolkata");
  host.set_now(at("2026-06-10T13:00:00Z"));
  CHECK(trigger.start_date() == at("2026-06-10T12:00:03Z"));
  CHECK(iso(trigger.next_fire_time(std::nullopt, at("2026-06-10T12:00:00Z"))) == "2026-06-10T12:00:03+00:00");
  CHECK(iso(trigger.next_fire_time(std::nullopt, at("2026-06-10T12:00:04Z"))) == "2026-06-10T12:00:06+00:00");
}

TEST_CASE("interval: describe() as APScheduler's str()", "[interval]") {
  FakeHost host(0, "UTC");
  CHECK(IntervalTrigger(host, Value::Map{{"seconds", 3}}).describe() == "interval[0:00:03]");
  CHECK(IntervalTrigger(host, Value::Map{{"minutes", 90}}).describe() == "interval[1:30:00]");
  CHECK(IntervalTrigger(host, Value::Map{{"weeks", 2}}).describe() == "interval[14 days, 0:00:00]");
  CHECK(IntervalTrigger(host, Value::Map{{"days", 1}}).describe() == "interval[1 day, 0:00:00]");
}

TEST_CASE("interval: state() keeps the components and the resolved dates", "[interval]") {
  FakeHost host(at("2026-06-10T12:00:00Z"), "Europe/Berlin");
  IntervalTrigger trigger(host, Value::Map{{"type", "interval"}, {"hours", 1}, {"seconds", 1.5},
                                           {"end_date", "2026-12-31"}, {"jitter", 2}});
  CHECK(trigger.state() == Value(Value::Map{{"hours", 1},
                                            {"seconds", 1.5},
                                            {"start_date", "2026-06-10T15:00:01.500000+02:00"},
                                            {"end_date", "2026-12-31T00:00:00+01:00"},
                                            {"timezone", "Europe/Berlin"},
                                            {"jitter", 2}}));
}

TEST_CASE("interval: state() recreates the same trigger at another time and default zone", "[interval]") {
  FakeHost host(at("2026-06-10T12:00:00.123456Z"), "Pacific/Chatham");
  IntervalTrigger original(host, Value::Map{{"minutes", 7}, {"seconds", 0.25}, {"end_date", "2027-01-01T00:00:00"}});
  FakeHost later(at("2030-01-01T00:00:00Z"), "UTC");
  IntervalTrigger copy(later, original.state());
  CHECK(copy.interval_micros() == original.interval_micros());
  CHECK(copy.start_date() == original.start_date());
  CHECK(copy.end_date() == original.end_date());
  CHECK(copy.timezone() == "Pacific/Chatham");
  CHECK(copy.state() == original.state());
  Timestamp from = at("2026-08-01T00:00:00Z");
  CHECK(fire_times(copy, from, 5) == fire_times(original, from, 5));
}

TEST_CASE("interval: jitter adds a uniform delay in [0, jitter] before end_date is applied", "[interval][jitter]") {
  FakeHost host(0, "UTC");
  IntervalTrigger trigger(host, Value::Map{{"minutes", 1}, {"start_date", "2026-05-04T10:00:00"}, {"jitter", 5}});
  const Timestamp base = at("2026-05-04T10:01:00Z");
  std::set<Timestamp> seen;
  for (int i = 0; i < 200; ++i) {
    auto t = trigger.next_fire_time(at("2026-05-04T10:00:00Z"), 0);
    REQUIRE(t.has_value());
    CHECK(*t >= base);
    CHECK(*t <= base + 5 * kMicrosPerSecond);
    seen.insert(*t);
  }
  CHECK(seen.size() > 100);  // really random

  // end_date right at the unjittered time: a delayed time is past it.
  IntervalTrigger ending(host, Value::Map{{"minutes", 1}, {"start_date", "2026-05-04T10:00:00"},
                                          {"end_date", "2026-05-04T10:01:00"}, {"jitter", 5}});
  int ended = 0;
  for (int i = 0; i < 50; ++i) {
    auto t = ending.next_fire_time(at("2026-05-04T10:00:00Z"), 0);
    if (!t) ++ended;
    else CHECK(*t == base);
  }
  CHECK(ended >= 45);

  IntervalTrigger none(host, Value::Map{{"minutes", 1}, {"start_date", "2026-05-04T10:00:00"}, {"jitter", 0}});
  CHECK(none.next_fire_time(at("2026-05-04T10:00:00Z"), 0) == base);
}

TEST_CASE("interval: a zero, negative or missing length is refused", "[interval][config]") {
  FakeHost host(0, "UTC");
  auto e = error_of([&] { IntervalTrigger(host, Value::Map{{"type", "interval"}, {"seconds", 0}}); });
  CHECK(e.field() == "seconds");
  CHECK(std::string(e.what()) ==
        "interval must be positive: got seconds=0 (0 seconds); make the sum of weeks, days, hours, minutes and "
        "seconds greater than zero");

  e = error_of([&] { IntervalTrigger(host, Value::Map{{"hours", -1}}); });
  CHECK(e.field() == "hours");
  CHECK_THAT(e.what(), Catch::StartsWith("interval must be positive: got hours=-1 (-3600 seconds)"));

  e = error_of([&] { IntervalTrigger(host, Value::Map{{"minutes", 1}, {"seconds", -60.5}}); });
  CHECK(e.field() == "minutes");
  CHECK_THAT(e.what(), Catch::StartsWith("interval must be positive: got minutes=1, seconds=-60.5 (-0.5 seconds)"));

  e = error_of([&] { IntervalTrigger(host, Value::Map{{"seconds", 1e-7}}); });
  CHECK_THAT(e.what(), Catch::Contains("(0 seconds)"));

  e = error_of([&] { IntervalTrigger(host, Value::Map{{"type", "interval"}, {"start_date", "2026-01-01"}}); });
  CHECK(e.field() == "seconds");
  CHECK_THAT(e.what(), Catch::StartsWith("interval must be positive: got no length"));
}

TEST_CASE("interval: absurdly long intervals are refused", "[interval][config]") {
  FakeHost host(0, "UTC");
  auto e = error_of([&] { IntervalTrigger(host, Value::Map{{"weeks", 2'000'000}}); });
  CHECK(e.field() == "weeks");
  CHECK_THAT(e.what(), Catch::Contains("interval is too long"));
  CHECK_THROWS(IntervalTrigger(host, Value::Map{{"days", 1e300}}));
  CHECK_THROWS(IntervalTrigger(host, Value::Map{{"seconds", 9'223'372'036'854'775'807LL}}));
  CHECK_NOTHROW(IntervalTrigger(host, Value::Map{{"weeks", 1'000'000}}));
}

TEST_CASE("interval: other bad configuration names the key", "[interval][config]") {
  FakeHost host(0, "UTC");
  auto e = error_of([&] { IntervalTrigger(host, Value::Map{{"seconds", "3"}}); });
  CHECK(e.field() == "seconds");
  CHECK_THAT(e.what(), Catch::Contains("must be a number, got string"));

  e = error_of([&] { IntervalTrigger(host, Value::Map{{"secnds", 3}, {"minutes", 1}}); });
  CHECK(e.field() == "secnds");
  CHECK_THAT(e.what(), Catch::Contains("did you mean 'seconds'?"));

  // A misspelt key is the error, not the missing length it causes.
  e = error_of([&] { IntervalTrigger(host, Value::Map{{"type", "interval"}, {"secnds", 3}}); });
  CHECK(e.field() == "secnds");
  CHECK_THAT(e.what(), Catch::StartsWith("unknown key 'secnds' in interval trigger; did you mean 'seconds'?"));
  e = error_of([&] { IntervalTrigger(host, Value::Map{{"seconds", 0}, {"timezon", "UTC"}}); });
  CHECK(e.field() == "timezon");

  e = error_of([&] { IntervalTrigger(host, Value::Map{{"seconds", 3}, {"start_date", "2026-05-01 25:00:00"}}); });
  CHECK(e.field() == "start_date");

  e = error_of([&] { IntervalTrigger(host, Value::Map{{"seconds", 3}, {"end_date", "soon"}}); });
  CHECK(e.field() == "end_date");

  e = error_of([&] { IntervalTrigger(host, Value::Map{{"seconds", 3}, {"timezone", "Berlin"}}); });
  CHECK(e.field() == "timezone");

  e = error_of([&] { IntervalTrigger(host, Value::Map{{"seconds", 3}, {"jitter", -1}}); });
  CHECK(e.field() == "jitter");
  CHECK(std::string(e.what()) ==
        "'jitter' in interval trigger must be a number of seconds from 0 to 604800000000 (1,000,000 weeks), got -1");
}
