// An example trigger plugin, written against the SDK alone: fires at a list of instants.
//   {type: times, at: ["2026-12-24T18:00:00", "2026-12-31T23:59:00"], timezone: Europe/Berlin}
#include <apsched/sdk/config.h>
#include <apsched/sdk/plugin.h>

#include <algorithm>
#include <vector>

namespace {

using apsched::sdk::Timestamp;
using apsched::sdk::Value;

class TimesTrigger final : public apsched::sdk::Trigger {
 public:
  TimesTrigger(apsched::sdk::Host& host, const Value& config) {
    apsched::sdk::ConfigReader reader(config, "times trigger");
    reader.ignore("type");
    zone_ = reader.string("timezone").value_or(host.default_timezone());
    apsched::sdk::require_timezone(zone_, "timezone");
    const Value* at = reader.get("at");
    if (at == nullptr || !at->is_list() || at->as_list().empty())
      throw apsched::sdk::Error("'at' must be a non-empty list of date-times", "at");
    for (const Value& item : at->as_list()) {
      if (!item.is_string()) throw apsched::sdk::Error("'at' must hold ISO date-time strings", "at");
      times_.push_back(apsched::sdk::parse_datetime(item.as_string(), zone_, "at"));
    }
    reader.finish();
    std::sort(times_.begin(), times_.end());
    times_.erase(std::unique(times_.begin(), times_.end()), times_.end());
  }

  std::optional<Timestamp> next_fire_time(std::optional<Timestamp> previous, Timestamp now) noexcept override {
    auto it = previous ? std::upper_bound(times_.begin(), times_.end(), *previous)
                       : std::lower_bound(times_.begin(), times_.end(), now);
    if (it == times_.end()) return std::nullopt;
    return *it;
  }

  Value state() const override {
    Value::List at;
    for (Timestamp t : times_) at.emplace_back(apsched::sdk::format_datetime(t, zone_));
    return Value::Map{{"at", at}, {"timezone", zone_}};
  }

  std::string describe() const override { return "times[" + std::to_string(times_.size()) + " instants]"; }
  std::string timezone() const override { return zone_; }

 private:
  std::string zone_;
  std::vector<Timestamp> times_;
};

}  // namespace

APSCHED_TRIGGER_PLUGIN("times", 1, TimesTrigger)
