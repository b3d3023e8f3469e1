#pragma once
#include <optional>
#include <string>

#include "apsched/sdk/export.h"
#include "apsched/sdk/time.h"
#include "apsched/sdk/value.h"

namespace apsched::sdk {

/**
 * When a job runs. A trigger plugin is created from its configuration map (YAML keys
 * as APScheduler's keyword names) and must be recreatable from `state()`.
 *
 * THREADING: the kernel serialises calls on one trigger object.
 */
class APSCHED_VISIBLE Trigger {
 public:
  virtual ~Trigger();

  /**
   * APScheduler's get_next_fire_time(previous_fire_time, now): with no previous fire
   * time, the first fire time at or after `now`; otherwise the next one strictly after
   * `previous` (jitter applied if configured). nullopt when the trigger has ended.
   */
  virtual std::optional<Timestamp> next_fire_time(std::optional<Timestamp> previous,
                                                  Timestamp now) noexcept = 0;

  /**
   * A configuration map (without `type`) that recreates this trigger exactly, defaults
   * resolved (e.g. an interval's implied start_date). This is what stores persist.
   */
  virtual Value state() const = 0;

  /** As APScheduler's str(trigger): "interval[0:00:03]", "cron[hour='9', minute='30']". */
  virtual std::string describe() const = 0;

  /** IANA zone name the trigger computes and displays times in. */
  virtual std::string timezone() const = 0;
};

}  // namespace apsched::sdk
