#pragma once
// Immutable parts shared by the cron triggers that would build them alike. Jobs mostly
// share a few expressions ("*/5", "0 9 * * mon-fri"): compiling one (eight fields parsed
// into ~1 KB of value sets) was most of the cost of constructing a cron trigger, and once
// that was shared, reading and checking the config and formatting its state was.
#include <apsched/sdk/value.h>

#include <cstddef>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>

#include "wall_schedule.h"

namespace apsched::triggers::cron {

template <class T>
class SharedCache {
 public:
  /**
   * The object kept under `key`, or the one `make()` returns (kept when there is room).
   * `key` must tell apart everything `make` depends on. An exception from `make`
   * propagates and nothing is kept. Thread-safe; `make` runs unlocked.
   */
  template <class Make>
  std::shared_ptr<const T> get(std::string_view key, Make&& make) {
    if (auto kept = find(key)) return kept;
    return keep(key, std::make_shared<const T>(make()));
  }

  /** Distinct keys kept at most; an object made beyond that is its trigger's alone. */
  static constexpr std::size_t kMostKept = 1024;

 private:
  struct KeyHash {
    using is_transparent = void;
    std::size_t operator()(std::string_view key) const noexcept { return std::hash<std::string_view>{}(key); }
  };

  std::shared_ptr<const T> find(std::string_view key) {
    std::lock_guard lock(mutex_);
    auto it = kept_.find(key);
    return it == kept_.end() ? nullptr : it->second;
  }

  /** Keeps `made` unless the key is already kept (then returns that) or there is no room. */
  std::shared_ptr<const T> keep(std::string_view key, std::shared_ptr<const T> made) {
    std::lock_guard lock(mutex_);
    if (auto it = kept_.find(key); it != kept_.end()) return it->second;  // another thread was first
    if (kept_.size() < kMostKept) kept_.emplace(key, made);
    return made;
  }

  std::mutex mutex_;  // guards kept_
  std::unordered_map<std::string, std::shared_ptr<const T>, KeyHash, std::equal_to<>> kept_;
};

/** The compiled schedules of this plugin (each plugin library has its own). */
SharedCache<WallSchedule>& shared_schedules();

/** A cache key: the trigger type, then texts, each after its length, so that no two
 *  sequences of texts give the same key whatever bytes they hold. */
class CacheKey {
 public:
  explicit CacheKey(std::string_view type);
  void add(std::string_view text);
  /**
   * Adds a scalar with its type (the integer 5, the float 5.0 and the text "5" are three
   * keys); false, adding nothing, for a list or a map.
   */
  bool add_value(const sdk::Value& value);
  std::string_view view() const noexcept { return key_; }
  /**
   * Whether add_value would add the same for `a` as for `b` (for maps: entry by entry, with
   * their keys): equal values of one type, floats by their bits (0.0 is not -0.0). Lets a
   * caller compare two configs without building their keys.
   */
  static bool same_values(const sdk::Value& a, const sdk::Value& b);

 private:
  /** A text's length, as the text before it is written. */
  void add_length(std::size_t length);
  /** A text of the type letter, then `text`. */
  void add_tagged(char type, std::string_view text);

  std::string key_;
};

}  // namespace apsched::triggers::cron
