#pragma once
// Compiled schedules shared by the triggers of one expression. Jobs mostly share a few
// expressions ("*/5", "0 9 * * mon-fri"), and compiling one (eight fields parsed into
// ~1 KB of value sets) was most of the cost of constructing a cron trigger.
#include <cstddef>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>

#include "wall_schedule.h"

namespace apsched::triggers::cron {

class ScheduleCache {
 public:
  /**
   * The schedule kept under `key`, or the one `compile()` returns (kept when there is
   * room). `key` must tell apart everything `compile` depends on. An exception from
   * `compile` propagates and nothing is kept. Thread-safe; `compile` runs unlocked.
   */
  template <class Compile>
  std::shared_ptr<const WallSchedule> get(std::string_view key, Compile&& compile) {
    if (auto kept = find(key)) return kept;
    return keep(key, std::make_shared<const WallSchedule>(compile()));
  }

  /** Distinct keys kept at most; a schedule compiled beyond that is its trigger's alone. */
  static constexpr std::size_t kMostKept = 1024;

 private:
  struct KeyHash {
    using is_transparent = void;
    std::size_t operator()(std::string_view key) const noexcept { return std::hash<std::string_view>{}(key); }
  };
  std::shared_ptr<const WallSchedule> find(std::string_view key);
  /** Keeps `compiled` unless the key is already kept (then returns that) or there is no room. */
  std::shared_ptr<const WallSchedule> keep(std::string_view key, std::shared_ptr<const WallSchedule> compiled);

  std::mutex mutex_;  // guards schedules_
  std::unordered_map<std::string, std::shared_ptr<const WallSchedule>, KeyHash, std::equal_to<>> schedules_;
};

/** The cache of this plugin (each plugin library has its own). */
ScheduleCache& shared_schedules();

/** A cache key: the trigger type, then texts, each after its length, so that no two
 *  sequences of texts give the same key whatever bytes they hold. */
class ScheduleKey {
 public:
  explicit ScheduleKey(std::string_view type);
  void add(std::string_view text);
  std::string_view view() const noexcept { return key_; }

 private:
  std::string key_;
};

}  // namespace apsched::triggers::cron
