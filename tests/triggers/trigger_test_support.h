#pragma once
// Helpers for the trigger tests: configs from JSON, fire-time listings like `apsched next`,
// and a FakeHost whose trigger factory builds this directory's trigger classes.
#include <apsched/sdk/status.h>
#include <apsched/sdk/time.h>
#include <apsched/sdk/trigger.h>
#include <apsched/sdk/value.h>

#include <memory>
#include <string>
#include <vector>

#include "fake_host.h"

namespace apsched::testing {

/** A config map from JSON text: config(R"({"type": "cron", "hour": 9})"). */
inline sdk::Value config(const std::string& json) { return sdk::Value::from_json(json); }

/** An instant from ISO 8601 with an offset: at("2026-03-29T01:00:00+01:00"). */
inline sdk::Timestamp at(const std::string& iso) { return sdk::parse_datetime(iso, "UTC"); }

/** Builds cron, crontab, and, or and calendarinterval triggers in-process. */
std::unique_ptr<sdk::Trigger> make_trigger(sdk::Host& host, const sdk::Value& spec);

/** A FakeHost (clock at `now`, default zone `zone`) whose factory is make_trigger. */
std::unique_ptr<FakeHost> make_host(const std::string& zone = "UTC", sdk::Timestamp now = 0);

/** make_trigger with a fresh host from a JSON config. */
std::unique_ptr<sdk::Trigger> trigger_from(const std::string& json);

/** Rebuilds a trigger from its state() (which has no `type`) on a fresh host. */
std::unique_ptr<sdk::Trigger> recreate(const sdk::Trigger& trigger, const std::string& type);

/**
 * What `apsched next --from FROM --count N` prints: the first fire time at or after
 * `from`, then each next one strictly after the previous, in the trigger's zone.
 */
std::vector<std::string> fire_times(sdk::Trigger& trigger, const std::string& from, int count);
std::vector<std::string> fire_times(const std::string& json, const std::string& from, int count);

/** The sdk::Error a config is refused with (message and field); fails the test if accepted. */
struct Refusal {
  std::string message;
  std::string field;
};
Refusal refusal_of(const std::string& json);

}  // namespace apsched::testing
