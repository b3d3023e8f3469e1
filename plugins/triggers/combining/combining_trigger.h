#pragma once
// `and` and `or`: triggers made of other triggers (APScheduler's AndTrigger, OrTrigger).
#include <apsched/sdk/host.h>
#include <apsched/sdk/trigger.h>

#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace apsched::triggers::combining {

/**
 * `{type: and|or, triggers: [...], jitter}`. The parts are built by the host from their
 * own mappings. Each part is asked on its own schedule: "the first fire time at or after
 * t", with t = now, or just after the previous fire time; a part answering with a time
 * before t (a date trigger whose run is past) has no time left.
 */
class CombiningTrigger : public sdk::Trigger {
 public:
  sdk::Value state() const override;
  std::string describe() const override;
  /** The first part's zone (recursively): the zone fire times are shown in. */
  std::string timezone() const override;

 protected:
  CombiningTrigger(sdk::Host& host, const sdk::Value& config, const char* kind);

  /** Part `i`'s first fire time at or after `t`, or nullopt when it has none left. */
  std::optional<sdk::Timestamp> part_at_or_after(std::size_t i, sdk::Timestamp t) noexcept;
  std::size_t part_count() const noexcept { return parts_.size(); }
  sdk::Host& host() const noexcept { return *host_; }
  /** `fire` plus the configured jitter. */
  sdk::Timestamp with_jitter(sdk::Timestamp fire) const;

 private:
  struct Part {
    std::unique_ptr<sdk::Trigger> trigger;
    sdk::Value::Map identity;  ///< `type` and/or `plugin` of its mapping, for state()
  };

  sdk::Host* host_;
  std::string kind_;
  std::vector<Part> parts_;
  double jitter_seconds_ = 0;
};

/**
 * Fires when every part fires at the same instant: the earliest instant all agree on.
 * Bounded: after kMaxRounds disagreeing rounds it logs a warning and ends.
 */
class AndTrigger final : public CombiningTrigger {
 public:
  static constexpr int kMaxRounds = 10000;
  AndTrigger(sdk::Host& host, const sdk::Value& config);
  std::optional<sdk::Timestamp> next_fire_time(std::optional<sdk::Timestamp> previous,
                                               sdk::Timestamp now) noexcept override;
};

/** Fires whenever any part fires (the union of the parts' schedules). */
class OrTrigger final : public CombiningTrigger {
 public:
  OrTrigger(sdk::Host& host, const sdk::Value& config);
  std::optional<sdk::Timestamp> next_fire_time(std::optional<sdk::Timestamp> previous,
                                               sdk::Timestamp now) noexcept override;
};

}  // namespace apsched::triggers::combining
