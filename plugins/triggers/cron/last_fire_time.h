#pragma once
// The answer a cron setup gave last to "the first fire time at or after this second".
#include <cstdint>
#include <mutex>
#include <optional>

namespace apsched::triggers::cron {

/**
 * The last first-fire-time search of the triggers of one setup, and its answer: those
 * triggers ask the same question over and over (jobs of one schedule added within one
 * second, or run at one instant, search from the same second), and the answer depends
 * only on the setup and the second. A search is a walk over the zone's offsets and the
 * schedule's fields, about twenty times the cost of this look-up.
 *
 * THREADING: any thread; `mutex_` guards the rest. The search runs unlocked.
 */
class LastFireTime {
 public:
  template <class Search>
  std::optional<std::int64_t> at_or_after(std::int64_t second, Search&& search) {
    {
      std::lock_guard lock(mutex_);
      if (known_ && second_ == second) return instant_;
    }
    const std::optional<std::int64_t> instant = search();
    std::lock_guard lock(mutex_);
    known_ = true;
    second_ = second;
    instant_ = instant;
    return instant;
  }

 private:
  std::mutex mutex_;
  bool known_ = false;
  std::int64_t second_ = 0;
  std::optional<std::int64_t> instant_;
};

}  // namespace apsched::triggers::cron
