#include "apscheduler_cron.h"

#include <apsched/sdk/status.h>

namespace apsched::triggers::cron {
namespace {

constexpr const char* kWhat = "cron trigger";

// APScheduler's DEFAULT_VALUES for fields below the least significant one given.
const char* default_text(FieldKind kind) {
  switch (kind) {
    case FieldKind::month:
    case FieldKind::day: return "1";
    case FieldKind::hour:
    case FieldKind::minute:
    case FieldKind::second: return "0";
    default: return "*";
  }
}

std::string field_text(const sdk::Value& value, const char* name) {
  if (value.is_int()) return std::to_string(value.as_int());
  if (value.is_string()) return value.as_string();
  throw sdk::Error(std::string(name) + ": expected an integer or a string (e.g. 9, \"9-17\", \"*/5\") in " + kWhat +
                       ", got " + sdk::Value::type_name(value.type()),
                   name);
}

CronSetup read_config(const sdk::Host& host, const sdk::Value& config) {
  sdk::ConfigReader reader(config, kWhat);
  reader.ignore("type");
  std::array<std::optional<std::string>, kFieldCount> given;
  int least_significant = -1;
  for (int i = 0; i < kFieldCount; ++i) {
    const char* name = field_info(static_cast<FieldKind>(i)).name;
    if (const sdk::Value* value = reader.get(name)) {
      given[static_cast<std::size_t>(i)] = field_text(*value, name);
      least_significant = i;
    }
  }
  CommonOptions options = CommonOptions::read(reader, host);
  reader.finish();

  std::array<CronField, kFieldCount> fields;
  sdk::Value::Map state;
  std::string shown;
  for (int i = 0; i < kFieldCount; ++i) {
    auto kind = static_cast<FieldKind>(i);
    const char* name = field_info(kind).name;
    const auto& text = given[static_cast<std::size_t>(i)];
    std::string source = text ? *text : (least_significant >= 0 && i > least_significant ? default_text(kind) : "*");
    fields[static_cast<std::size_t>(i)] = CronField::parse(kind, source, {name, kWhat, name});
    if (!text) continue;
    const std::string& normalised = fields[static_cast<std::size_t>(i)].text();
    state[name] = normalised;
    shown += (shown.empty() ? "" : ", ") + std::string(name) + "='" + normalised + "'";
  }
  options.write(state);
  return {WallSchedule(std::move(fields), false), std::move(options), std::move(state), "cron[" + shown + "]"};
}

}  // namespace

CronTrigger::CronTrigger(sdk::Host& host, const sdk::Value& config) : CronTriggerBase(read_config(host, config)) {}

}  // namespace apsched::triggers::cron
