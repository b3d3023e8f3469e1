#pragma once
// What the `cron` and `crontab` trigger types share: the fire-time computation, jitter,
// start and end dates, the zone, and the options every cron-like trigger reads.
#include <apsched/sdk/config.h>
#include <apsched/sdk/host.h>
#include <apsched/sdk/trigger.h>

#include <memory>
#include <optional>
#include <string>

#include "last_fire_time.h"
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
  sdk::Value state;         ///< a map that recreates the trigger (without `type`)
  std::string description;  ///< "cron[hour='9', minute='30']"
  /** The triggers' last search (the setup's one changing part; it changes no answer). */
  std::unique_ptr<LastFireTime> last_fire = std::make_unique<LastFireTime>();
};

/** A trigger type's reading of its config into a setup; throws sdk::Error for a bad config. */
using SetupReader = CronSetup (*)(const sdk::Host& host, const sdk::Value& config);

/**
 * The setup `read` makes of `config`, shared by the triggers of equal configs of the type
 * `type` on hosts of one default time zone (a config holding a list or a map is read
 * apart: it is refused anyway). Thread-safe.
 */
std::shared_ptr<const CronSetup> shared_setup(std::string_view type, const sdk::Host& host,
                                              const sdk::Value& config, SetupReader read);

class CronTriggerBase : public sdk::Trigger {
 public:
  /**
   * The first fire time at or after `now` (and start_date), or strictly after `previous`;
   * nullopt when the schedule has no time left before end_date or year 10000.
   */
  std::optional<sdk::Timestamp> next_fire_time(std::optional<sdk::Timestamp> previous,
                                               sdk::Timestamp now) noexcept override;
  sdk::Value state() const override { return setup_->state; }
  std::string describe() const override { return setup_->description; }
  std::string timezone() const override { return setup_->options.zone; }

 protected:
  explicit CronTriggerBase(std::shared_ptr<const CronSetup> setup);

 private:
  std::shared_ptr<const CronSetup> setup_;  ///< never null
  ZoneTimeline timeline_;
  RepeatedTime repeated_;
};

}  // namespace apsched::triggers::cron
