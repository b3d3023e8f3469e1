#pragma once
// The project's DST rule: how the matching wall times of a schedule become instants.
#include <cstdint>
#include <optional>
#include <string_view>

#include "wall_schedule.h"

namespace date {
class time_zone;
}

namespace apsched::triggers::cron {

/** What a matching wall time that a fall-back change shows twice does. */
enum class RepeatedTime {
  first_occurrence,  ///< fixed-time jobs: once, at the earlier instant
  every_occurrence,  ///< wildcard jobs: at both instants
};

/**
 * One zone's offsets over time, used to turn wall times into a set of instants:
 *
 *  - a wall time shown once is that instant;
 *  - a wall time inside a gap (spring forward) is shifted forward by the gap length, i.e.
 *    read with the offset in force before the gap; several times meeting at one instant
 *    (or a shifted time meeting a regular one) make one instant;
 *  - a wall time shown twice (fall back) is one or both instants, per RepeatedTime.
 *
 * The search walks the zone's offset periods ("segments") forward from the given instant
 * and, in each, asks the schedule for its first wall time in that period's range, and in
 * the gap before it. Far matches are reached by jumping, never by stepping through time.
 */
class ZoneTimeline {
 public:
  /** Throws sdk::Error naming `field` when the zone is unknown. */
  ZoneTimeline(std::string_view zone, std::string_view field);

  /** The first instant (seconds since the epoch) at or after `instant` that the rule gives. */
  std::optional<std::int64_t> first_at_or_after(std::int64_t instant, const WallSchedule& schedule,
                                                RepeatedTime repeated) const;

 private:
  struct Segment {
    std::int64_t begin;   ///< first instant
    std::int64_t end;     ///< first instant after
    std::int64_t offset;  ///< UTC offset in seconds
  };
  Segment segment_at(std::int64_t instant) const;

  const date::time_zone* zone_;
};

}  // namespace apsched::triggers::cron
