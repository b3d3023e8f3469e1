#include "cron_trigger.h"

#include <apsched/sdk/status.h>

#include <algorithm>
#include <mutex>
#include <string>

#include "shared_cache.h"

namespace apsched::triggers::cron {
namespace {

std::int64_t ceil_div(std::int64_t a, std::int64_t b) { return a / b + (a % b > 0 ? 1 : 0); }

// The project's DST rule, clause 2: a job whose hour or minute field contains `*` runs in
// both passes of a repeated hour; any other job only in the first.
RepeatedTime repeated_time_of(const WallSchedule& schedule) {
  auto wildcard = [&](FieldKind kind) { return schedule.field(kind).text().find('*') != std::string::npos; };
  return wildcard(FieldKind::hour) || wildcard(FieldKind::minute) ? RepeatedTime::every_occurrence
                                                                  : RepeatedTime::first_occurrence;
}

/**
 * The setup shared_setup handed out last and what it was asked for: a program adding many
 * jobs of one schedule asks for the same setup over and over, which is then found by
 * comparing the config instead of building its key and looking it up.
 */
class LastSetup {
 public:
  std::shared_ptr<const CronSetup> find(std::string_view type, const std::string& zone, const sdk::Value& config) {
    std::lock_guard lock(mutex_);
    return setup_ && CacheKey::same_values(config_, config) && type_ == type && zone_ == zone ? setup_ : nullptr;
  }
  void remember(std::string_view type, const std::string& zone, const sdk::Value& config,
                std::shared_ptr<const CronSetup> setup) {
    std::lock_guard lock(mutex_);
    type_ = type;
    zone_ = zone;
    config_ = config;
    setup_ = std::move(setup);
  }

 private:
  std::mutex mutex_;  // guards the rest
  std::string type_;
  std::string zone_;
  sdk::Value config_;
  std::shared_ptr<const CronSetup> setup_;
};

}  // namespace

CommonOptions CommonOptions::read(sdk::ConfigReader& reader, const sdk::Host& host) {
  CommonOptions options;
  options.zone = reader.string("timezone").value_or(host.default_timezone());
  sdk::require_timezone(options.zone, "timezone");
  if (auto text = reader.string("start_date")) options.start_date = sdk::parse_datetime(*text, options.zone, "start_date");
  if (auto text = reader.string("end_date")) options.end_date = sdk::parse_datetime(*text, options.zone, "end_date");
  if (auto jitter = reader.seconds("jitter")) options.jitter_seconds = *jitter;
  return options;
}

void CommonOptions::write(sdk::Value::Map& state) const {
  state["timezone"] = zone;
  if (start_date) state["start_date"] = sdk::format_datetime(*start_date, zone);
  if (end_date) state["end_date"] = sdk::format_datetime(*end_date, zone);
  if (jitter_seconds > 0) state["jitter"] = jitter_seconds;
}

std::shared_ptr<const CronSetup> shared_setup(std::string_view type, const sdk::Host& host,
                                              const sdk::Value& config, SetupReader read) {
  static SharedCache<CronSetup> setups;
  static LastSetup last;
  const std::string zone = host.default_timezone();
  if (auto setup = last.find(type, zone, config)) return setup;
  CacheKey key(type);
  key.add(zone);
  auto read_apart = [&] { return std::make_shared<const CronSetup>(read(host, config)); };
  if (!config.is_map()) return read_apart();
  for (const auto& [name, value] : config.as_map()) {
    key.add(name);
    if (!key.add_value(value)) return read_apart();
  }
  auto setup = setups.get(key.view(), [&] { return read(host, config); });
  last.remember(type, zone, config, setup);
  return setup;
}

CronTriggerBase::CronTriggerBase(std::shared_ptr<const CronSetup> setup)
    : setup_(std::move(setup)),
      timeline_(setup_->options.zone, "timezone"),
      repeated_(repeated_time_of(*setup_->schedule)) {}

std::optional<sdk::Timestamp> CronTriggerBase::next_fire_time(std::optional<sdk::Timestamp> previous,
                                                              sdk::Timestamp now) noexcept {
  try {
    sdk::Timestamp from = previous ? *previous + 1 : now;
    const CommonOptions& options = setup_->options;
    if (options.start_date) from = std::max(from, *options.start_date);
    const std::int64_t second = ceil_div(from, sdk::kMicrosPerSecond);
    auto instant = setup_->last_fire->at_or_after(
        second, [&] { return timeline_.first_at_or_after(second, *setup_->schedule, repeated_); });
    if (!instant) return std::nullopt;
    sdk::Timestamp fire = *instant * sdk::kMicrosPerSecond;
    if (options.end_date && fire > *options.end_date) return std::nullopt;
    return fire + sdk::random_delay(options.jitter_seconds);
  } catch (...) {
    return std::nullopt;  // only allocation failure can get here
  }
}

}  // namespace apsched::triggers::cron
