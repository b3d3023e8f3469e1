#pragma once
#include <cstdint>
#include <map>
#include <mutex>
#include <vector>

#include "apsched/core/events.h"

namespace apsched::core::detail {

/**
 * Event listeners with masks. THREADING: `mutex_` guards `listeners_` only; listeners
 * are called after it is released, in the dispatching thread, so a listener may add
 * or remove listeners and call the scheduler.
 */
class Listeners {
 public:
  std::uint64_t add(Listener listener, std::uint32_t mask);
  void remove(std::uint64_t id);
  /** Calls every listener whose mask matches; a throwing listener is logged and skipped. */
  void dispatch(const std::vector<Event>& events) const;
  void dispatch(const Event& event) const;

 private:
  struct Entry {
    Listener listener;
    std::uint32_t mask;
  };
  mutable std::mutex mutex_;
  std::uint64_t next_id_ = 1;
  std::map<std::uint64_t, Entry> listeners_;
};

}  // namespace apsched::core::detail
