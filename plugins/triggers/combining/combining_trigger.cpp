#include "combining_trigger.h"

#include <apsched/sdk/config.h>
#include <apsched/sdk/status.h>

namespace apsched::triggers::combining {
namespace {

sdk::Timestamp start_of_search(std::optional<sdk::Timestamp> previous, sdk::Timestamp now) {
  return previous ? *previous + 1 : now;
}

}  // namespace

CombiningTrigger::CombiningTrigger(sdk::Host& host, const sdk::Value& config, const char* kind)
    : host_(&host), kind_(kind) {
  std::string what = kind_ + " trigger";
  sdk::ConfigReader reader(config, what);
  reader.ignore("type");
  const sdk::Value* triggers = reader.get("triggers");
  if (!triggers || !triggers->is_list() || triggers->as_list().empty())
    throw sdk::Error("triggers: " + what + " needs a non-empty list of trigger mappings, e.g. [{type: cron, hour: 9}, "
                     "{type: cron, day_of_week: mon}]",
                     "triggers");
  if (auto jitter = reader.seconds("jitter")) jitter_seconds_ = *jitter;
  reader.finish();

  const auto& specs = triggers->as_list();
  for (std::size_t i = 0; i < specs.size(); ++i) {
    std::string where = "triggers[" + std::to_string(i) + "]";
    if (!specs[i].is_map())
      throw sdk::Error(where + ": expected a trigger mapping such as {type: cron, hour: 9}, got " +
                           sdk::Value::type_name(specs[i].type()),
                       where);
    Part part;
    sdk::Status status = host.create_trigger(specs[i], part.trigger);
    if (!status.ok())
      throw sdk::Error(where + ": " + status.message, status.field.empty() ? where : where + "." + status.field,
                       status.code);
    if (!part.trigger) throw sdk::Error(where + ": the host created no trigger", where, sdk::Code::internal);
    for (const char* key : {"type", "plugin"})
      if (const sdk::Value* value = specs[i].find(key)) part.identity[key] = *value;
    parts_.push_back(std::move(part));
  }
}

sdk::Value CombiningTrigger::state() const {
  sdk::Value::List triggers;
  for (const Part& part : parts_) {
    sdk::Value::Map entry = part.trigger->state().as_map();
    for (const auto& [key, value] : part.identity) entry[key] = value;
    triggers.emplace_back(std::move(entry));
  }
  sdk::Value::Map state{{"triggers", std::move(triggers)}};
  if (jitter_seconds_ > 0) state["jitter"] = jitter_seconds_;
  return state;
}

std::string CombiningTrigger::describe() const {
  std::string out = kind_ + "[";
  for (std::size_t i = 0; i < parts_.size(); ++i) out += (i ? ", " : "") + parts_[i].trigger->describe();
  return out + "]";
}

std::string CombiningTrigger::timezone() const { return parts_.front().trigger->timezone(); }

std::optional<sdk::Timestamp> CombiningTrigger::part_at_or_after(std::size_t i, sdk::Timestamp t) noexcept {
  auto fire = parts_[i].trigger->next_fire_time(std::nullopt, t);
  if (fire && *fire < t) return std::nullopt;  // e.g. a date trigger whose run is past
  return fire;
}

sdk::Timestamp CombiningTrigger::with_jitter(sdk::Timestamp fire) const {
  return fire + sdk::random_delay(jitter_seconds_);
}

AndTrigger::AndTrigger(sdk::Host& host, const sdk::Value& config) : CombiningTrigger(host, config, "and") {}

std::optional<sdk::Timestamp> AndTrigger::next_fire_time(std::optional<sdk::Timestamp> previous,
                                                         sdk::Timestamp now) noexcept {
  sdk::Timestamp t = start_of_search(previous, now);
  for (int round = 0; round < kMaxRounds; ++round) {
    sdk::Timestamp earliest = 0, latest = 0;
    for (std::size_t i = 0; i < part_count(); ++i) {
      auto fire = part_at_or_after(i, t);
      if (!fire) return std::nullopt;  // a part has ended: so has the intersection
      earliest = i == 0 ? *fire : std::min(earliest, *fire);
      latest = i == 0 ? *fire : std::max(latest, *fire);
    }
    if (earliest == latest) return with_jitter(latest);
    t = latest;  // no part fires at an instant all agree on before the latest answer
  }
  try {
    host().log(sdk::LogLevel::warning, "and trigger " + describe() + ": its parts agreed on no fire time within " +
                                           std::to_string(kMaxRounds) + " rounds of search; it is treated as finished");
  } catch (...) {
    // the warning is lost; the answer stands
  }
  return std::nullopt;
}

OrTrigger::OrTrigger(sdk::Host& host, const sdk::Value& config) : CombiningTrigger(host, config, "or") {}

std::optional<sdk::Timestamp> OrTrigger::next_fire_time(std::optional<sdk::Timestamp> previous,
                                                        sdk::Timestamp now) noexcept {
  sdk::Timestamp t = start_of_search(previous, now);
  std::optional<sdk::Timestamp> earliest;
  for (std::size_t i = 0; i < part_count(); ++i)
    if (auto fire = part_at_or_after(i, t); fire && (!earliest || *fire < *earliest)) earliest = fire;
  if (!earliest) return std::nullopt;
  return with_jitter(*earliest);
}

}  // namespace apsched::triggers::combining
