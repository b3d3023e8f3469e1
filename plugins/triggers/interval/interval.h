#pragma once
#include <apsched/sdk/host.h>
#include <apsched/sdk/trigger.h>
#include <apsched/sdk/value.h>

#include <cstdint>
#include <optional>
#include <string>

namespace apsched::triggers {

/**
 * Fires every `interval` of elapsed time, as APScheduler 3.9.1's IntervalTrigger.
 *
 * Configuration keys:
 *  - `weeks`, `days`, `hours`, `minutes`, `seconds`: numbers (fractions allowed,
 *    negative parts allowed); the interval is their sum, rounded to microseconds, and
 *    must be positive (APScheduler silently turns a zero interval into one second; we
 *    refuse it).
 *  - `start_date`: ISO 8601; default: now + interval, fixed at construction.
 *  - `end_date`: ISO 8601; no fire time after it.
 *  - `timezone`: IANA zone; default: the scheduler's. Naive dates are read in it.
 *  - `jitter`: seconds (>= 0); a uniform random delay in [0, jitter] added to each
 *    fire time.
 *
 * The arithmetic is on absolute instants (APScheduler's aware datetimes), so a
 * daily interval keeps 24 real hours across a DST change.
 */
class IntervalTrigger final : public sdk::Trigger {
 public:
  IntervalTrigger(sdk::Host& host, const sdk::Value& config);

  std::optional<sdk::Timestamp> next_fire_time(std::optional<sdk::Timestamp> previous,
                                               sdk::Timestamp now) noexcept override;
  sdk::Value state() const override;
  std::string describe() const override;
  std::string timezone() const override { return timezone_; }

  sdk::Timestamp interval_micros() const noexcept { return interval_; }
  sdk::Timestamp start_date() const noexcept { return start_date_; }
  std::optional<sdk::Timestamp> end_date() const noexcept { return end_date_; }

 private:
  static constexpr int kUnits = 5;  // weeks, days, hours, minutes, seconds

  /** The configured length, as "hours=1, minutes=-30", for messages. */
  std::string given_text() const;

  sdk::Value components_[kUnits];  // as configured (null when not given), for state()
  sdk::Timestamp interval_ = 0;    // microseconds, > 0
  sdk::Timestamp start_date_ = 0;
  std::optional<sdk::Timestamp> end_date_;
  std::string timezone_;
  std::optional<double> jitter_;  // seconds
  sdk::Value jitter_value_;       // as configured, for state()
};

}  // namespace apsched::triggers
