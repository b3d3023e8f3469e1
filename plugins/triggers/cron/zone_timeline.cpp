#include "zone_timeline.h"

#include <apsched/sdk/time.h>
#include <date/tz.h>

#include <algorithm>
#include <chrono>

namespace apsched::triggers::cron {
namespace {

// More than any difference between two UTC offsets (-12:00 .. +14:00, historical LMT included).
constexpr std::int64_t kMaxShift = 26 * 3600;
// Instants outside years 1000..10000 are outside every schedule (its years are 1970..9999).
constexpr std::int64_t kYear1000 = -30610224000;
constexpr std::int64_t kYear10000 = 253402300800;
// Each round moves to a later offset period or jumps to just before the next match; real
// searches take a handful of rounds.
constexpr int kMaxRounds = 10000;

}  // namespace

ZoneTimeline::ZoneTimeline(std::string_view zone, std::string_view field) : zone_(&sdk::find_timezone(zone, field)) {}

ZoneTimeline::Segment ZoneTimeline::segment_at(std::int64_t instant) const {
  auto info = zone_->get_info(date::sys_seconds{std::chrono::seconds{instant}});
  return {info.begin.time_since_epoch().count(), info.end.time_since_epoch().count(), info.offset.count()};
}

std::optional<std::int64_t> ZoneTimeline::first_at_or_after(std::int64_t instant, const WallSchedule& schedule,
                                                            RepeatedTime repeated) const {
  std::int64_t t = std::max(instant, kYear1000);
  Segment seg = segment_at(t);
  for (int round = 0; round < kMaxRounds; ++round) {
    Segment before = seg.begin > kYear1000 ? segment_at(seg.begin - 1) : seg;
    std::int64_t from = std::max(t, seg.begin);
    std::optional<std::int64_t> best;

    // Wall times skipped by a gap just before this period run shifted forward by the gap:
    // read with the earlier offset, they land in [seg.begin, seg.begin + gap).
    WallSeconds gap_end = seg.begin + seg.offset;
    if (before.offset < seg.offset && from + before.offset < gap_end) {
      auto w = schedule.next_match(from + before.offset);
      if (w && *w < gap_end) best = *w - before.offset;
    }

    // Wall times this period shows. After a fall-back its first ones were shown before;
    // a fixed-time job runs only at that first occurrence.
    WallSeconds low = from + seg.offset;
    if (repeated == RepeatedTime::first_occurrence && before.offset > seg.offset)
      low = std::max(low, seg.begin + before.offset);
    auto w = schedule.next_match(low);
    if (w && *w < seg.end + seg.offset) {
      std::int64_t candidate = *w - seg.offset;
      if (!best || candidate < *best) best = candidate;
    }
    if (best) return best;
    if (seg.end >= kYear10000) return std::nullopt;

    // Nothing in this period. Only a fall-back shortly ahead can show wall times below
    // `low` again; without one, nothing before w (or nothing at all) remains.
    Segment next = segment_at(seg.end);
    bool quiet_ahead = next.offset >= seg.offset && next.end - next.begin > kMaxShift;
    if (quiet_ahead && !w) return std::nullopt;
    t = seg.end;
    if (quiet_ahead && *w - kMaxShift > t) {
      t = *w - kMaxShift;  // every instant of a wall time >= w lies after this
      seg = segment_at(t);
    } else {
      seg = next;
    }
  }
  return std::nullopt;
}

}  // namespace apsched::triggers::cron
