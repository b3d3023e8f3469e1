#include "apscheduler_cron.h"

#include <apsched/sdk/status.h>

#include <array>
#include <optional>
#include <string>
#include <string_view>

#include "shared_cache.h"

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

/** The field's text; an integer is written into `number`, which the result then views. */
std::string_view field_text(const sdk::Value& value, const char* name, std::string& number) {
  if (value.is_string()) return value.as_string();
  if (value.is_int()) return number = std::to_string(value.as_int());
  throw sdk::Error(std::string(name) + ": expected an integer or a string (e.g. 9, \"9-17\", \"*/5\") in " + kWhat +
                       ", got " + sdk::Value::type_name(value.type()),
                   name);
}

CronSetup read_config(const sdk::Host& host, const sdk::Value& config) {
  sdk::ConfigReader reader(config, kWhat);
  reader.ignore("type");
  std::array<std::optional<std::string_view>, kFieldCount> given;
  std::array<std::string, kFieldCount> numbers;
  int least_significant = -1;
  for (std::size_t i = 0; i < given.size(); ++i) {
    const char* name = field_info(static_cast<FieldKind>(i)).name;
    if (const sdk::Value* value = reader.get(name)) {
      given[i] = field_text(*value, name, numbers[i]);
      least_significant = static_cast<int>(i);
    }
  }
  CommonOptions options = CommonOptions::read(reader, host);
  reader.finish();

  std::array<std::string_view, kFieldCount> sources;
  CacheKey key(kWhat);
  for (std::size_t i = 0; i < sources.size(); ++i) {
    bool defaulted = static_cast<int>(i) > least_significant && least_significant >= 0;
    sources[i] = given[i] ? *given[i] : defaulted ? default_text(static_cast<FieldKind>(i)) : "*";
    key.add(sources[i]);
  }
  auto schedule = shared_schedules().get(key.view(), [&] {
    std::array<CronField, kFieldCount> fields;
    for (std::size_t i = 0; i < fields.size(); ++i) {
      const char* name = field_info(static_cast<FieldKind>(i)).name;
      fields[i] = CronField::parse(static_cast<FieldKind>(i), sources[i], {name, kWhat, name});
    }
    return WallSchedule(std::move(fields), false);
  });

  sdk::Value::Map state;
  std::string shown = "cron[";
  bool first_shown = true;
  for (std::size_t i = 0; i < given.size(); ++i) {
    if (!given[i]) continue;
    auto kind = static_cast<FieldKind>(i);
    const char* name = field_info(kind).name;
    const std::string& normalised = schedule->field(kind).text();
    state.try_emplace(name, normalised);
    if (!first_shown) shown += ", ";
    first_shown = false;
    shown.append(name).append("='").append(normalised).append("'");
  }
  shown += ']';
  options.write(state);
  return {std::move(schedule), std::move(options), sdk::Value(std::move(state)), std::move(shown)};
}

}  // namespace

CronTrigger::CronTrigger(sdk::Host& host, const sdk::Value& config)
    : CronTriggerBase(shared_setup(kWhat, host, config, read_config)) {}

}  // namespace apsched::triggers::cron
