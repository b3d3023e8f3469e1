#pragma once
// What the `cron` and `crontab` trigger types share: the fire-time computation, jitter,
// start and end dates, the zone, and the options every cron-like trigger reads.
#include <apsched/sdk/config.h>
#include <apsched/sdk/host.h>
#include <apsched/sdk/trigger.h>

#include <memory>
#include <optional>
#include <string>

#include "wall_schedule.h"
#include "zone_timeline.h"

namespace apsched::triggers::cron {

/** start_date, end_date, timezone and jitter, as both trigger types accept them. */
struct CommonOptions {
  std::string zone;
  std::optional<sdk::Timestamp> start_date;
  std::optional<sdk::Timestamp> end_date;
  double jitter_seconds = 0;

  /** Reads the four keys; the zone defaults to the host's. */
  static CommonOptions read(sdk::ConfigReader& reader, const sdk::Host& host);
  /** Adds the keys that were set (the zone always) to a state map. */
  void write(sdk::Value::Map& state) const;
};

/** Everything a cron-like trigger is made of, produced by the type's config reader. */
struct CronSetup {
  std::shared_ptr<const WallSchedule> schedule;  ///< never null; shared by triggers of one expression
  CommonOptions options;
  sdk::Value::Map state;    ///< recreates the trigger (without `type`)
  std::string description;  ///< "cron[hour='9', minute='30']"
};

class CronTriggerBase : public sdk::Trigger {
 public:
  /**
   * The first fire time at or after `now` (and start_date), or strictly after `previous`;
   * nullopt when the schedule has no time left before end_date or year 10000.
   */
  std::optional<sdk::Timestamp> next_fire_time(std::optional<sdk::Timestamp> previous,
                                               sdk::Timestamp now) noexcept override;
  sdk::Value state() const override { return setup_.state; }
  std::string describe() const override { return setup_.description; }
  std::string timezone() const override { return setup_.options.zone; }

 protected:
  explicit CronTriggerBase(CronSetup setup);

 private:
  CronSetup setup_;
  ZoneTimeline timeline_;
  RepeatedTime repeated_;
};

}  // namespace apsched::triggers::cron
