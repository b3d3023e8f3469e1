#include "date.h"

#include <apsched/sdk/config.h>
#include <apsched/sdk/time.h>

namespace apsched::triggers {

DateTrigger::DateTrigger(sdk::Host& host, const sdk::Value& config) {
  sdk::ConfigReader reader(config, "date trigger");
  reader.ignore("type");
  timezone_ = reader.string("timezone").value_or(host.default_timezone());
  sdk::require_timezone(timezone_, "timezone");
  if (auto text = reader.string("run_date"))
    run_date_ = sdk::parse_datetime(*text, timezone_, "run_date");
  else
    run_date_ = host.now();
  reader.finish();
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
