#pragma once
#include <apsched/sdk/host.h>
#include <apsched/sdk/trigger.h>
#include <apsched/sdk/value.h>

#include <optional>
#include <string>

namespace apsched::triggers {

/**
 * Fires once, at `run_date` (APScheduler's DateTrigger).
 *
 * Configuration keys:
 *  - `run_date`: ISO 8601 date/time; a naive one is read in `timezone`. Default: now.
 *  - `delay`: instead of run_date, seconds after the trigger is made (when the job is
 *    added): `{type: date, delay: 12}`. state() keeps the resolved run_date, so a stored
 *    job does not move on restart.
 *  - `timezone`: IANA zone; default: the scheduler's zone.
 *
 * As in APScheduler, next_fire_time() returns run_date whatever `now` is (also when it
 * lies in the past: the kernel's misfire handling decides what a late run means).
 */
class DateTrigger final : public sdk::Trigger {
 public:
  DateTrigger(sdk::Host& host, const sdk::Value& config);

  std::optional<sdk::Timestamp> next_fire_time(std::optional<sdk::Timestamp> previous,
                                               sdk::Timestamp now) noexcept override;
  sdk::Value state() const override;
  std::string describe() const override;
  std::string timezone() const override { return timezone_; }

  sdk::Timestamp run_date() const noexcept { return run_date_; }

 private:
  std::string timezone_;
  sdk::Timestamp run_date_ = 0;
};

}  // namespace apsched::triggers
