#include "date.h"

#include <apsched/sdk/config.h>
#include <apsched/sdk/time.h>

namespace apsched::triggers {

DateTrigger::DateTrigger(sdk::Host& host, const sdk::Value& config) {
  // Every key is read (types only) before any value is checked, so that a misspelt key
  // is reported as such rather than as what its absence causes.
  sdk::ConfigReader reader(config, "date trigger");
  reader.ignore("type");
  std::optional<std::string> timezone = reader.string("timezone");
  std::optional<std::string> run_date = reader.string("run_date");
  std::optional<double> delay = reader.seconds("delay");
  reader.finish();
  timezone_ = timezone.value_or(host.default_timezone());
  sdk::require_timezone(timezone_, "timezone");
  if (run_date && delay) throw sdk::Error("give either 'run_date' or 'delay' in a date trigger, not both", "delay");
  if (delay)
    run_date_ = host.now() + static_cast<sdk::Timestamp>(*delay * sdk::kMicrosPerSecond);
  else
    run_date_ = run_date ? sdk::parse_datetime(*run_date, timezone_, "run_date") : host.now();
}

std::optional<sdk::Timestamp> DateTrigger::next_fire_time(std::optional<sdk::Timestamp> previous,
                                                          sdk::Timestamp /*now*/) noexcept {
  if (previous) return std::nullopt;
  return run_date_;
}

sdk::Value DateTrigger::state() const {
  return sdk::Value::Map{{"run_date", sdk::format_datetime(run_date_, timezone_)}, {"timezone", timezone_}};
}

std::string DateTrigger::describe() const { return "date[" + sdk::format_datetime(run_date_, timezone_) + "]"; }

}  // namespace apsched::triggers
