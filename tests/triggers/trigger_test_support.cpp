#include "trigger_test_support.h"

#include <catch2/catch.hpp>

#include "apscheduler_cron.h"
#include "calendar_interval_trigger.h"
#include "combining_trigger.h"
#include "crontab.h"

namespace apsched::testing {

std::unique_ptr<sdk::Trigger> make_trigger(sdk::Host& host, const sdk::Value& spec) {
  const sdk::Value* type = spec.find("type");
  std::string name = type && type->is_string() ? type->as_string() : "";
  if (name == "cron") return std::make_unique<triggers::cron::CronTrigger>(host, spec);
  if (name == "crontab") return std::make_unique<triggers::cron::CrontabTrigger>(host, spec);
  if (name == "and") return std::make_unique<triggers::combining::AndTrigger>(host, spec);
  if (name == "or") return std::make_unique<triggers::combining::OrTrigger>(host, spec);
  if (name == "calendarinterval") return std::make_unique<triggers::calendarinterval::CalendarIntervalTrigger>(host, spec);
  throw sdk::Error("unknown trigger type '" + name + "'", "type", sdk::Code::not_found);
}

std::unique_ptr<FakeHost> make_host(const std::string& zone, sdk::Timestamp now) {
  auto host = std::make_unique<FakeHost>(now, zone);
  FakeHost* raw = host.get();
  host->set_trigger_factory([raw](const sdk::Value& spec, std::unique_ptr<sdk::Trigger>& out) {
    return sdk::guarded([&] { out = make_trigger(*raw, spec); });
  });
  return host;
}

namespace {
FakeHost& shared_host() {
  static std::unique_ptr<FakeHost> host = make_host();
  return *host;
}
}  // namespace

std::unique_ptr<sdk::Trigger> trigger_from(const std::string& json) { return make_trigger(shared_host(), config(json)); }

std::unique_ptr<sdk::Trigger> recreate(const sdk::Trigger& trigger, const std::string& type) {
  sdk::Value::Map spec = trigger.state().as_map();
  spec["type"] = type;
  return make_trigger(shared_host(), sdk::Value(std::move(spec)));
}

std::vector<std::string> fire_times(sdk::Trigger& trigger, const std::string& from, int count) {
  std::vector<std::string> out;
  auto next = trigger.next_fire_time(std::nullopt, at(from));
  while (next && static_cast<int>(out.size()) < count) {
    out.push_back(sdk::format_datetime(*next, trigger.timezone()));
    next = trigger.next_fire_time(*next, *next);
  }
  return out;
}

std::vector<std::string> fire_times(const std::string& json, const std::string& from, int count) {
  return fire_times(*trigger_from(json), from, count);
}

Refusal refusal_of(const std::string& json) {
  try {
    trigger_from(json);
  } catch (const sdk::Error& e) {
    return {e.what(), e.field()};
  }
  FAIL("config was accepted: " << json);
  return {};
}

}  // namespace apsched::testing
